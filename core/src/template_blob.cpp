// The compiled form of a template library: length-prefixed fields, little-endian, versioned by a magic.
#include "blob_io.hpp"
#include "kefu/template_library.hpp"

namespace kefu {
namespace {

constexpr char kMagic[] = "KEFUPACK2\n";

}  // namespace

std::string TemplateLibrary::to_blob() const {
  BlobWriter w(kMagic);
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
  return w.take();
}

TemplateLibrary TemplateLibrary::from_blob(std::string_view blob) {
  BlobReader r(blob, kMagic, "compiled template pack");
  TemplateLibrary lib;
  lib.templates_.resize(r.count());
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
  r.finish();
  lib.index();
  return lib;
}

}  // namespace kefu
