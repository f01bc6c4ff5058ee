// Customer store: care reminders — birthdays (year end, 29 February), holidays, churn risk
// (quiet regular buyer, recent complaint, low satisfaction), win-back within a month of churning,
// new arrivals matching preferences — and the outreach template each points at.
#include <gtest/gtest.h>

#include "customers_test_util.hpp"
#include "kefu/customer_json.hpp"
#include "kefu/engine.hpp"
#include "kefu/error.hpp"

using namespace kefu;
using kefu::test::fields;
using kefu::test::TempDir;

namespace {

// Noon, local time, of a date: what an agent's timestamps look like.
Timestamp at(int y, int m, int d) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = m - 1;
  tm.tm_mday = d;
  tm.tm_hour = 12;
  tm.tm_isdst = -1;
  return static_cast<Timestamp>(std::mktime(&tm));
}

const CareReminder* find(const std::vector<CareReminder>& list, CustomerId id, CareKind kind) {
  for (const auto& r : list)
    if (r.customer_id == id && r.kind == kind) return &r;
  return nullptr;
}

void buy(CustomerStore& s, CustomerId id, const std::string& order, Timestamp t, const std::string& item = "羊毛围巾") {
  Purchase p;
  p.order_id = order;
  p.items = {item};
  p.time = t;
  s.add_purchase(id, p);
}

}  // namespace

class CustomerReminders : public ::testing::Test {
 protected:
  void SetUp() override {
    EngineOptions o;
    o.db_path = dir.file("r.db");
    engine = std::make_unique<Engine>(o);
  }
  CustomerStore& store() { return engine->customers(); }
  std::vector<CareReminder> due(const std::string& today, ReminderOptions o = {}) {
    o.today = today;
    return store().reminders(o);
  }
  TempDir dir;
  std::unique_ptr<Engine> engine;
};

TEST_F(CustomerReminders, BirthdaysWithinTheWindowAcrossTheYearEnd) {
  CustomerFields f = fields("王芳", {"t:wang"});
  f.birthday = "1990-01-03";
  f.title = "女士";
  CustomerId wang = store().upsert(f);
  CustomerFields g = fields("Leap", {"t:leap"});
  g.birthday = "--02-29";
  CustomerId leap = store().upsert(g);
  CustomerFields h = fields("Later", {"t:later"});
  h.birthday = "1980-01-20";
  CustomerId later = store().upsert(h);

  auto list = due("2025-12-30");
  const CareReminder* r = find(list, wang, CareKind::birthday);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->due, "2026-01-03");
  EXPECT_EQ(r->days, 4);
  EXPECT_EQ(r->occasion, "birthday");
  EXPECT_EQ(r->template_id.rfind("care.birthday", 0), 0u) << r->template_id;
  EXPECT_EQ(r->vars.at("name"), "王芳");
  EXPECT_EQ(r->vars.at("title"), "女士");
  EXPECT_FALSE(find(list, later, CareKind::birthday));
  // 29 February is kept on the 28th when the year has none.
  auto feb = due("2025-02-26");
  ASSERT_TRUE(find(feb, leap, CareKind::birthday));
  EXPECT_EQ(find(feb, leap, CareKind::birthday)->due, "2025-02-28");
  EXPECT_EQ(find(due("2028-02-26"), leap, CareKind::birthday)->due, "2028-02-29");
}

TEST_F(CustomerReminders, HolidaysForRecentBuyersInTheirLanguage) {
  CustomerId zh = store().upsert(fields("王芳", {"t:zh"}));
  CustomerFields e = fields("Jane", {"t:en"});
  e.locale = "en";
  CustomerId en = store().upsert(e);
  CustomerFields tw = fields("陳大文", {"t:tw"});
  tw.locale = "zh-TW";
  CustomerId hk = store().upsert(tw);
  CustomerId never = store().upsert(fields("Never bought", {"t:never"}));
  buy(store(), zh, "H1", at(2026, 12, 1));
  buy(store(), en, "H2", at(2026, 12, 1));
  buy(store(), hk, "H3", at(2026, 12, 1));

  auto list = due("2027-02-01");  // Spring Festival 2027: 6 February
  const CareReminder* r = find(list, zh, CareKind::holiday);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->due, "2027-02-06");
  EXPECT_EQ(r->detail, "春节");
  EXPECT_EQ(r->vars.at("holiday"), "春节");
  EXPECT_EQ(r->template_id, "care.spring_festival");  // the template tagged for this holiday
  EXPECT_FALSE(find(list, en, CareKind::holiday));     // not an English-speaking customer's holiday
  EXPECT_FALSE(find(list, never, CareKind::holiday));
  const CareReminder* t = find(list, hk, CareKind::holiday);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->detail, "春節");  // zh-TW through OpenCC

  buy(store(), en, "H4", at(2027, 11, 1));  // bought within the year
  auto xmas = due("2027-12-20");
  const CareReminder* x = find(xmas, en, CareKind::holiday);
  ASSERT_TRUE(x);
  EXPECT_EQ(x->detail, "Christmas");
  EXPECT_EQ(x->template_id.rfind("care.holiday", 0), 0u);
  EXPECT_EQ(engine->templates().find(x->template_id, Locale::en)->locale, Locale::en);
}

TEST_F(CustomerReminders, ChurnRiskAndWinBack) {
  // A regular buyer (every ~20 days) gone quiet for 60 days: at risk, not yet lost.
  CustomerId regular = store().upsert(fields("Regular", {"t:regular"}));
  buy(store(), regular, "R1", at(2026, 1, 1));
  buy(store(), regular, "R2", at(2026, 1, 21));
  buy(store(), regular, "R3", at(2026, 2, 10), "真丝衬衫");
  // Lost: last purchase 100 days ago (churned 10 days ago, inside the month to win them back).
  CustomerId lost = store().upsert(fields("Lost", {"t:lost"}));
  buy(store(), lost, "L1", at(2026, 1, 1));
  // Lost long ago: past the win-back month.
  CustomerId gone = store().upsert(fields("Gone", {"t:gone"}));
  buy(store(), gone, "G1", at(2025, 6, 1));
  // A complaint last week, no purchase since.
  CustomerId angry = store().upsert(fields("Angry", {"t:angry"}));
  buy(store(), angry, "A1", at(2026, 3, 1));
  Consultation c;
  c.intent = Intent::quality_complaint;
  c.summary = "质量太差";
  c.time = at(2026, 4, 5);
  store().add_consultation(angry, c);
  // A low score.
  CustomerId unhappy = store().upsert(fields("Unhappy", {"t:unhappy"}));
  SurveyAnswer s;
  s.score = 1;
  s.answer = "很失望";
  s.time = at(2026, 4, 1);
  store().add_survey_answer(unhappy, s);
  Consultation touch;
  touch.intent = Intent::shipping;
  touch.time = at(2026, 4, 2);
  store().add_consultation(unhappy, touch);

  auto list = due("2026-04-11");
  const CareReminder* q = find(list, regular, CareKind::churn_risk);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->reason, "regular_buyer_quiet");
  EXPECT_EQ(q->vars.at("last_product"), "真丝衬衫");
  const CareReminder* w = find(list, lost, CareKind::win_back);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->reason, "churned");
  EXPECT_EQ(w->due, "2026-04-01");  // 90 days after the last purchase
  EXPECT_EQ(w->days, -10);
  EXPECT_EQ(w->occasion, "win_back");
  EXPECT_EQ(w->template_id.rfind("care.win_back", 0), 0u);
  EXPECT_FALSE(find(list, gone, CareKind::win_back));
  const CareReminder* a = find(list, angry, CareKind::churn_risk);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->reason, "recent_complaint");
  EXPECT_EQ(a->template_id, "care.follow_up_complaint");
  const CareReminder* u = find(list, unhappy, CareKind::churn_risk);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->reason, "low_satisfaction");
  EXPECT_EQ(u->occasion, "survey");
  // Soonest (most overdue) first.
  for (std::size_t i = 1; i < list.size(); ++i) EXPECT_LE(list[i - 1].days, list[i].days);
  // The same rules on the profile card.
  auto card = store().profile(lost, [] {
    ReminderOptions o;
    o.today = "2026-04-11";
    return o;
  }());
  ASSERT_EQ(card.reminders.size(), 1u);
  EXPECT_EQ(card.reminders[0].kind, CareKind::win_back);
}

TEST_F(CustomerReminders, NewArrivalsMatchingPreferences) {
  CustomerFields f = fields("王芳", {"t:wang"});
  Preferences p;
  p.brands = {"优衣库"};
  p.sizes = {"M"};
  p.colours = {"蓝色"};
  f.preferences = p;
  CustomerId wang = store().upsert(f);
  CustomerFields g = fields("Big", {"t:big"});
  Preferences q;
  q.brands = {"优衣库"};
  q.sizes = {"XXL"};
  g.preferences = q;
  CustomerId big = store().upsert(g);
  store().upsert(fields("No prefs", {"t:none"}));

  ReminderOptions o;
  o.arrivals = arrivals_from_json(R"([{"product": "优衣库 蓝色针织衫", "brand": "优衣库", "sizes": ["S", "M"], "colours": ["蓝色"]}])");
  auto list = due("2026-04-11", o);
  const CareReminder* r = find(list, wang, CareKind::new_arrival);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->detail, "优衣库 蓝色针织衫");
  EXPECT_EQ(r->vars.at("new_arrival"), "优衣库 蓝色针织衫");
  EXPECT_EQ(r->template_id, "care.new_arrival_related");
  EXPECT_FALSE(find(list, big, CareKind::new_arrival));  // nothing in their size
  EXPECT_THROW(arrivals_from_json(R"([{"brand": "x"}])"), Error);
}

TEST_F(CustomerReminders, CareDueEventAndBadOptions) {
  CustomerFields f = fields("王芳", {"t:wang"});
  f.birthday = "1990-06-02";
  store().upsert(f);
  std::vector<std::string> events;
  engine->events().subscribe("care_due", [&](std::string_view, std::string_view json) { events.emplace_back(json); });
  auto list = due("2026-06-01");
  ASSERT_EQ(list.size(), 1u);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].find("\"kind\":\"birthday\""), std::string::npos);
  EXPECT_TRUE(due("2026-07-01").empty());
  EXPECT_EQ(events.size(), 1u);  // nothing due, no event
  EXPECT_THROW(due("2026-13-01"), Error);
  ReminderOptions bad;
  bad.birthday_days = -1;
  EXPECT_THROW(due("2026-06-01", bad), Error);
}
