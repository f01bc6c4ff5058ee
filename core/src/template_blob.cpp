// The compiled form of a template library: length-prefixed fields, little-endian, versioned by a magic.
#include <cstdint>
#include <cstring>

#include "kefu/error.hpp"
#include "kefu/template_library.hpp"

namespace kefu {
namespace {

constexpr char kMagic[] = "KEFUPACK2\n";

class Writer {
 public:
  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
  void str(const std::string& s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out_ += s;
  }
  void strs(const std::vector<std::string>& v) {
    u32(static_cast<std::uint32_t>(v.size()));
    for (const auto& s : v) str(s);
  }
  template <class E>
  void enums(const std::vector<E>& v) {
    u32(static_cast<std::uint32_t>(v.size()));
    for (E e : v) u32(static_cast<std::uint32_t>(e));
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  std::uint32_t u32() {
    need(4);
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in_[pos_ + i])) << (8 * i);
    pos_ += 4;
    return v;
  }
  std::string str() {
    std::uint32_t n = u32();
    need(n);
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  std::vector<std::string> strs() {
    std::vector<std::string> v(u32());
    for (auto& s : v) s = str();
    return v;
  }
  template <class E>
  std::vector<E> enums(std::uint32_t limit) {
    std::vector<E> v(u32());
    for (auto& e : v) {
      std::uint32_t x = u32();
      if (x >= limit) throw Error(ErrorCode::parse, "compiled pack: value out of range");
      e = static_cast<E>(x);
    }
    return v;
  }
  void skip(std::size_t n) {
    need(n);
    pos_ += n;
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  void need(std::size_t n) const {
    if (in_.size() - pos_ < n) throw Error(ErrorCode::parse, "compiled pack is truncated");
  }
  std::string_view in_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string TemplateLibrary::to_blob() const {
  Writer w;
  w.out() = kMagic;
  w.u32(static_cast<std::uint32_t>(templates_.size()));
  for (const auto& t : templates_) {
    w.str(t.id);
    w.str(t.pack);
    w.u32(static_cast<std::uint32_t>(t.locale));
    w.enums(t.intents);
    w.enums(t.stages);
    w.enums(t.customer_types);
    w.enums(t.emotions);
    w.str(t.shortcut);
    w.strs(t.tags);
    w.str(t.text);
    w.str(t.text_tw);
    w.str(t.text_hk);
    w.strs(t.examples);
    w.u32(t.outreach ? 1 : 0);
    w.str(t.occasion);
    w.str(t.file);
    w.u32(static_cast<std::uint32_t>(t.line));
  }
  return std::move(w.out());
}

TemplateLibrary TemplateLibrary::from_blob(std::string_view blob) {
  const std::size_t magic = sizeof kMagic - 1;
  if (blob.size() < magic || blob.substr(0, magic) != std::string_view(kMagic, magic))
    throw Error(ErrorCode::parse, "not a compiled template pack of this kefu version");
  Reader r(blob);
  r.skip(magic);
  TemplateLibrary lib;
  lib.templates_.resize(r.u32());
  for (auto& t : lib.templates_) {
    t.id = r.str();
    t.pack = r.str();
    t.locale = static_cast<Locale>(r.u32() & 3);
    t.intents = r.enums<Intent>(kIntentCount);
    t.stages = r.enums<Stage>(kStageCount);
    t.customer_types = r.enums<CustomerType>(kCustomerTypeCount);
    t.emotions = r.enums<Emotion>(kEmotionCount);
    t.shortcut = r.str();
    t.tags = r.strs();
    t.text = r.str();
    t.text_tw = r.str();
    t.text_hk = r.str();
    t.examples = r.strs();
    t.outreach = r.u32() != 0;
    t.occasion = r.str();
    t.file = r.str();
    t.line = static_cast<int>(r.u32());
    const std::string where = t.file + ":" + std::to_string(t.line);
    t.nodes = compile_text(t.text, where);
    if (!t.text_tw.empty()) t.nodes_tw = compile_text(t.text_tw, where);
    if (!t.text_hk.empty()) t.nodes_hk = compile_text(t.text_hk, where);
  }
  if (!r.done()) throw Error(ErrorCode::parse, "compiled pack has trailing bytes");
  lib.index();
  return lib;
}

}  // namespace kefu
