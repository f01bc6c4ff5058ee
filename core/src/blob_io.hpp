// Internal: the little-endian, length-prefixed encoding of the compiled data the build embeds
// (template packs, analysis lexicons). Reading checks every length against what is left.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "kefu/error.hpp"

namespace kefu {

class BlobWriter {
 public:
  explicit BlobWriter(std::string_view magic) : out_(magic) {}
  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
  void f64(double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    u32(static_cast<std::uint32_t>(bits));
    u32(static_cast<std::uint32_t>(bits >> 32));
  }
  void str(std::string_view s) {
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
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class BlobReader {
 public:
  /// `what` names the blob in errors ("compiled pack"); throws unless `in` starts with `magic`.
  BlobReader(std::string_view in, std::string_view magic, std::string what) : in_(in), what_(std::move(what)) {
    if (in_.substr(0, magic.size()) != magic)
      throw Error(ErrorCode::parse, "not a " + what_ + " of this kefu version");
    pos_ = magic.size();
  }
  static bool has_magic(std::string_view in, std::string_view magic) { return in.substr(0, magic.size()) == magic; }

  std::uint32_t u32() {
    need(4);
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in_[pos_ + i])) << (8 * i);
    pos_ += 4;
    return v;
  }
  double f64() {
    std::uint64_t lo = u32(), hi = u32();
    std::uint64_t bits = lo | (hi << 32);
    double v;
    std::memcpy(&v, &bits, sizeof v);
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
    std::vector<std::string> v(count());
    for (auto& s : v) s = str();
    return v;
  }
  template <class E>
  std::vector<E> enums(std::uint32_t limit) {
    std::vector<E> v(count());
    for (auto& e : v) e = static_cast<E>(below(limit));
    return v;
  }
  /// A u32 that must be < limit.
  std::uint32_t below(std::uint32_t limit) {
    std::uint32_t x = u32();
    if (x >= limit) throw Error(ErrorCode::parse, what_ + ": value out of range");
    return x;
  }
  /// An element count: each element takes at least 4 bytes, so a count beyond that is corruption.
  std::uint32_t count() {
    std::uint32_t n = u32();
    if (n > (in_.size() - pos_) / 4) throw Error(ErrorCode::parse, what_ + " is truncated");
    return n;
  }
  void finish() const {
    if (pos_ != in_.size()) throw Error(ErrorCode::parse, what_ + " has trailing bytes");
  }

 private:
  void need(std::size_t n) const {
    if (in_.size() - pos_ < n) throw Error(ErrorCode::parse, what_ + " is truncated");
  }
  std::string_view in_;
  std::string what_;
  std::size_t pos_ = 0;
};

}  // namespace kefu
