// Tone checks: spans in code points, UTF-8 bytes and UTF-16 units of the ORIGINAL draft (emoji,
// Traditional input), context rules, detectors, overrides, the score, events and bad input.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kefu/engine.hpp"
#include "kefu/error.hpp"
#include "kefu/text.hpp"
#include "kefu/tone.hpp"

using namespace kefu;

namespace {

const Engine& engine() {
  static Engine e;
  return e;
}

ToneReport check(std::string_view text, Locale l, std::string customer = {}) {
  ToneContext ctx;
  ctx.locale = l;
  ctx.customer_message = std::move(customer);
  return engine().check_tone(text, ctx);
}

const Finding* find(const ToneReport& r, std::string_view rule) {
  for (const auto& f : r.findings)
    if (f.rule() == rule) return &f;
  return nullptr;
}

// UTF-16 length of a UTF-8 string.
std::size_t utf16_len(std::string_view s) {
  std::size_t n = 0;
  for (char32_t c : decode_utf8(s)) n += c > 0xFFFF ? 2 : 1;
  return n;
}

}  // namespace

TEST(ToneCheck, SpansInCodePointsBytesAndUtf16WithEmoji) {
  const std::string draft = "亲😀👍，不知道呢";
  auto r = check(draft, Locale::zh_CN);
  const Finding* f = find(r, "cold.dont_know");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->start, 4u);
  EXPECT_EQ(f->end, 7u);
  EXPECT_EQ(f->start_byte, 3u + 4 + 4 + 3);
  EXPECT_EQ(f->end_byte, f->start_byte + 9);
  EXPECT_EQ(f->start_utf16, 6u);
  EXPECT_EQ(f->end_utf16, 9u);
  EXPECT_EQ(f->text, "不知道");
  EXPECT_EQ(draft.substr(f->start_byte, f->end_byte - f->start_byte), f->text);
  EXPECT_EQ(f->start_utf16, utf16_len(draft.substr(0, f->start_byte)));
  ASSERT_FALSE(f->suggestions().empty());
  EXPECT_EQ(f->suggestions()[0], "我帮您查一下");
}

TEST(ToneCheck, TraditionalDraftsUseTheSameRulesWithOriginalSpansAndMessages) {
  const std::string draft = "🙂這是全網最好的，不知道，加我微信";
  for (Locale l : {Locale::zh_TW, Locale::zh_HK}) {
    auto r = check(draft, l);
    const Finding* best = find(r, "compliance.absolute");
    ASSERT_NE(best, nullptr);
    EXPECT_EQ(best->text, "最好");
    EXPECT_EQ(best->start, 5u);
    EXPECT_EQ(best->start_utf16, 6u);
    EXPECT_EQ(best->start_byte, 4u + 4 * 3);
    const Finding* wechat = find(r, "compliance.off_platform");
    ASSERT_NE(wechat, nullptr);
    EXPECT_EQ(wechat->text, "加我微信");
    // Messages and suggestions come in the draft's script.
    EXPECT_NE(find(r, "cold.dont_know")->suggestions()[0].find("幫"), std::string::npos);
    EXPECT_NE(best->message().find("廣告法"), std::string::npos) << best->message();
  }
  auto trad = check("這個不可能，你說的不對", Locale::zh_TW);
  auto simp = check("这个不可能，你说的不对", Locale::zh_CN);
  ASSERT_EQ(trad.findings.size(), simp.findings.size());
  for (std::size_t i = 0; i < trad.findings.size(); ++i) {
    EXPECT_EQ(trad.findings[i].rule(), simp.findings[i].rule());
    EXPECT_EQ(trad.findings[i].start, simp.findings[i].start);
  }
  // Full-width forms fold too: ＱＱ号 and ！！！
  auto wide = check("亲，加ＱＱ号聊吧！！！", Locale::zh_CN);
  EXPECT_NE(find(wide, "compliance.off_platform"), nullptr);
  EXPECT_NE(find(wide, "shouting.repeated_punct"), nullptr);
  EXPECT_EQ(find(wide, "compliance.off_platform")->text, "加ＱＱ号");
}

TEST(ToneCheck, ApologyOnlyWhenTheCustomerIsUpset) {
  const char* draft = "您好，订单已经发出了，请耐心等待。";
  auto calm = check(draft, Locale::zh_CN, "请问什么时候发货？");
  EXPECT_EQ(find(calm, "apology.missing"), nullptr);
  ASSERT_TRUE(calm.customer_upset.has_value());
  EXPECT_FALSE(*calm.customer_upset);
  auto upset = check(draft, Locale::zh_CN, "东西都坏了，质量太差了，我要投诉！");
  EXPECT_NE(find(upset, "apology.missing"), nullptr);
  EXPECT_TRUE(*upset.customer_upset);
  EXPECT_LT(upset.score, calm.score);
  auto sorry = check("非常抱歉给您带来不好的体验，我们马上为您换新。", Locale::zh_CN, "东西都坏了，质量太差了，我要投诉！");
  EXPECT_EQ(find(sorry, "apology.missing"), nullptr);
  auto none = check(draft, Locale::zh_CN);
  EXPECT_FALSE(none.customer_upset.has_value());
  EXPECT_EQ(find(none, "apology.missing"), nullptr);
  // An analysis given directly is used as is.
  ToneContext ctx;
  ctx.locale = Locale::en;
  ctx.customer = engine().analyze("This is ridiculous, the zipper broke after one day!", Locale::en);
  EXPECT_NE(find(engine().check_tone("Your order was shipped on Monday.", ctx), "apology.missing"), nullptr);
  EXPECT_EQ(find(engine().check_tone("I'm so sorry about the zipper.", ctx), "apology.missing"), nullptr);
}

TEST(ToneCheck, Detectors) {
  // Luhn-valid card numbers only, not order numbers or phone numbers.
  EXPECT_NE(find(check("卡号 6222 0212 3456 7894", Locale::zh_CN), "privacy.bank_card"), nullptr);
  EXPECT_EQ(find(check("卡号 6222 0212 3456 7895", Locale::zh_CN), "privacy.bank_card"), nullptr);
  EXPECT_EQ(find(check("订单号 6222021234567894", Locale::zh_CN), "privacy.bank_card"), nullptr);
  EXPECT_EQ(find(check("电话 13800138000", Locale::zh_CN), "privacy.bank_card"), nullptr);
  // ID-card numbers with a valid checksum and date.
  EXPECT_NE(find(check("身份证11010519491231002X", Locale::zh_CN), "privacy.id_number"), nullptr);
  EXPECT_NE(find(check("身份证11010519491231002x", Locale::zh_CN), "privacy.id_number"), nullptr);
  EXPECT_EQ(find(check("身份证110105194912310021", Locale::zh_CN), "privacy.id_number"), nullptr);
  EXPECT_EQ(find(check("编号110105194913310028", Locale::zh_CN), "privacy.id_number"), nullptr);
  // Shouting: caps, but not product codes; !!! and ？？？ but not one "!".
  EXPECT_NE(find(check("We DO NOT refund.", Locale::en), "shouting.caps"), nullptr);
  EXPECT_EQ(find(check("Our USB and HDMI cables, size XL, model X200.", Locale::en), "shouting.caps"), nullptr);
  EXPECT_NE(find(check("你到底要哪个？？？", Locale::zh_CN), "shouting.repeated_punct"), nullptr);
  EXPECT_EQ(find(check("谢谢亲！", Locale::zh_CN), "shouting.repeated_punct"), nullptr);
  // URLs are not checked.
  EXPECT_TRUE(check("Thanks! Track it at https://example.com/BEST-IN-THE-WORLD/4111111111111111", Locale::en)
                  .findings.empty());
  // html channel: markup is not checked.
  ToneContext html;
  html.locale = Locale::en;
  html.channel = Channel::html;
  EXPECT_TRUE(engine().check_tone("Thanks! <SPAN CLASS=\"NOTE\">Your parcel is on its way.</SPAN>", html).findings.empty());
}

TEST(ToneCheck, ShoutingIsFoundAtEveryPositionAfterAnyText) {
  // The capitals may start at any byte, after ASCII or multi-byte text.
  for (std::string lead : {"", "x", "é", "中"}) {
    for (std::size_t k = 0; k < 20; ++k) {
      std::string prefix;
      for (std::size_t n = 0; n < k; ++n) prefix += lead.empty() ? "a" : lead;
      std::string draft = prefix + " we REFUSE that. Ok";
      const ToneReport report = check(draft, Locale::en);  // the finding lives in the report
      const Finding* f = find(report, "shouting.caps");
      ASSERT_NE(f, nullptr) << draft;
      EXPECT_EQ(f->text, "REFUSE") << draft;
      EXPECT_EQ(find(check(prefix + " we Refuse that. Ok", Locale::en), "shouting.caps"), nullptr) << draft;
    }
  }
}

TEST(ToneCheck, ScoreIsMonotoneInNumberAndSeverity) {
  EXPECT_EQ(tone_score({}), 100);
  Finding info, warning, error;
  info.severity = Severity::info;
  warning.severity = Severity::warning;
  error.severity = Severity::error;
  EXPECT_GT(tone_score({info}), tone_score({warning}));
  EXPECT_GT(tone_score({warning}), tone_score({error}));
  EXPECT_GT(tone_score({info}), tone_score({info, info}));
  EXPECT_GT(tone_score({warning, info}), tone_score({warning, info, error}));
  std::vector<Finding> many(200, error);
  EXPECT_GE(tone_score(many), 0);
  EXPECT_LE(tone_score({info}), 100);
  auto polite = check("亲，您好！请问有什么可以帮您？", Locale::zh_CN);
  auto rude = check("不知道，你自己看，滚！！！", Locale::zh_CN);
  EXPECT_EQ(polite.score, 100);
  EXPECT_LT(rude.score, 50);
  EXPECT_DOUBLE_EQ(rude.score, tone_score(rude.findings));
}

TEST(ToneCheck, ShopOverridesLayerOverTheBundledPacks) {
  EngineOptions o;
  o.tone_overrides = std::string(KEFU_SOURCE_DIR) + "/tests/data/tone/shop_overrides.yaml";
  Engine shop(o);
  ToneContext ctx;
  ctx.locale = Locale::zh_CN;
  auto r = shop.check_tone("不造，你去隔壁店看看吧，大概三天", ctx);
  const Finding* added = nullptr;
  for (const auto& f : r.findings) {
    if (f.rule() == "cold.dont_know") added = &f;
    EXPECT_NE(f.rule(), "politeness.ni") << "disabled rule fired";
    if (f.rule() == "vague.hedge") EXPECT_EQ(f.severity, Severity::info);
  }
  ASSERT_NE(added, nullptr);
  EXPECT_EQ(added->text, "不造");
  bool shop_rule = false;
  for (const auto& f : r.findings) shop_rule |= f.rule() == "shop.competitor";
  EXPECT_TRUE(shop_rule);
  // The bundled engine is unchanged.
  auto plain = engine().check_tone("不造，你去隔壁店看看吧，大概三天", ctx);
  EXPECT_NE(find(plain, "politeness.ni"), nullptr);
  EXPECT_EQ(find(plain, "shop.competitor"), nullptr);
  // Overrides pass lint, and the shop rule's own examples run.
  EXPECT_TRUE(shop.tone_checker().self_test().empty());
}

TEST(ToneCheck, BadInput) {
  auto code = [](std::string_view text) {
    try {
      check(text, Locale::zh_CN);
    } catch (const Error& e) {
      return e.code();
    }
    return ErrorCode::ok;
  };
  EXPECT_EQ(code("\xff\xfe"), ErrorCode::invalid_utf8);
  EXPECT_EQ(code("亲\xe4\xbd"), ErrorCode::invalid_utf8);
  EXPECT_EQ(code(""), ErrorCode::empty);
  EXPECT_EQ(code(" \t\n"), ErrorCode::empty);
  EXPECT_EQ(code(std::string(1 << 20, 'a')), ErrorCode::too_large);
  // The checker itself takes a 1 MB draft when allowed to.
  ToneChecker checker(bundled_tone_files(), {}, engine().chinese());
  std::string big;
  while (big.size() < (1u << 20) - 64) big += "亲，不知道，您好。Sorry!! ";
  ToneContext ctx;
  ctx.locale = Locale::zh_CN;
  auto r = checker.check(big, ctx, 1u << 20);
  EXPECT_GT(r.findings.size(), 1000u);
  EXPECT_LT(r.findings.back().end_byte, big.size() + 1);
  EXPECT_THROW(checker.check(big + big, ctx, 1u << 20), Error);
  // Customer message problems are reported too.
  ToneContext bad;
  bad.customer_message = "\xff";
  EXPECT_THROW(engine().check_tone("您好", bad), Error);
}

TEST(ToneCheck, FindingsOutliveTheirChecker) {
  std::vector<Finding> findings;
  {
    ToneChecker checker(bundled_tone_files(), {}, engine().chinese());
    ToneContext ctx;
    ctx.locale = Locale::zh_TW;
    findings = checker.check("不知道，你自己看吧", ctx).findings;
  }
  const Finding* f = nullptr;
  for (const auto& x : findings)
    if (x.rule() == "cold.dont_know") f = &x;
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->message().find("專業"), std::string::npos) << f->message();
  ASSERT_FALSE(f->suggestions().empty());
  EXPECT_EQ(f->suggestions()[0], "我幫您查一下");
  const Finding none;
  EXPECT_EQ(none.rule(), "");
  EXPECT_EQ(none.message(), "");
  EXPECT_TRUE(none.suggestions().empty());
}

TEST(ToneCheck, DraftCheckedEventCarriesTheReport) {
  Engine e;
  std::string payload;
  int n = 0;
  e.events().subscribe("draft_checked", [&](std::string_view, std::string_view json) {
    payload = std::string(json);
    ++n;
  });
  ToneContext ctx;
  ctx.locale = Locale::en;
  auto r = e.check_tone("No idea.", ctx);
  ASSERT_EQ(n, 1);
  auto j = nlohmann::json::parse(payload);
  EXPECT_EQ(j["score"].get<double>(), r.score);
  ASSERT_TRUE(j["findings"].is_array());
  ASSERT_FALSE(j["findings"].empty());
  for (const char* k : {"rule", "category", "severity", "start", "end", "start_byte", "end_byte", "start_utf16",
                        "end_utf16", "message", "suggestions"})
    EXPECT_TRUE(j["findings"][0].contains(k)) << k;
  EXPECT_EQ(j["locale"], "en");
  EXPECT_TRUE(j["customer_upset"].is_null());
  EXPECT_EQ(j["counts"]["cold"], 1);
}

TEST(ToneCheck, LocaleIsGuessedWhenNotGiven) {
  ToneContext ctx;
  EXPECT_EQ(engine().check_tone("No idea.", ctx).locale, Locale::en);
  EXPECT_EQ(engine().check_tone("不知道", ctx).locale, Locale::zh_CN);
}
