// Message analysis: intent, emotion, stage and topics on the bundled lexicons and packs, and the
// lexicon format's errors. The messages here are written for these tests (not taken from the
// evaluation sets in tests/eval/data).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "kefu/analysis.hpp"
#include "kefu/chinese.hpp"
#include "kefu/engine.hpp"
#include "kefu/error.hpp"
#include "kefu/template_library.hpp"

using namespace kefu;

namespace {

const Engine& engine() {
  static Engine e;
  return e;
}

Analysis zh(std::string_view text) { return engine().analyze(text, Locale::zh_CN); }
Analysis tw(std::string_view text) { return engine().analyze(text, Locale::zh_TW); }
Analysis hk(std::string_view text) { return engine().analyze(text, Locale::zh_HK); }
Analysis en(std::string_view text) { return engine().analyze(text, Locale::en); }

bool has_cue(const Analysis& a, std::string_view prefix) {
  return std::any_of(a.cues.begin(), a.cues.end(), [&](const std::string& c) { return c.rfind(prefix, 0) == 0; });
}
bool has_topic(const Analysis& a, std::string_view topic) {
  return std::find(a.topics.begin(), a.topics.end(), topic) != a.topics.end();
}

#define EXPECT_INTENT(analysis, name) EXPECT_EQ(to_string((analysis).intent), name)

}  // namespace

// ---- negation and focus ----

TEST(Analysis, NegatedReturnWithFocusOnWashing) {
  auto a = zh("不是要退货，就问下怎么洗");
  EXPECT_INTENT(a, "product_info");
  EXPECT_TRUE(has_cue(a, "return_exchange:not:")) << "the return cue is read as negated";
  EXPECT_EQ(a.stage, Stage::pre_sale);
}

TEST(Analysis, NoRefundButExchangeSize) {
  auto a = zh("不退了，帮我换个码");
  EXPECT_INTENT(a, "return_exchange");
  EXPECT_EQ(a.stage, Stage::post_sale);
}

TEST(Analysis, NotBargainingJustAskingForCoupons) {
  EXPECT_INTENT(zh("不是要砍价啊，就想问问有没有优惠券可以领"), "promotion");
}

TEST(Analysis, QuestionFormIsNotNegation) {
  // 是不是 / 要不要 contain 不是 / 不要 but ask a question.
  auto a = zh("这件是不是偏小一码？");
  EXPECT_INTENT(a, "sizing");
  EXPECT_FALSE(has_cue(a, "sizing:not:"));
}

TEST(Analysis, EnglishNegationAndFocus) {
  EXPECT_INTENT(en("I don't want to return it, I just want to know how to wash it"), "product_info");
  EXPECT_INTENT(en("Not asking for a refund, my question is whether you have it in blue"), "stock");
}

// ---- clause weighting: the ask carries the intent, background counts less ----

TEST(Analysis, RequestOutweighsBackground) {
  EXPECT_INTENT(zh("东西一直没到，帮我退款吧"), "refund");
  EXPECT_INTENT(zh("下周要去旅游，鞋子什么时候能发货？"), "shipping");
  EXPECT_INTENT(zh("快递等了一周都没动静，直接给我取消订单！"), "order_cancel");
  EXPECT_INTENT(en("I bought it as a gift last month, but how do I get an invoice for it?"), "invoice");
}

// ---- scripts and forms ----

TEST(Analysis, TraditionalChinese) {
  auto a = tw("請問這件外套還有M號的現貨嗎");
  EXPECT_INTENT(a, "stock");
  EXPECT_EQ(a.locale, Locale::zh_TW);
  EXPECT_INTENT(tw("我要退貨，要寄回哪裡？"), "return_exchange");
  EXPECT_INTENT(hk("幾時發貨呀？等緊用"), "shipping");
  EXPECT_INTENT(tw("發票可以打統編嗎"), "invoice");
}

TEST(Analysis, TaiwanShoppingWords) {
  EXPECT_INTENT(tw("可以超商取貨嗎？"), "shipping");
  EXPECT_INTENT(tw("老闆可以議價嗎"), "price_bargain");
}

TEST(Analysis, FullWidthFormsAreFolded) {
  EXPECT_INTENT(zh("ＸＬ码还有货吗？"), "stock");
  EXPECT_INTENT(zh("身高１７０ｃｍ，体重６５ｋｇ穿什么码"), "sizing");
  EXPECT_INTENT(en("ＷＨＥＲＥ ＩＳ ＭＹ ＯＲＤＥＲ"), "shipping");
}

TEST(Analysis, Emoji) {
  auto happy = zh("衣服收到了，超喜欢😍😍");
  EXPECT_INTENT(happy, "feedback");
  EXPECT_EQ(happy.emotion, Emotion::positive);
  auto mad = zh("拍了五天还不发货😡😡");
  EXPECT_INTENT(mad, "shipping");
  EXPECT_EQ(mad.emotion, Emotion::angry);
  EXPECT_INTENT(zh("👋在吗"), "greeting");
}

TEST(Analysis, TyposAndChatSpelling) {
  EXPECT_INTENT(zh("花贝能分期吗"), "payment");
  EXPECT_INTENT(zh("这件毛衣容易起求不"), "product_info");
  EXPECT_INTENT(zh("肿么还没发货啊"), "shipping");
  EXPECT_INTENT(en("how do i cancle my order"), "order_cancel");
  EXPECT_INTENT(en("i never recieved my pakage"), "shipping");
  // Misspelt cue words one edit away from a single cue word are repaired; known words are kept.
  EXPECT_INTENT(en("my refnud still hasn't come through"), "refund");
  EXPECT_INTENT(en("what is the termniation fee if I cancel"), "order_cancel");
  EXPECT_INTENT(en("please delete my acount"), "other");
}

TEST(Analysis, EnglishIntents) {
  EXPECT_INTENT(en("Do these boots run small? I'm usually a 9"), "sizing");
  EXPECT_INTENT(en("Can you do $30 for it?"), "price_bargain");
  EXPECT_INTENT(en("I'd like to change the delivery address on my order"), "address_change");
  EXPECT_INTENT(en("You sent me a medium but I ordered a large"), "wrong_item");
  EXPECT_INTENT(en("How do I unsubscribe from the newsletter?"), "other");
  EXPECT_INTENT(en("thanks, that's all!"), "thanks_bye");
}

TEST(Analysis, ChineseTextIsReadWithTheChineseModelWhateverTheLocale) {
  auto a = engine().analyze("退款什么时候到账", Locale::en);
  EXPECT_INTENT(a, "refund");
  EXPECT_EQ(a.locale, Locale::en) << "the locale stays the caller's: it picks the reply language";
}

// ---- emotion, stage, topics, scores ----

TEST(Analysis, Emotions) {
  auto angry = zh("你们客服什么态度！！我要投诉");
  EXPECT_INTENT(angry, "service_complaint");
  EXPECT_EQ(angry.emotion, Emotion::angry);
  EXPECT_EQ(zh("谢谢，收到了很满意").emotion, Emotion::positive);
  EXPECT_EQ(zh("这个几天能发货").emotion, Emotion::neutral);
  EXPECT_EQ(zh("鞋子开胶了").emotion, Emotion::negative) << "a complaint is at least negative";
  EXPECT_EQ(en("This is ridiculous, I was charged twice!!!").emotion, Emotion::angry);
  EXPECT_EQ(en("What sizes do you have?").emotion, Emotion::neutral);
  EXPECT_EQ(en("Love it, thank you so much!").emotion, Emotion::positive);
}

TEST(Analysis, QuestionsAreNotComplaints) {
  // Before a purchase "质量好吗" asks about quality; "值不值" asks, it does not say "不值".
  auto q = zh("质量好吗");
  EXPECT_INTENT(q, "product_info");
  EXPECT_EQ(q.emotion, Emotion::neutral);
  EXPECT_EQ(zh("这个值不值这个价").emotion, Emotion::neutral);
  EXPECT_NE(zh("不喜欢").emotion, Emotion::positive);
  EXPECT_INTENT(zh("掉色吗"), "product_info");
  EXPECT_INTENT(zh("掉色了"), "quality_complaint");
}

TEST(Analysis, StageFollowsIntent) {
  EXPECT_EQ(zh("能便宜点吗").stage, Stage::pre_sale);
  EXPECT_EQ(zh("付款一直失败怎么办").stage, Stage::in_sale);
  EXPECT_EQ(zh("退款什么时候到账").stage, Stage::post_sale);
}

TEST(Analysis, Topics) {
  EXPECT_TRUE(has_topic(zh("显示签收了但是我没拿到"), "lost_parcel"));
  EXPECT_TRUE(has_topic(tw("包裹一個禮拜了還沒到"), "delay"));
  EXPECT_TRUE(has_topic(en("Tracking says delivered but there's nothing here"), "lost_parcel"));
  EXPECT_TRUE(zh("你好").topics.empty());
}

TEST(Analysis, ScoresAreADistribution) {
  auto a = zh("这个颜色还有吗");
  ASSERT_EQ(a.intents.size(), kIntentCount);
  double sum = 0;
  for (std::size_t i = 0; i < a.intents.size(); ++i) {
    sum += a.intents[i].score;
    if (i) EXPECT_GE(a.intents[i - 1].score, a.intents[i].score);
  }
  EXPECT_NEAR(sum, 1.0, 1e-6);
  EXPECT_EQ(a.intent, a.intents.front().intent);
  EXPECT_DOUBLE_EQ(a.confidence, a.intents.front().score);
}

TEST(Analysis, NoisyInputStillAnalyses) {
  // Numbers and emoji only: no cue, no crash, a valid distribution.
  auto a = zh("😂😂😂 123");
  EXPECT_FALSE(a.intents.empty());
  EXPECT_THROW(engine().analyze("", Locale::zh_CN), Error);
  EXPECT_THROW(engine().analyze(std::string("\xff\xfe", 2), Locale::zh_CN), Error);
}

// ---- the lexicon format ----

namespace {
Analysis with_lexicon(const std::string& yaml, std::string_view text) {
  Analyzer an({{"test.yaml", yaml}}, engine().templates(), engine().chinese());
  return an.analyze(text, Locale::zh_CN);
}
}  // namespace

TEST(LexiconFormat, ProximityCues) {
  const std::string lex =
      "locale: zh-CN\n"
      "intents:\n"
      "  refund: {\"钱|款 ~3 退|到账\": 4}\n";
  EXPECT_TRUE(has_cue(with_lexicon(lex, "钱还没退"), "refund:"));
  EXPECT_TRUE(has_cue(with_lexicon(lex, "款到账了吗"), "refund:"));
  EXPECT_FALSE(has_cue(with_lexicon(lex, "钱包的颜色很好看也不想退"), "refund:")) << "too far apart";
  EXPECT_FALSE(has_cue(with_lexicon(lex, "钱，退"), "refund:")) << "not across a clause break";
}

TEST(LexiconFormat, LongestMatchWins) {
  const std::string lex =
      "locale: zh-CN\n"
      "intents:\n"
      "  refund: {退款: 3}\n"
      "  shipping: {退款进度: 4}\n";
  auto a = with_lexicon(lex, "退款进度怎么查");
  EXPECT_TRUE(has_cue(a, "shipping:"));
  EXPECT_FALSE(has_cue(a, "refund:")) << "a cue inside a longer cue is dropped";
}

TEST(LexiconFormat, ErrorsNameFileAndLine) {
  auto fails_with = [](const std::string& yaml, const std::string& where) {
    try {
      Analyzer an({{"bad.yaml", yaml}}, engine().templates(), engine().chinese());
      ADD_FAILURE() << "no error for:\n" << yaml;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::parse);
      EXPECT_NE(std::string(e.what()).find(where), std::string::npos) << e.what();
    }
  };
  fails_with("locale: zh-CN\nintents:\n  nonsense: {a: 1}\n", "bad.yaml:3");
  fails_with("locale: zh-CN\nintents:\n  refund:\n    退款: lots\n", "bad.yaml:4");
  fails_with("locale: zh-CN\nsettings:\n  speed: 3\n", "bad.yaml:3");
  fails_with("locale: zh-CN\nfocus:\n  就问: 0\n", "bad.yaml:3");
  fails_with("locale: zh-CN\ntopics:\n  Delay!: {还没到: 1}\n", "bad.yaml:3");
  fails_with("locale: zh-CN\nintents:\n  refund:\n    \"钱 ~3 \": 2\n", "bad.yaml:4");
  fails_with("locale: zh-CN\nintents:\n  refund:\n    \"re:退(款\": 2\n", "bad.yaml:4");
  fails_with("locale: xx\n", "bad.yaml:1");
  fails_with("locale: zh-CN\nintents: [\n", "bad.yaml:");
}

TEST(LexiconFormat, CompiledLexiconsAnalyseLikeTheirYaml) {
  const std::vector<std::pair<std::string, std::string>> files{
      {"zh.yaml",
       "locale: zh-CN\n"
       "settings: {cue_scale: 1.2, temperature: 0.9}\n"
       "negations: {不是: 4}\n"
       "topics: {delay: {还没到: 1}}\n"
       "intents:\n"
       "  refund: {\"钱|款 ~3 退|到账\": 4, 退款: 3}\n"
       "  shipping: {快递: 3}\n"},
      {"en.yaml", "locale: en\nintents:\n  refund: {money back: 3}\n"}};
  const std::string blob = Analyzer::compile_lexicons(files);
  Analyzer from_yaml(files, engine().templates(), engine().chinese());
  Analyzer from_blob({{"lexicons.bin", blob}}, engine().templates(), engine().chinese());
  for (auto [text, locale] : {std::pair{"钱还没退，快递也还没到", Locale::zh_CN}, {"不是要退款，快递呢", Locale::zh_CN},
                              {"I want my money back", Locale::en}}) {
    Analysis a = from_yaml.analyze(text, locale), b = from_blob.analyze(text, locale);
    EXPECT_EQ(a.intent, b.intent) << text;
    EXPECT_EQ(a.cues, b.cues) << text;
    EXPECT_EQ(a.topics, b.topics) << text;
    EXPECT_DOUBLE_EQ(a.confidence, b.confidence) << text;
  }
  EXPECT_TRUE(has_cue(from_blob.analyze("钱还没退", Locale::zh_CN), "refund:"));
}

TEST(LexiconFormat, DamagedCompiledLexiconIsAClearError) {
  const std::string blob = Analyzer::compile_lexicons({{"zh.yaml", "locale: zh-CN\nintents:\n  refund: {退款: 3}\n"}});
  for (std::size_t cut : {blob.size() - 1, blob.size() / 2, std::size_t{12}}) {
    try {
      Analyzer an({{"lexicons.bin", blob.substr(0, cut)}}, engine().templates(), engine().chinese());
      ADD_FAILURE() << "no error for a blob cut at " << cut;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::parse);
      EXPECT_NE(std::string(e.what()).find("lexicons.bin"), std::string::npos) << e.what();
    }
  }
}
