#include <gtest/gtest.h>

#include "kefu/chinese.hpp"
#include "kefu/engine.hpp"
#include "kefu/error.hpp"
#include "kefu/template_library.hpp"

using namespace kefu;

namespace {
const char* kGood = R"(pack: demo
locale: zh-CN
templates:
  - id: demo.refund
    intents: [refund]
    shortcut: /tk
    text: "{{salutation|亲}}，退款已提交。"
    examples: [我要退款, 退钱, 钱什么时候退]
  - id: demo.birthday
    use: outreach
    occasion: birthday
    text: "生日快乐！"
)";

bool has(const std::vector<Diagnostic>& d, int line, std::string_view needle) {
  for (const auto& x : d)
    if (x.line == line && x.message.find(needle) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST(TemplateLibrary, LoadsAndIndexes) {
  std::vector<Diagnostic> d;
  auto lib = TemplateLibrary::load({{"demo.yaml", kGood}}, d);
  EXPECT_TRUE(d.empty());
  ASSERT_EQ(lib.size(), 2u);
  EXPECT_NE(lib.find("demo.refund", Locale::zh_TW), nullptr);
  EXPECT_NE(lib.find_shortcut("/tk", Locale::zh_CN), nullptr);
  EXPECT_EQ(lib.of_intent(Locale::zh_CN, Intent::refund).size(), 1u);  // outreach is not a reply
  EXPECT_TRUE(lib.find("demo.birthday", Locale::zh_CN)->outreach);
}

TEST(TemplateLibrary, ReportsEveryProblemWithFileAndLine) {
  const char* bad = R"(pack: demo
locale: zh-CN
templates:
  - id: demo.a
    intents: [refundd]
    text: "ok"
    examples: [a, b, c]
  - id: demo.a
    intents: [refund]
    text: "{{#name}}x"
    examples: [a, b, c]
  - id: demo.b
    intents: [refund]
    text: "{{whoever}}"
    examples: [a]
  - id: demo.c
    intents: [refund]
    colour: red
    text: ok
    examples: [a, b, c]
)";
  std::vector<Diagnostic> d;
  TemplateLibrary::load({{"bad.yaml", bad}}, d);
  EXPECT_TRUE(has(d, 5, "unknown intent value 'refundd'"));
  EXPECT_TRUE(has(d, 10, "not closed"));
  EXPECT_TRUE(has(d, 14, "unknown variable 'whoever'"));
  EXPECT_TRUE(has(d, 12, "needs at least 3"));
  EXPECT_TRUE(has(d, 18, "unknown field 'colour'"));
  for (const auto& x : d) EXPECT_EQ(x.file, "bad.yaml");
}

TEST(TemplateLibrary, DuplicateIdsAndYamlErrors) {
  std::vector<Diagnostic> d;
  TemplateLibrary::load({{"a.yaml", kGood}, {"b.yaml", kGood}}, d);
  EXPECT_TRUE(has(d, 4, "duplicate template id 'demo.refund'"));
  d.clear();
  TemplateLibrary::load({{"y.yaml", "pack: x\nlocale: zh-CN\ntemplates: [\n  - {id: a\n"}}, d);
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d[0].file, "y.yaml");
  EXPECT_NE(d[0].message.find("YAML syntax"), std::string::npos);
  d.clear();
  TemplateLibrary::load({{"t.yaml", "pack: x\nlocale: zh-TW\ntemplates: []\n"}}, d);
  EXPECT_TRUE(has(d, 2, "write packs in zh-CN"));
  d.clear();
  TemplateLibrary::load({{"u.yaml", "pack: x\nlocale: zh-CN\ntemplates: []\n\xff\n"}}, d);
  EXPECT_TRUE(has(d, 1, "not valid UTF-8"));
}

TEST(TemplateLibrary, LoadStrictThrowsParseWithLocations) {
  try {
    TemplateLibrary::load_strict({{"x/bad.yaml", "pack: x\nlocale: en\ntemplates:\n  - id: x.a\n    text: hi\n"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::parse);
    EXPECT_NE(std::string(e.what()).find("x/bad.yaml:4:"), std::string::npos) << e.what();
  }
}

TEST(TemplateLibrary, TraditionalFormsComeFromOpenCC) {
  std::vector<Diagnostic> d;
  auto lib = TemplateLibrary::load({{"demo.yaml", kGood}}, d);
  ChineseConverters cc;
  lib.localize(cc);
  const Template* t = lib.find("demo.refund", Locale::zh_CN);
  auto tw = render(t->nodes_for(Locale::zh_TW), {}, Locale::zh_TW, Channel::plain);
  auto hk = render(t->nodes_for(Locale::zh_HK), {}, Locale::zh_HK, Channel::plain);
  EXPECT_EQ(tw.text, "親，退款已提交。");
  EXPECT_EQ(hk.text, "親，退款已提交。");
}

TEST(TemplateLibrary, BundledPacksAreCleanAndBigEnough) {
  auto files = bundled_pack_files();
  auto diags = lint_packs(files);
  for (const auto& x : diags) ADD_FAILURE() << x.to_string();
  std::vector<Diagnostic> d;
  auto lib = TemplateLibrary::load(files, d);
  std::size_t zh = 0, en = 0;
  for (const auto& t : lib.all()) {
    if (t.outreach) continue;
    EXPECT_GE(t.examples.size(), 3u) << t.id;
    (t.locale == Locale::en ? en : zh)++;
  }
  EXPECT_GE(zh, 150u);
  EXPECT_GE(en, 100u);
  for (std::size_t i = 0; i < kIntentCount; ++i) {
    EXPECT_FALSE(lib.of_intent(Locale::zh_CN, static_cast<Intent>(i)).empty()) << to_string(static_cast<Intent>(i));
    EXPECT_FALSE(lib.of_intent(Locale::en, static_cast<Intent>(i)).empty()) << to_string(static_cast<Intent>(i));
  }
}

TEST(TemplateLibrary, EveryBundledTemplateRendersWithoutBrokenSentences) {
  Engine engine;
  for (Locale l : {Locale::zh_CN, Locale::zh_TW, Locale::zh_HK, Locale::en}) {
    for (const Template* t : engine.templates().of_locale(l)) {
      auto out = engine.render(t->id, {}, l);
      EXPECT_EQ(out.text.find("{{"), std::string::npos) << t->id;
      for (const char* broken : {"，！", "，。", "，，", "  ", " ,", " .", "( )", "您好，！"})
        EXPECT_EQ(out.text.find(broken), std::string::npos) << t->id << " [" << locale_name(l) << "]: " << out.text;
    }
  }
}
