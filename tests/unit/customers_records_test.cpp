// Customer store: notes, orders, consultations, survey answers and the profile card.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "customers_test_util.hpp"
#include "kefu/customer_json.hpp"
#include "kefu/error.hpp"

using namespace kefu;
using kefu::test::fields;
using kefu::test::TempDir;

namespace {
constexpr Timestamp kDay = 86400;
const Timestamp kNow = static_cast<Timestamp>(std::time(nullptr));
}  // namespace

TEST(CustomerRecords, ProfileCardShowsTheWholePicture) {
  TempDir dir;
  auto store = open_customer_store(dir.file("p.db"));
  CustomerFields f = fields("王芳", {"taobao:wangfang88"}, {"13800138000"});
  f.title = "女士";
  f.tags = std::vector<std::string>{"vip", "quality_seeking"};
  CustomerId id = store->upsert(f);

  Purchase p1;
  p1.order_id = "T1";
  p1.items = {"碎花连衣裙"};
  p1.amount = 299;
  p1.currency = "CNY";
  p1.time = kNow - 40 * kDay;
  store->add_purchase(id, p1);
  Purchase p2 = p1;
  p2.order_id = "T2";
  p2.items = {"真丝衬衫", "丝巾"};
  p2.time = kNow - 10 * kDay;
  p2.status = "delivered";
  store->add_purchase(id, p2);
  store->add_purchase(id, p2);  // the same order again changes nothing

  Consultation ok;
  ok.intent = Intent::sizing;
  ok.summary = "问尺码";
  ok.satisfaction = 5;
  ok.time = kNow - 30 * kDay;
  store->add_consultation(id, ok);
  Consultation complaint;
  complaint.intent = Intent::quality_complaint;
  complaint.summary = "衬衫起球";
  complaint.satisfaction = 2;
  complaint.resolved = false;
  complaint.time = kNow - 2 * kDay;
  store->add_consultation(id, complaint);
  SurveyAnswer s;
  s.survey = "回访";
  s.question = "满意度";
  s.answer = "一般";
  s.score = 3;
  s.time = kNow - 20 * kDay;
  store->add_survey_answer(id, s);
  store->add_note(id, {"喜欢蓝色", "小美", true});
  store->add_note(id, {"穿M码", "小美"});

  ProfileCard card = store->profile(id);
  EXPECT_EQ(card.customer.name, "王芳");
  EXPECT_EQ(card.types, std::vector<CustomerType>{CustomerType::quality_seeking});
  EXPECT_EQ(card.purchase_count, 2u);
  ASSERT_TRUE(card.last_purchase);
  EXPECT_EQ(card.last_purchase->order_id, "T2");
  EXPECT_EQ(card.last_purchase->items.front(), "真丝衬衫");
  ASSERT_EQ(card.open_problems.size(), 1u);
  EXPECT_EQ(card.open_problems[0].summary, "衬衫起球");
  ASSERT_TRUE(card.last_complaint);
  EXPECT_EQ(card.last_complaint->intent, Intent::quality_complaint);
  EXPECT_EQ(card.satisfaction, (std::vector<int>{5, 3, 2}));  // oldest first
  EXPECT_EQ(card.satisfaction_trend, "down");
  ASSERT_EQ(card.pinned_notes.size(), 1u);
  EXPECT_EQ(card.pinned_notes[0].text, "喜欢蓝色");
  ASSERT_EQ(card.recent_notes.size(), 1u);
  EXPECT_EQ(card.recent_notes[0].author, "小美");
  // A recent complaint not followed by a purchase: at risk, follow up with the complaint flow.
  ASSERT_EQ(card.reminders.size(), 1u);
  EXPECT_EQ(card.reminders[0].kind, CareKind::churn_risk);
  EXPECT_EQ(card.reminders[0].reason, "recent_complaint");

  auto j = nlohmann::json::parse(profile_to_json(card));
  EXPECT_EQ(j["id"], id);
  EXPECT_EQ(j["last_purchase"]["order_id"], "T2");
  EXPECT_EQ(j["satisfaction"]["trend"], "down");
  EXPECT_EQ(j["reminders"][0]["kind"], "churn_risk");
  EXPECT_THROW(store->profile(9999), Error);
}

// The card's scores: the latest five of consultations and survey answers together, oldest first.
TEST(CustomerRecords, ProfileCardScoresInterleaveConsultationsAndSurveys) {
  TempDir dir;
  auto store = open_customer_store(dir.file("scores.db"));
  CustomerId id = store->upsert(fields("李雷", {"taobao:lilei"}));
  for (int day = 8; day >= 1; --day) {  // scores 1..8 from eight days ago to yesterday
    int score = 9 - day;
    if (day % 2) {
      Consultation v;
      v.intent = Intent::sizing;
      v.satisfaction = score > 5 ? score - 3 : score;
      v.time = kNow - day * kDay;
      store->add_consultation(id, v);
    } else {
      SurveyAnswer a;
      a.survey = "回访";
      a.question = "满意度 " + std::to_string(day);
      a.score = score > 5 ? score - 3 : score;
      a.time = kNow - day * kDay;
      store->add_survey_answer(id, a);
    }
  }
  // Days 5..1 give scores 4, 5, 3, 4, 5 (6, 7, 8 less 3), alternately from surveys and consultations.
  EXPECT_EQ(store->profile(id).satisfaction, (std::vector<int>{4, 5, 3, 4, 5}));
}

TEST(CustomerRecords, OrdersAreKeyedByOrderIdAndChecked) {
  TempDir dir;
  auto store = open_customer_store(dir.file("o.db"));
  CustomerId a = store->upsert(fields("A", {"t:a"})), b = store->upsert(fields("B", {"t:b"}));
  Purchase p;
  p.order_id = "X1";
  p.items = {"杯子"};
  p.time = kNow - kDay;
  store->add_purchase(a, p);
  p.status = "refunded";
  store->add_purchase(a, p);
  ASSERT_EQ(store->purchases(a).size(), 1u);
  EXPECT_EQ(store->purchases(a)[0].status, "refunded");
  store->add_purchase(b, p);  // an order id moves with its customer
  EXPECT_TRUE(store->purchases(a).empty());
  EXPECT_EQ(store->purchases(b).size(), 1u);
  EXPECT_EQ(store->profile(a).purchase_count, 0u);
  Purchase bad;
  EXPECT_THROW(store->add_purchase(a, bad), Error);  // no order id
  Consultation v;
  v.satisfaction = 9;
  EXPECT_THROW(store->add_consultation(a, v), Error);
  SurveyAnswer s;
  EXPECT_THROW(store->add_survey_answer(a, s), Error);
}

TEST(CustomerRecords, NotesPinAndList) {
  TempDir dir;
  auto store = open_customer_store(dir.file("n.db"));
  CustomerId a = store->upsert(fields("A", {"t:a"}));
  NewNote older{"first"};
  older.created_at = kNow - 100;
  auto n1 = store->add_note(a, older);
  auto n2 = store->add_note(a, {"second"});
  auto notes = store->notes(a);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0].id, n2.id);  // newest first
  store->set_note_pinned(n1.id, true);
  EXPECT_TRUE(store->notes(a)[1].pinned);
  EXPECT_THROW(store->set_note_pinned(9999, true), Error);
  EXPECT_EQ(store->note_count(), 2u);
}
