// Suggestion ranking on the bundled packs: what an agent should see first. The messages are
// written for these tests (not taken from the evaluation sets in tests/eval/data).
#include <gtest/gtest.h>

#include <algorithm>

#include "kefu/engine.hpp"
#include "kefu/template_library.hpp"

using namespace kefu;

namespace {

const Engine& engine() {
  static Engine e;
  return e;
}

SuggestResult suggest(std::string_view text, Locale locale, std::vector<CustomerType> types = {},
                      std::size_t limit = 3) {
  SuggestRequest req;
  req.locale = locale;
  req.limit = limit;
  req.customer.types = std::move(types);
  return engine().suggest(text, req);
}

const Template& tmpl(const Suggestion& s) {
  const Template* t = engine().templates().find(s.template_id, Locale::zh_CN);
  EXPECT_NE(t, nullptr) << s.template_id;
  return *t;
}

bool has_tag(const Suggestion& s, std::string_view tag) {
  return std::find(s.tags.begin(), s.tags.end(), tag) != s.tags.end();
}

bool for_type(const Suggestion& s, CustomerType type) {
  const auto& types = tmpl(s).customer_types;
  return std::find(types.begin(), types.end(), type) != types.end();
}

// Written for an upset customer: the complaint flow, an apology, or a template for angry/negative moods.
bool complaint_flow(const Suggestion& s) {
  const Template& t = tmpl(s);
  return t.has_tag("complaint_flow") || t.has_tag("apology") ||
         std::find(t.emotions.begin(), t.emotions.end(), Emotion::angry) != t.emotions.end() ||
         std::find(t.emotions.begin(), t.emotions.end(), Emotion::negative) != t.emotions.end();
}

std::string ids(const SuggestResult& r) {
  std::string out;
  for (const auto& s : r.suggestions) out += s.template_id + " ";
  return out;
}

}  // namespace

TEST(Ranking, DelayedParcelGetsApologyAndLogisticsCheck) {
  for (auto text : {"我的包裹怎麼還沒到？都一個禮拜了！！！", "快递都五天了还没到，到底怎么回事？！"}) {
    auto r = suggest(text, Locale::zh_TW);
    ASSERT_EQ(r.suggestions.size(), 3u);
    EXPECT_EQ(r.analysis.intent, Intent::shipping) << text;
    const Suggestion& top = r.suggestions.front();
    EXPECT_TRUE(has_tag(top, "delay")) << text << " → " << ids(r);
    EXPECT_NE(top.text.find("抱歉"), std::string::npos) << "apologises: " << top.text;
    EXPECT_TRUE(top.text.find("快遞") != std::string::npos || top.text.find("物流") != std::string::npos)
        << "checks the logistics: " << top.text;
    for (const auto& s : r.suggestions)
      EXPECT_FALSE(has_tag(s, "split_package")) << "not about split parcels: " << ids(r);
  }
}

TEST(Ranking, AngryCustomerGetsTheComplaintFlowFirst) {
  struct Case {
    const char* text;
    Locale locale;
  };
  for (auto c : {Case{"衣服穿一次就开线了，什么破质量！！你们怎么卖这种东西", Locale::zh_CN},
                 Case{"等了半天没人理，你们客服到底在干嘛！！", Locale::zh_CN},
                 Case{"This is ridiculous, the kettle stopped working after two days!!!", Locale::en},
                 Case{"Nobody has answered my emails for a week, this is unacceptable!!", Locale::en}}) {
    auto r = suggest(c.text, c.locale);
    EXPECT_EQ(r.analysis.emotion, Emotion::angry) << c.text;
    ASSERT_FALSE(r.suggestions.empty());
    EXPECT_TRUE(tmpl(r.suggestions.front()).has_tag("complaint_flow")) << c.text << " → " << ids(r);
    EXPECT_TRUE(is_complaint(r.suggestions.front().intent)) << c.text << " → " << ids(r);
  }
}

TEST(Ranking, AngerPutsApologeticRepliesAheadWithinTheSameIntent) {
  auto calm = suggest("我的快递到哪了", Locale::zh_CN);
  auto upset = suggest("我的快递到底到哪了？！！等了一个星期了", Locale::zh_CN);
  ASSERT_FALSE(calm.suggestions.empty());
  ASSERT_FALSE(upset.suggestions.empty());
  EXPECT_EQ(calm.suggestions.front().intent, Intent::shipping);
  EXPECT_FALSE(complaint_flow(calm.suggestions.front())) << "a calm question gets a plain answer: " << ids(calm);
  EXPECT_EQ(upset.suggestions.front().intent, Intent::shipping);
  EXPECT_TRUE(complaint_flow(upset.suggestions.front())) << ids(upset);
}

TEST(Ranking, PriceSensitiveBargainerGetsTheValueScript) {
  // Price objection: the five-step value-for-money answer.
  auto r = suggest("太贵了，不值这个价吧", Locale::zh_CN, {CustomerType::price_sensitive});
  ASSERT_FALSE(r.suggestions.empty());
  EXPECT_TRUE(has_tag(r.suggestions.front(), "value")) << ids(r);
  EXPECT_TRUE(for_type(r.suggestions.front(), CustomerType::price_sensitive)) << ids(r);

  // Plain bargaining: a price-sensitive script first, and a value script among the top three.
  auto b = suggest("能便宜点吗老板", Locale::zh_CN, {CustomerType::price_sensitive});
  ASSERT_EQ(b.suggestions.size(), 3u);
  EXPECT_EQ(b.analysis.intent, Intent::price_bargain);
  EXPECT_TRUE(for_type(b.suggestions.front(), CustomerType::price_sensitive)) << ids(b);
  EXPECT_TRUE(std::any_of(b.suggestions.begin(), b.suggestions.end(), [](const auto& s) { return has_tag(s, "value"); }))
      << ids(b);

  auto e = suggest("Can you give me a discount on this?", Locale::en, {CustomerType::price_sensitive});
  ASSERT_FALSE(e.suggestions.empty());
  EXPECT_TRUE(has_tag(e.suggestions.front(), "value")) << ids(e);
  EXPECT_TRUE(for_type(e.suggestions.front(), CustomerType::price_sensitive)) << ids(e);
}

TEST(Ranking, CustomerTypeSteersTheScript) {
  auto quality = suggest("这个做工怎么样", Locale::zh_CN, {CustomerType::quality_seeking});
  ASSERT_FALSE(quality.suggestions.empty());
  EXPECT_TRUE(for_type(quality.suggestions.front(), CustomerType::quality_seeking)) << ids(quality);

  auto beauty = suggest("孕妇可以用这个精华吗", Locale::zh_CN, {CustomerType::health_beauty});
  ASSERT_FALSE(beauty.suggestions.empty());
  EXPECT_TRUE(for_type(beauty.suggestions.front(), CustomerType::health_beauty)) << ids(beauty);

  // The same question, different customers, different first script.
  auto value = suggest("这个值不值这个价", Locale::zh_CN, {CustomerType::price_sensitive});
  auto worth = suggest("这个值不值这个价", Locale::zh_CN, {CustomerType::quality_seeking});
  ASSERT_FALSE(value.suggestions.empty());
  ASSERT_FALSE(worth.suggestions.empty());
  EXPECT_TRUE(for_type(value.suggestions.front(), CustomerType::price_sensitive)) << ids(value);
  EXPECT_NE(value.suggestions.front().template_id, worth.suggestions.front().template_id);
}

TEST(Ranking, AnswersTheActualQuestion) {
  struct Case {
    const char* text;
    Locale locale;
    const char* template_id;
  };
  for (auto c : {Case{"不是要退货，就问下怎么洗", Locale::zh_CN, "product.washing"},
                 Case{"显示已经签收了，可是我根本没拿到", Locale::zh_CN, "shipping.signed_not_received"},
                 Case{"退款几天能到账啊", Locale::zh_CN, "after_sale.refund_when"},
                 Case{"發票可以開公司抬頭嗎", Locale::zh_TW, "order.invoice_company"},
                 Case{"Do you have a size chart for the trousers?", Locale::en, "product.size_chart"},
                 Case{"Where is my parcel? I'd like the tracking number", Locale::en, "shipping.tracking_info"},
                 Case{"Can I swap the colour on my order before it ships?", Locale::en, "order.change_item"}}) {
    auto r = suggest(c.text, c.locale);
    ASSERT_FALSE(r.suggestions.empty()) << c.text;
    EXPECT_EQ(r.suggestions.front().template_id, c.template_id) << c.text << " → " << ids(r);
  }
}

TEST(Ranking, ResultsAreOrderedRenderedAndLimited) {
  auto r = suggest("这件衣服有M码吗", Locale::zh_CN, {}, 5);
  ASSERT_EQ(r.suggestions.size(), 5u);
  for (std::size_t i = 0; i < r.suggestions.size(); ++i) {
    const auto& s = r.suggestions[i];
    EXPECT_GE(s.score, 0.0);
    EXPECT_LE(s.score, 1.0);
    if (i) EXPECT_GE(r.suggestions[i - 1].score, s.score);
    EXPECT_FALSE(s.text.empty());
    EXPECT_EQ(s.text.find("{{"), std::string::npos);
  }
  EXPECT_EQ(r.suggestions.front().intent, Intent::stock);
  // Traditional requests get the Traditional rendering of the same template.
  auto t = suggest("這件衣服有M碼嗎", Locale::zh_TW, {}, 1);
  ASSERT_EQ(t.suggestions.size(), 1u);
  EXPECT_EQ(t.suggestions.front().template_id, r.suggestions.front().template_id);
}
