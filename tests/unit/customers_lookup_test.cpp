// Customer store: every lookup path (external id, phone in any format, email, kefu id, name prefix),
// normalisation, upsert and identifier conflicts.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "customers_test_util.hpp"
#include "kefu/customer_json.hpp"
#include "kefu/customer_store.hpp"
#include "kefu/error.hpp"

using namespace kefu;
using kefu::test::fields;
using kefu::test::TempDir;

TEST(CustomerNormalise, PhonesInEveryCommonFormat) {
  for (const char* p : {"+86 138-0013-8000", "+86 13800138000", "008613800138000", "8613800138000", "138 0013 8000",
                        "138-0013-8000", "13800138000", "１３８００１３８０００", "＋８６ １３８ ００１３ ８０００",
                        "(+86) 138.0013.8000", "tel:+8613800138000"})
    EXPECT_EQ(normalize_phone(p), "+8613800138000") << p;
  EXPECT_EQ(normalize_phone("010-12345678"), "+861012345678");      // landline with area code
  EXPECT_EQ(normalize_phone("+86 (0)10 1234 5678"), "+861012345678");  // trunk zero after the country code
  EXPECT_EQ(normalize_phone("+1 415 555 0100"), "+14155550100");
  EXPECT_EQ(normalize_phone("wang@example.com"), "");
  EXPECT_EQ(normalize_phone("12"), "");
  EXPECT_EQ(normalize_phone("\xff"), "");
}

TEST(CustomerNormalise, EmailsAndBirthdays) {
  EXPECT_EQ(normalize_email("  Wang.Fang@Example.COM "), "wang.fang@example.com");
  EXPECT_EQ(normalize_email("ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ"), "wang@example.com");  // full-width
  EXPECT_EQ(normalize_email("mailto:a@b.cn"), "a@b.cn");
  EXPECT_EQ(normalize_email("not an email"), "");
  EXPECT_EQ(normalize_email("a@b@c"), "");
  EXPECT_EQ(normalize_birthday("1990-05-03"), "1990-05-03");
  EXPECT_EQ(normalize_birthday("1990/5/3"), "1990-05-03");
  EXPECT_EQ(normalize_birthday("19900503"), "1990-05-03");
  EXPECT_EQ(normalize_birthday("1990年5月3日"), "1990-05-03");
  EXPECT_EQ(normalize_birthday("5月3日"), "--05-03");
  EXPECT_EQ(normalize_birthday("05-03"), "--05-03");
  EXPECT_EQ(normalize_birthday("--02-29"), "--02-29");
  EXPECT_EQ(normalize_birthday("1991-02-29"), "");  // not a leap year
  EXPECT_EQ(normalize_birthday("13/40"), "");
  EXPECT_EQ(normalize_birthday("yesterday"), "");
}

class CustomerLookup : public ::testing::Test {
 protected:
  void SetUp() override {
    store = open_customer_store(dir.file("c.db"));
    CustomerFields wang = fields("王芳", {"taobao:wangfang88", "chatwoot:123"}, {"+86 138-0013-8000"}, {"Wang.Fang@Example.com"});
    wang.title = "女士";
    wang.tags = std::vector<std::string>{"vip", "quality_seeking"};
    wang_id = store->upsert(wang);
    jane_id = store->upsert(fields("Jane Doe", {"zendesk:456"}, {"+1 415 555 0100"}, {"jane@example.com"}));
    chan_id = store->upsert(fields("陳大文", {"taobao:chan"}));
    store->upsert(fields("王小明", {"taobao:xiaoming"}));
  }
  TempDir dir;
  std::unique_ptr<CustomerStore> store;
  CustomerId wang_id = 0, jane_id = 0, chan_id = 0;
};

TEST_F(CustomerLookup, ByExternalId) {
  auto c = store->by_external_id("taobao:wangfang88");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->id, wang_id);
  EXPECT_EQ(c->name, "王芳");
  EXPECT_EQ(c->title, "女士");
  EXPECT_EQ(c->external_ids, (std::vector<std::string>{"taobao:wangfang88", "chatwoot:123"}));
  EXPECT_EQ(store->by_external_id("chatwoot:123")->id, wang_id);
  EXPECT_EQ(store->by_external_id(" Taobao : wangfang88 ")->id, wang_id);  // source case and spaces
  EXPECT_FALSE(store->by_external_id("taobao:WANGFANG88"));                // the value is kept exact
  EXPECT_FALSE(store->by_external_id("taobao:nobody"));
  EXPECT_THROW(store->by_external_id("taobao:"), Error);
}

TEST_F(CustomerLookup, ByPhoneInAnyFormat) {
  for (const char* p : {"13800138000", "+86 138 0013 8000", "１３８００１３８０００", "0086-138-0013-8000"}) {
    auto c = store->by_phone(p);
    ASSERT_TRUE(c) << p;
    EXPECT_EQ(c->id, wang_id);
  }
  EXPECT_EQ(store->by_phone("+1 (415) 555-0100")->id, jane_id);
  EXPECT_FALSE(store->by_phone("13900000000"));
  EXPECT_FALSE(store->by_phone("not a phone"));
}

TEST_F(CustomerLookup, ByEmail) {
  EXPECT_EQ(store->by_email("wang.fang@example.com")->id, wang_id);
  EXPECT_EQ(store->by_email("WANG.FANG@EXAMPLE.COM")->id, wang_id);
  EXPECT_EQ(store->get(wang_id)->emails, std::vector<std::string>{"wang.fang@example.com"});
  EXPECT_FALSE(store->by_email("nobody@example.com"));
}

TEST_F(CustomerLookup, ByNamePrefixAcrossScriptsAndCase) {
  auto wangs = store->by_name_prefix("王", 10);
  ASSERT_EQ(wangs.size(), 2u);
  EXPECT_EQ(wangs[0].name, "王小明");  // by folded name
  EXPECT_EQ(wangs[1].name, "王芳");
  EXPECT_EQ(store->by_name_prefix("王芳", 10).size(), 1u);
  EXPECT_EQ(store->by_name_prefix("jane", 10).at(0).id, jane_id);
  EXPECT_EQ(store->by_name_prefix("JANE D", 10).at(0).id, jane_id);
  EXPECT_EQ(store->by_name_prefix("陈", 10).at(0).id, chan_id);    // Simplified finds Traditional
  EXPECT_EQ(store->by_name_prefix("陳大", 10).at(0).id, chan_id);
  EXPECT_TRUE(store->by_name_prefix("Zed", 10).empty());
  EXPECT_EQ(store->by_name_prefix("王", 1).size(), 1u);
}

TEST_F(CustomerLookup, FindTriesEveryPath) {
  EXPECT_EQ(store->find("taobao:wangfang88").at(0).id, wang_id);
  EXPECT_EQ(store->find("138 0013 8000").at(0).id, wang_id);
  EXPECT_EQ(store->find("wang.fang@example.com").at(0).id, wang_id);
  EXPECT_EQ(store->find(std::to_string(jane_id)).at(0).id, jane_id);
  EXPECT_EQ(store->find("kefu:" + std::to_string(jane_id)).at(0).id, jane_id);
  EXPECT_EQ(store->find("王").size(), 2u);
  EXPECT_TRUE(store->find("nobody").empty());
  EXPECT_THROW(store->find("  "), Error);
  EXPECT_THROW(store->find("\xff"), Error);
}

TEST_F(CustomerLookup, ResolveAReference) {
  EXPECT_EQ(store->resolve("taobao:wangfang88"), wang_id);
  EXPECT_EQ(store->resolve("13800138000"), wang_id);
  EXPECT_EQ(store->resolve("JANE@example.com"), jane_id);
  EXPECT_EQ(store->resolve(std::to_string(chan_id)), chan_id);
  EXPECT_EQ(store->resolve("kefu:" + std::to_string(chan_id)), chan_id);
  EXPECT_FALSE(store->resolve("kefu:99999"));
  EXPECT_FALSE(store->resolve("99999"));
  EXPECT_EQ(store->require("taobao:chan"), chan_id);
  try {
    store->require("taobao:nobody");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::not_found);
  }
}

TEST_F(CustomerLookup, UpsertMatchesByAnyIdentifierAndAddsIds) {
  // Same phone in another format, a new external id: the same customer, with the id added.
  CustomerFields f = fields("", {"zendesk:999"}, {"138-0013-8000"});
  EXPECT_EQ(store->upsert(f), wang_id);
  auto c = store->get(wang_id);
  EXPECT_EQ(c->external_ids.size(), 3u);
  EXPECT_EQ(c->name, "王芳");  // empty fields leave a customer's values alone
  EXPECT_EQ(store->by_external_id("zendesk:999")->id, wang_id);
  // Tags replace; the types follow the tags.
  CustomerFields t;
  t.tags = std::vector<std::string>{"price_sensitive", " vip ", "vip"};
  store->update(wang_id, t);
  EXPECT_EQ(store->get(wang_id)->tags, (std::vector<std::string>{"price_sensitive", "vip"}));
  EXPECT_EQ(store->get(wang_id)->types(), std::vector<CustomerType>{CustomerType::price_sensitive});
  EXPECT_EQ(store->customer_count(), 4u);
}

TEST_F(CustomerLookup, BadFieldsAreRefused) {
  EXPECT_THROW(store->upsert(fields("x", {}, {"not a phone"})), Error);
  EXPECT_THROW(store->upsert(fields("x", {}, {}, {"nope"})), Error);
  EXPECT_THROW(store->upsert(fields("")), Error);  // nothing to know the customer by
  CustomerFields b = fields("x", {"t:x"});
  b.birthday = "31/31";
  EXPECT_THROW(store->upsert(b), Error);
  EXPECT_THROW(store->upsert(fields("\xff\xfe", {"t:y"})), Error);
  EXPECT_THROW(store->update(12345, fields("x")), Error);
  EXPECT_EQ(store->customer_count(), 4u);
}

TEST_F(CustomerLookup, JsonShapeOfFind) {
  auto j = nlohmann::json::parse(customers_to_json(store->find("taobao:wangfang88")));
  ASSERT_EQ(j["customers"].size(), 1u);
  const auto& c = j["customers"][0];
  EXPECT_EQ(c["id"], wang_id);
  EXPECT_EQ(c["name"], "王芳");
  EXPECT_EQ(c["phone"], "+8613800138000");
  EXPECT_EQ(c["email"], "wang.fang@example.com");
  EXPECT_EQ(c["external_ids"][0], "taobao:wangfang88");
  EXPECT_EQ(c["tags"], nlohmann::json({"vip", "quality_seeking"}));
  EXPECT_EQ(c["types"], nlohmann::json({"quality_seeking"}));
}

TEST(CustomerStoreOpen, CreatesTheDirectoryAndRefusesNewerSchemas) {
  TempDir dir;
  std::string path = dir.file("nested/deeper/kefu.db");
  {
    auto store = open_customer_store(path);
    store->upsert(fields("A", {"t:a"}));
  }
  EXPECT_EQ(test::sql_value(path, "PRAGMA user_version"), std::to_string(customer_schema_version()));
  EXPECT_EQ(test::sql_value(path, "PRAGMA journal_mode"), "wal");
  {
    sqlite3* h = nullptr;
    sqlite3_open(path.c_str(), &h);
    sqlite3_exec(h, "PRAGMA user_version=99", nullptr, nullptr, nullptr);
    sqlite3_close(h);
  }
  try {
    open_customer_store(path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::unsupported);
  }
  EXPECT_THROW(open_customer_store(""), Error);
  auto memory = open_customer_store(":memory:");
  memory->upsert(fields("M", {"t:m"}));
  EXPECT_EQ(memory->find("t:m").at(0).name, "M");
}
