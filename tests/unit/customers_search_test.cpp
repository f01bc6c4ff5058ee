// Customer store: full-text search over notes and consultations — Chinese (Simplified and
// Traditional find each other), English, short terms, ranking, one customer, bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "customers_test_util.hpp"
#include "kefu/customer_json.hpp"
#include "kefu/error.hpp"

using namespace kefu;
using kefu::test::fields;
using kefu::test::TempDir;

class CustomerSearch : public ::testing::Test {
 protected:
  void SetUp() override {
    store = open_customer_store(dir.file("s.db"));
    a = store->upsert(fields("王芳", {"taobao:a"}));
    b = store->upsert(fields("Jane Doe", {"zendesk:b"}));
    n1 = store->add_note(a, {"客户喜欢蓝色，穿M码，上次退货因为尺码偏小"}).id;
    n2 = store->add_note(a, {"顧客說退貨太麻煩了，希望換貨"}).id;
    n3 = store->add_note(b, {"Prefers express shipping; asked about the REFUND policy twice"}).id;
    n4 = store->add_note(b, {"Size XL fits well. Loves navy blue."}).id;
    Consultation v;
    v.intent = Intent::quality_complaint;
    v.summary = "衬衫洗后起球，要求退换";
    v.channel = "taobao";
    c1 = store->add_consultation(a, v).id;
  }
  std::vector<std::int64_t> ids(const std::string& q, SearchOptions o = {}) {
    std::vector<std::int64_t> out;
    for (const auto& h : store->search(q, o)) out.push_back(h.id);
    std::sort(out.begin(), out.end());
    return out;
  }
  TempDir dir;
  std::unique_ptr<CustomerStore> store;
  CustomerId a = 0, b = 0;
  std::int64_t n1 = 0, n2 = 0, n3 = 0, n4 = 0, c1 = 0;
};

TEST_F(CustomerSearch, ChineseSubstringsOfThreeOrMoreCharacters) {
  EXPECT_EQ(ids("尺码偏小"), std::vector<std::int64_t>{n1});
  EXPECT_EQ(ids("喜欢蓝色"), std::vector<std::int64_t>{n1});
  EXPECT_EQ(ids("洗后起球"), std::vector<std::int64_t>{c1});  // consultations too
  EXPECT_TRUE(ids("喜欢红色").empty());
}

TEST_F(CustomerSearch, SimplifiedAndTraditionalFindEachOther) {
  EXPECT_EQ(ids("退货太麻烦"), std::vector<std::int64_t>{n2});  // Simplified query, Traditional note
  EXPECT_EQ(ids("尺碼偏小"), std::vector<std::int64_t>{n1});    // Traditional query, Simplified note
}

TEST_F(CustomerSearch, TwoCharacterWordsUseTheIndex) {
  auto hits = store->search("退货");
  std::vector<std::int64_t> got;
  for (const auto& h : hits) got.push_back(h.id);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::int64_t>{n1, n2}));
  EXPECT_EQ(ids("蓝色"), std::vector<std::int64_t>{n1});
  EXPECT_EQ(ids("XL"), std::vector<std::int64_t>{n4});
}

TEST_F(CustomerSearch, OneCharacterTermsStillMatch) {
  EXPECT_EQ(ids("蓝"), std::vector<std::int64_t>{n1});
  EXPECT_EQ(ids("貨"), (std::vector<std::int64_t>{n1, n2}));  // any written form
  EXPECT_EQ(ids("退货 蓝"), std::vector<std::int64_t>{n1});    // filters the indexed term's matches
}

TEST_F(CustomerSearch, EnglishCaseInsensitiveAndAllTermsRequired) {
  EXPECT_EQ(ids("refund"), std::vector<std::int64_t>{n3});
  EXPECT_EQ(ids("Refund Policy"), std::vector<std::int64_t>{n3});
  EXPECT_EQ(ids("navy blue"), std::vector<std::int64_t>{n4});
  EXPECT_TRUE(ids("refund navy").empty());
  EXPECT_EQ(ids("ＲＥＦＵＮＤ"), std::vector<std::int64_t>{n3});  // full-width
  EXPECT_EQ(ids("\"refund"), std::vector<std::int64_t>{n3});     // quotes are not syntax
  EXPECT_TRUE(ids("OR AND NOT").empty());
}

TEST_F(CustomerSearch, OneCustomerAndKinds) {
  SearchOptions o;
  o.customer = a;
  EXPECT_EQ(ids("退货", o), (std::vector<std::int64_t>{n1, n2}));
  o.customer = b;
  EXPECT_TRUE(ids("退货", o).empty());
  SearchOptions notes_only;
  notes_only.consultations = false;
  EXPECT_TRUE(ids("洗后起球", notes_only).empty());
}

TEST_F(CustomerSearch, PinnedNotesRankFirstAndPagingWorks) {
  store->set_note_pinned(n2, true);
  auto hits = store->search("退货");
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].id, n2);
  EXPECT_TRUE(hits[0].pinned);
  SearchOptions second;
  second.limit = 1;
  second.offset = 1;
  auto page = store->search("退货", second);
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].id, n1);
}

TEST_F(CustomerSearch, DeletedNotesLeaveTheIndex) {
  store->delete_note(n1);
  EXPECT_TRUE(ids("尺码偏小").empty());
  EXPECT_EQ(ids("退货"), std::vector<std::int64_t>{n2});
  EXPECT_THROW(store->delete_note(n1), Error);
}

TEST_F(CustomerSearch, JsonShape) {
  auto j = nlohmann::json::parse(search_to_json(store->search("refund")));
  ASSERT_EQ(j["notes"].size(), 1u);
  EXPECT_EQ(j["notes"][0]["customer_id"], b);
  EXPECT_EQ(j["notes"][0]["kind"], "note");
  EXPECT_NE(j["notes"][0]["text"].get<std::string>().find("REFUND"), std::string::npos);
}

TEST_F(CustomerSearch, BadQueries) {
  for (const char* q : {"", "   ", "\xff\xfe"}) EXPECT_THROW(store->search(q), Error) << q;
  EXPECT_THROW(store->search(std::string(2000, 'a')), Error);
  EXPECT_THROW(store->add_note(a, {""}), Error);
  EXPECT_THROW(store->add_note(a, {"\xc0\xaf"}), Error);
  EXPECT_THROW(store->add_note(a, {std::string(70000, 'x')}), Error);
  EXPECT_THROW(store->add_note(999, {"x"}), Error);
}

TEST(CustomerSearchNumbers, OrderAndTicketNumbersFoundExactly) {
  TempDir dir;
  auto store = open_customer_store(dir.file("n.db"));
  CustomerId id = store->upsert(fields("A", {"t:a"}));
  for (int i = 0; i < 600; ++i) store->add_note(id, {"订单号" + std::to_string(100000 + i) + " 已发货"});
  auto ticket = store->add_note(id, {"Customer asked about ticket 31337 (a refund)"}).id;
  auto only = [&](const std::string& q) {
    std::vector<std::string> texts;
    for (const auto& h : store->search(q, [] {
           SearchOptions o;
           o.limit = 1000;
           return o;
         }()))
      texts.push_back(h.text);
    return texts;
  };
  ASSERT_EQ(store->search("ticket 31337").size(), 1u);
  EXPECT_EQ(store->search("ticket 31337")[0].id, ticket);
  EXPECT_TRUE(store->search("ticket 31338").empty());
  EXPECT_EQ(only("订单号100123"), std::vector<std::string>{"订单号100123 已发货"});
  EXPECT_EQ(only("100123"), std::vector<std::string>{"订单号100123 已发货"});
  // A selective digit run: every row checked for the other terms too.
  auto some = only("已发货 1001");
  EXPECT_EQ(some.size(), 100u);  // 100100 .. 100199
  for (const auto& t : some) EXPECT_NE(t.find("1001"), std::string::npos) << t;
  EXPECT_TRUE(only("已收货 1001").empty());
  // A digit run in every note: the whole query goes to the index instead.
  auto many = store->search("发货 100");
  EXPECT_EQ(many.size(), 20u);
  for (const auto& h : many) EXPECT_NE(h.text.find("100"), std::string::npos);
}
