// Tone rule packs: every rule's own examples (must fire / must not fire), the polite idioms that must
// never be flagged, and the linter on malformed rule files (file:line).
#include <gtest/gtest.h>

#include <fstream>

#include "kefu/chinese.hpp"
#include "kefu/engine.hpp"
#include "kefu/error.hpp"
#include "kefu/tone.hpp"

using namespace kefu;

namespace {

const Engine& engine() {
  static Engine e;
  return e;
}

std::vector<std::string> rules_of(const ToneReport& r) {
  std::vector<std::string> out;
  for (const auto& f : r.findings) out.push_back(f.rule());
  return out;
}

std::string describe(const ToneReport& r) {
  std::string s;
  for (const auto& f : r.findings) s += f.rule() + "「" + f.text + "」 ";
  return s;
}

}  // namespace

TEST(ToneRules, BundledPacksHaveRulesWithExamplesInEveryCategory) {
  auto rules = engine().tone_checker().rules();
  ASSERT_GT(rules.size(), 40u);
  for (Locale l : {Locale::zh_CN, Locale::en}) {
    std::set<ToneCategory> cats;
    for (const auto& r : rules) {
      if (r.locale != l) continue;
      cats.insert(r.category);
      EXPECT_GE(r.examples, 2u) << r.id;
    }
    EXPECT_EQ(cats.size(), kToneCategoryCount) << locale_name(l);
  }
}

// The packs' own self-tests, as Vale and LanguageTool run theirs: one failure per bad example.
TEST(ToneRules, EveryRuleExampleBehaves) {
  const Engine& e = engine();
  auto failures = e.tone_checker().self_test([&e](std::string_view text, Locale l) { return e.analyze(text, l); });
  for (const auto& d : failures) ADD_FAILURE() << d.to_string();
  EXPECT_TRUE(failures.empty());
}

TEST(ToneRules, LintOfBundledPacksIsClean) {
  ChineseConverters chinese;
  const Engine& e = engine();
  auto diags = lint_tone(bundled_tone_files(), {}, chinese, [&e](std::string_view t, Locale l) { return e.analyze(t, l); });
  for (const auto& d : diags) ADD_FAILURE() << d.to_string();
}

TEST(ToneRules, PoliteIdiomsAndPlainFactsAreNeverFlagged) {
  struct Case {
    const char* text;
    const char* locale;
  };
  const Case cases[] = {
      {"不知道您是否方便", "zh-CN"},
      {"不知道您是否方便提供一下订单号？", "zh-CN"},
      {"如果可能的话", "zh-CN"},
      {"如果可能的话，我们今天就给您发出。", "zh-CN"},
      {"第一时间为您处理", "zh-CN"},
      {"您好，收到您的反馈后我们会第一时间为您处理。", "zh-CN"},
      {"我们客服不会向您索要验证码", "zh-CN"},
      {"温馨提示：我们客服不会向您索要验证码，请勿告诉任何人。", "zh-CN"},
      {"不知道您是否方便", "zh-TW"},
      {"第一時間為您處理", "zh-TW"},
      {"我們客服不會向您索要驗證碼", "zh-HK"},
      {"Sorry for the wait!", "en"},
      {"The USB-C cable fits the XL case; HDMI and LED versions ship from the UK.", "en"},
      {"We will never ask for your password or verification code.", "en"},
      {"Thanks for waiting! Your order A-1042 shipped today and should arrive on Friday.", "en"},
      {"亲，这款有XL和XXL码，USB接口，支持HDMI。", "zh-CN"},
  };
  for (const auto& c : cases) {
    ToneContext ctx;
    ctx.locale = parse_locale(c.locale);
    auto r = engine().check_tone(c.text, ctx);
    EXPECT_TRUE(r.findings.empty()) << c.text << " → " << describe(r);
    EXPECT_EQ(r.score, 100) << c.text;
  }
}

TEST(ToneRules, NegatedOrWarningMentionsAreNotViolations) {
  ToneContext zh;
  zh.locale = Locale::zh_CN;
  for (const char* t : {"请勿私下交易，平台下单更有保障。", "本店不存在好评返现，感谢您的真实评价。", "本品不能替代药物治疗。",
                        "谨防诈骗：请勿向任何人提供验证码。"}) {
    auto r = engine().check_tone(t, zh);
    for (const auto& f : r.findings)
      EXPECT_NE(f.category, ToneCategory::compliance) << t << " → " << describe(r);
    for (const auto& f : r.findings) EXPECT_NE(f.category, ToneCategory::privacy) << t << " → " << describe(r);
  }
  ToneContext en;
  en.locale = Locale::en;
  for (const char* t : {"Please never pay outside the platform.", "We will never ask you for your password.",
                        "This tea is not a medicine and does not treat any condition."}) {
    auto r = engine().check_tone(t, en);
    for (const auto& f : r.findings) EXPECT_NE(f.severity, Severity::error) << t << " → " << describe(r);
  }
}

TEST(ToneRules, EachCategoryFiresOnATypicalDraft) {
  struct Case {
    const char* text;
    Locale locale;
    ToneCategory category;
  };
  const Case cases[] = {
      {"不知道，你自己看吧", Locale::zh_CN, ToneCategory::cold},
      {"我已经说过了，不包邮", Locale::zh_CN, ToneCategory::impatience},
      {"是你自己没看清楚尺码", Locale::zh_CN, ToneCategory::blame},
      {"不可能，我们都检查过", Locale::zh_CN, ToneCategory::argue},
      {"可能吧，大概三天", Locale::zh_CN, ToneCategory::vague},
      {"等着", Locale::zh_CN, ToneCategory::politeness},
      {"都说了不包邮！！！", Locale::zh_CN, ToneCategory::shouting},
      {"呵呵", Locale::zh_CN, ToneCategory::hostile},
      {"全网最好的面膜，加微信便宜", Locale::zh_CN, ToneCategory::compliance},
      {"好评返现5元", Locale::zh_CN, ToneCategory::compliance},
      {"把验证码发我一下", Locale::zh_CN, ToneCategory::privacy},
      {"No idea.", Locale::en, ToneCategory::cold},
      {"As I already said, no.", Locale::en, ToneCategory::impatience},
      {"You should have read the size chart.", Locale::en, ToneCategory::blame},
      {"That's wrong.", Locale::en, ToneCategory::argue},
      {"I guess it fits.", Locale::en, ToneCategory::vague},
      {"Wait.", Locale::en, ToneCategory::politeness},
      {"We DO NOT ship on Sundays", Locale::en, ToneCategory::shouting},
      {"That is a stupid question.", Locale::en, ToneCategory::hostile},
      {"Best in the world!", Locale::en, ToneCategory::compliance},
      {"Pay me on WhatsApp.", Locale::en, ToneCategory::compliance},
      {"What's your password?", Locale::en, ToneCategory::privacy},
  };
  for (const auto& c : cases) {
    ToneContext ctx;
    ctx.locale = c.locale;
    auto r = engine().check_tone(c.text, ctx);
    bool found = false;
    for (const auto& f : r.findings) found |= f.category == c.category;
    EXPECT_TRUE(found) << c.text << " should have a " << to_string(c.category) << " finding: " << describe(r);
    EXPECT_LT(r.score, 100) << c.text;
  }
}

TEST(ToneRules, MalformedRuleFilesAreReportedAtFileAndLine) {
  ChineseConverters chinese;
  auto files = read_tone_path(std::string(KEFU_SOURCE_DIR) + "/tests/data/tone/bad_rules.yaml");
  auto diags = lint_tone(bundled_tone_files(), files, chinese);
  ASSERT_GE(diags.size(), 2u);
  EXPECT_NE(diags[0].file.find("bad_rules.yaml"), std::string::npos);
  bool category = false, field = false;
  for (const auto& d : diags) {
    category |= d.line == 5 && d.message.find("category") != std::string::npos;
    field |= d.line == 12 && d.message.find("colour") != std::string::npos;
  }
  EXPECT_TRUE(category) << diags[0].to_string();
  EXPECT_TRUE(field);

  auto problems = [&](const std::string& yaml) {
    return lint_tone(bundled_tone_files(), {{"shop.yaml", yaml}}, chinese);
  };
  auto d = problems("locale: zh-CN\nrules:\n  - id: x.y\n    category: cold\n    severity: loud\n");
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d[0].file, "shop.yaml");
  EXPECT_EQ(d[0].line, 5);
  d = problems("locale: zh-CN\nrules: [\n");  // YAML syntax
  ASSERT_FALSE(d.empty());
  EXPECT_NE(d[0].message.find("YAML"), std::string::npos);
  d = problems("locale: zh-CN\noverrides:\n  no.such_rule: {enabled: false}\n");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].line, 3);
  d = problems(
      "locale: en\nrules:\n  - id: shop.bad_regex\n    category: cold\n    severity: info\n    message: m\n"
      "    regex: ['(unclosed']\n    examples: {fire: [a], pass: [b]}\n");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].file, "shop.yaml");
  EXPECT_EQ(d[0].line, 3);
  d = problems("locale: en\nrules:\n  - id: shop.no_examples\n    category: cold\n    severity: info\n    message: m\n"
               "    phrases: [meh]\n");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d[0].message.find("examples"), std::string::npos);
  d = problems("locale: en\nrules:\n  - id: shop.wrong_example\n    category: cold\n    severity: info\n    message: m\n"
               "    phrases: [meh]\n    examples:\n      fire: [fine]\n      pass: [ok]\n");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].line, 9);  // the example that should fire
  d = problems("locale: klingon\n");
  ASSERT_EQ(d.size(), 1u);
  d = problems("locale: en\nrules:\n  - id: cold.dont_know\n    category: cold\n    severity: info\n    message: m\n"
               "    phrases: [meh]\n    examples: {fire: [meh], pass: [ok]}\n");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d[0].message.find("duplicate"), std::string::npos);
}

TEST(ToneRules, EngineRejectsBadOverridesWithFileAndLine) {
  EngineOptions o;
  o.tone_overrides = std::string(KEFU_SOURCE_DIR) + "/tests/data/tone/bad_rules.yaml";
  try {
    Engine e(o);
    FAIL() << "no error";
  } catch (const Error& err) {
    EXPECT_EQ(err.code(), ErrorCode::parse);
    EXPECT_NE(std::string(err.what()).find("bad_rules.yaml:5"), std::string::npos) << err.what();
  }
  o.tone_overrides = "/no/such/tone/rules";
  try {
    Engine e(o);
    FAIL() << "no error";
  } catch (const Error& err) {
    EXPECT_EQ(err.code(), ErrorCode::io);
  }
}
