// The customer archive inside the engine: opened on first use, events, suggestions steered and
// filled by the profile, and no customer data in the log at info level or above.
#include <gtest/gtest.h>

#include <mutex>

#include "customers_test_util.hpp"
#include "kefu/engine.hpp"
#include "kefu/error.hpp"

using namespace kefu;
using kefu::test::fields;
using kefu::test::TempDir;

TEST(CustomerEngine, OpenedOnFirstUseOnlyWithAPath) {
  Engine none;
  try {
    none.customers();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
  }
  TempDir dir;
  EngineOptions o;
  o.db_path = dir.file("sub/dir/e.db");
  Engine e(o);
  EXPECT_FALSE(std::filesystem::exists(o.db_path));  // not before it is used
  CustomerStore& s = e.customers();
  EXPECT_EQ(&s, &e.customers());
  EXPECT_TRUE(std::filesystem::exists(o.db_path));
}

TEST(CustomerEngine, EventsForNotesAndCustomers) {
  TempDir dir;
  EngineOptions o;
  o.db_path = dir.file("e.db");
  Engine e(o);
  std::vector<std::pair<std::string, std::string>> seen;
  e.events().subscribe("*", [&](std::string_view name, std::string_view json) { seen.emplace_back(name, json); });
  CustomerId id = e.customers().upsert(fields("王芳", {"taobao:wang"}));
  e.customers().upsert(fields("王芳", {"taobao:wang"}));  // unchanged: no event
  e.customers().add_note(id, {"喜欢蓝色"});
  e.customers().forget(id);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].first, "customer_updated");
  EXPECT_NE(seen[0].second.find("\"action\":\"created\""), std::string::npos);
  EXPECT_EQ(seen[1].first, "note_added");
  EXPECT_NE(seen[1].second.find("喜欢蓝色"), std::string::npos);
  EXPECT_NE(seen[1].second.find("\"customer_id\":" + std::to_string(id)), std::string::npos);
  EXPECT_EQ(seen[2].first, "customer_updated");
  EXPECT_NE(seen[2].second.find("\"action\":\"forgotten\""), std::string::npos);
}

TEST(CustomerEngine, SuggestUsesTheProfile) {
  TempDir dir;
  EngineOptions o;
  o.db_path = dir.file("e.db");
  Engine e(o);
  CustomerFields f = fields("王芳", {"taobao:wangfang88"});
  f.title = "女士";
  f.tags = std::vector<std::string>{"price_sensitive", "vip"};
  CustomerId id = e.customers().upsert(f);
  Purchase p;
  p.order_id = "20261123001";
  p.items = {"碎花连衣裙"};
  p.time = static_cast<Timestamp>(std::time(nullptr)) - 86400;
  e.customers().add_purchase(id, p);

  SuggestRequest plain;
  plain.limit = 5;
  SuggestRequest known = plain;
  known.customer_ref = "taobao:wangfang88";
  auto with = e.suggest("我的快递到哪了，订单号多少来着", known);
  ASSERT_FALSE(with.suggestions.empty());
  bool filled = false;
  for (const auto& s : with.suggestions) {
    EXPECT_EQ(std::find(s.missing.begin(), s.missing.end(), "order_id"), s.missing.end()) << s.template_id;
    filled = filled || s.text.find("20261123001") != std::string::npos || s.text.find("王女士") != std::string::npos;
  }
  EXPECT_TRUE(filled);
  // The type from the tags steers ranking the same way as a type given by hand.
  SuggestRequest typed = plain;
  typed.customer.types = {CustomerType::price_sensitive};
  typed.customer.name = "王芳";
  typed.customer.title = "女士";
  SuggestRequest by_ref = plain;
  by_ref.customer_ref = std::to_string(id);
  by_ref.vars["order_id"] = "X";  // given variables win over the profile's
  auto a = e.suggest("太贵了，能便宜点吗", typed), b = e.suggest("太贵了，能便宜点吗", by_ref);
  ASSERT_EQ(a.suggestions.size(), b.suggestions.size());
  for (std::size_t i = 0; i < a.suggestions.size(); ++i) EXPECT_EQ(a.suggestions[i].template_id, b.suggestions[i].template_id);
  // An unknown customer is no error: no profile.
  SuggestRequest unknown = plain;
  unknown.customer_ref = "taobao:nobody";
  EXPECT_NO_THROW(e.suggest("你好", unknown));
}

TEST(CustomerEngine, NoCustomerDataInTheLogAtInfoOrAbove) {
  TempDir dir;
  EngineOptions o;
  o.db_path = dir.file("e.db");
  Engine e(o);
  std::mutex m;
  std::vector<std::pair<LogLevel, std::string>> log;
  e.set_log_level(LogLevel::trace);
  e.set_log_handler([&](LogLevel level, std::string_view msg) {
    std::lock_guard<std::mutex> lock(m);
    log.emplace_back(level, std::string(msg));
  });
  const std::vector<std::string> secrets = {"SECRETNAME", "13912345678", "secret@example.org", "taobao:secretnick",
                                            "SECRETNOTE", "SECRETORDER", "SECRETSUMMARY"};
  auto& s = e.customers();
  CustomerId id = s.upsert(fields("SECRETNAME", {"taobao:secretnick"}, {"13912345678"}, {"secret@example.org"}));
  s.add_note(id, {"SECRETNOTE 幸福路"});
  Purchase p;
  p.order_id = "SECRETORDER";
  s.add_purchase(id, p);
  Consultation c;
  c.summary = "SECRETSUMMARY";
  s.add_consultation(id, c);
  s.search("SECRETNOTE");
  s.find("SECRETNAME");
  s.profile(id);
  TempDir files;
  s.import_file(files.write("c.csv", "external_id,name,phone\ntaobao:secretnick,SECRETNAME,13912345678\nbad,row\n"));
  std::ostringstream out;
  s.export_jsonl(out);
  SuggestRequest req;
  req.customer_ref = "taobao:secretnick";
  e.suggest("你好", req);
  s.forget(id);
  bool debug_has_data = false;
  for (const auto& [level, msg] : log) {
    for (const auto& secret : secrets) {
      if (level >= LogLevel::info) EXPECT_EQ(msg.find(secret), std::string::npos) << msg;
      debug_has_data = debug_has_data || msg.find(secret) != std::string::npos;
    }
  }
  EXPECT_TRUE(debug_has_data);  // the handler saw the debug messages: the check above is not vacuous
  bool info_seen = false;
  for (const auto& entry : log) info_seen = info_seen || entry.first == LogLevel::info;
  EXPECT_TRUE(info_seen);
}
