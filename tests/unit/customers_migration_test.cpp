// Customer store: a database of schema version 1 (the first layout: one phone and email column per
// customer, tags as "a;b", a plain trigram index) or 2 (full text with 'kefu bigrams': trigrams
// plus bigrams) is migrated to the current version on open.
#include <gtest/gtest.h>

#include "customers/sqlite_db.hpp"
#include "customers_test_util.hpp"
#include "kefu/chinese.hpp"

using namespace kefu;
using kefu::test::TempDir;

namespace {

// Version 1 exactly as it was written (kept here, apart from the code, so the test checks the
// migration against the old layout and not against itself).
const char* kVersion1 = R"sql(
CREATE TABLE customers(
  id INTEGER PRIMARY KEY,
  external_id TEXT UNIQUE,
  name TEXT NOT NULL DEFAULT '',
  phone TEXT,
  email TEXT,
  birthday TEXT,
  tags TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL);
CREATE TABLE notes(
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  author TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  text TEXT NOT NULL);
CREATE INDEX notes_customer ON notes(customer_id, created_at);
CREATE VIRTUAL TABLE notes_fts USING fts5(text, content='notes', content_rowid='id', tokenize='trigram');
CREATE TRIGGER notes_ai AFTER INSERT ON notes BEGIN
  INSERT INTO notes_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER notes_ad AFTER DELETE ON notes BEGIN
  INSERT INTO notes_fts(notes_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
PRAGMA user_version=1;
INSERT INTO customers VALUES (1, 'taobao:wangfang88', '王芳', '138-0013-8000', 'Wang.Fang@Example.com', '1990/5/3', 'vip;quality_seeking', 1700000000);
INSERT INTO customers VALUES (2, 'zendesk:456', 'Jane Doe', NULL, 'jane@example.com', NULL, '', 1700000001);
INSERT INTO customers VALUES (3, NULL, '陳大文', '+852 9123 4567', NULL, 'garbage', 'vip', 1700000002);
INSERT INTO notes VALUES (1, 1, '小美', 1700000100, '顧客說退貨太麻煩了');
INSERT INTO notes VALUES (2, 2, '', 1700000200, 'asked about the refund policy');
INSERT INTO notes VALUES (3, 3, '', 1700000300, '喜欢蓝色');
)sql";

// The full-text tables of version 2 exactly as they were written.
const char* kVersion2Search = R"sql(
DROP TRIGGER notes_ad; DROP TRIGGER notes_au; DROP TABLE notes_fts;
DROP TRIGGER consultations_ad; DROP TRIGGER consultations_au; DROP TABLE consultations_fts;
CREATE VIRTUAL TABLE notes_fts USING fts5(text, content='notes', content_rowid='id', tokenize='kefu bigrams');
CREATE TRIGGER notes_ad AFTER DELETE ON notes BEGIN
  INSERT INTO notes_fts(notes_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER notes_au AFTER UPDATE OF text ON notes BEGIN
  INSERT INTO notes_fts(notes_fts, rowid, text) VALUES ('delete', old.id, old.text);
  INSERT INTO notes_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE VIRTUAL TABLE consultations_fts USING fts5(summary, content='consultations', content_rowid='id', tokenize='kefu bigrams');
CREATE TRIGGER consultations_ad AFTER DELETE ON consultations BEGIN
  INSERT INTO consultations_fts(consultations_fts, rowid, summary) VALUES ('delete', old.id, old.summary);
END;
INSERT INTO notes_fts(notes_fts, rank) VALUES ('hashsize', 33554432);
INSERT INTO consultations_fts(consultations_fts, rank) VALUES ('hashsize', 33554432);
CREATE TRIGGER consultations_au AFTER UPDATE OF summary ON consultations BEGIN
  INSERT INTO consultations_fts(consultations_fts, rowid, summary) VALUES ('delete', old.id, old.summary);
  INSERT INTO consultations_fts(rowid, summary) VALUES (new.id, new.summary);
END;
INSERT INTO notes_fts(notes_fts) VALUES ('rebuild');
INSERT INTO consultations_fts(consultations_fts) VALUES ('rebuild');
UPDATE kefu_meta SET value = '1' WHERE key = 'tokenizer';
PRAGMA user_version=2;
)sql";

// Runs `sql` on `db` through a raw connection (with the kefu tokenizer, which old tables name).
::testing::AssertionResult run_sql(const std::string& db, const char* sql) {
  ChineseConverters chinese;
  sqlite3* h = nullptr;
  if (sqlite3_open(db.c_str(), &h) != SQLITE_OK) return ::testing::AssertionFailure() << "cannot open " << db;
  sql::register_tokenizer(h, &chinese.to_simplified());
  char* err = nullptr;
  int rc = sqlite3_exec(h, sql, nullptr, nullptr, &err);
  std::string message = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(h);
  if (rc != SQLITE_OK) return ::testing::AssertionFailure() << message;
  return ::testing::AssertionSuccess();
}

}  // namespace

TEST(CustomerMigration, FromVersionTwoRebuildsTheFullTextIndex) {
  TempDir dir;
  std::string db = dir.file("v2.db");
  CustomerId wang = 0, jane = 0;
  {
    auto store = open_customer_store(db);
    wang = store->upsert(test::fields("王芳", {"taobao:wangfang88"}));
    jane = store->upsert(test::fields("Jane Doe", {"zendesk:456"}));
    store->add_note(wang, {"顧客說退貨太麻煩了，穿M码"});
    store->add_note(jane, {"Asked about the refund policy (ticket 31337)"});
    Consultation v;
    v.summary = "衬衫洗后起球，要求退换";
    store->add_consultation(wang, v);
  }
  // Back to version 2: its tables are the same but for the full-text ones.
  ASSERT_TRUE(run_sql(db, kVersion2Search));
  ASSERT_EQ(test::sql_value(db, "PRAGMA user_version"), "2");

  auto store = open_customer_store(db);
  EXPECT_EQ(test::sql_value(db, "PRAGMA user_version"), std::to_string(customer_schema_version()));
  EXPECT_NE(test::sql_value(db, "SELECT sql FROM sqlite_master WHERE name = 'notes_fts'").find("tokenize='kefu', columnsize=0"),
            std::string::npos);
  EXPECT_EQ(test::sql_value(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE '%_fts_docsize'"), "0");
  auto one = [&](const std::string& q) {
    auto hits = store->search(q);
    return hits.size() == 1 ? hits[0].customer_id : CustomerId{-1};
  };
  EXPECT_EQ(one("退货"), wang);         // Simplified finds Traditional
  EXPECT_EQ(one("退货太麻烦"), wang);   // a phrase of bigrams
  EXPECT_EQ(one("M码"), wang);
  EXPECT_EQ(one("洗后起球"), wang);     // consultations too
  EXPECT_EQ(one("refund"), jane);
  EXPECT_EQ(one("Refund pol"), jane);   // a word's prefix
  EXPECT_EQ(one("31337"), jane);
  EXPECT_TRUE(store->search("31338").empty());
  // New notes go into the new index; deleted ones leave it.
  auto n = store->add_note(jane, {"prefers navy blue"});
  EXPECT_EQ(one("navy"), jane);
  store->delete_note(n.id);
  EXPECT_TRUE(store->search("navy").empty());
  store.reset();
  EXPECT_EQ(test::sql_value(db, "PRAGMA integrity_check"), "ok");
}

TEST(CustomerMigration, FromVersionOne) {
  TempDir dir;
  std::string db = dir.file("v1.db");
  ASSERT_TRUE(run_sql(db, kVersion1));
  ASSERT_EQ(test::sql_value(db, "PRAGMA user_version"), "1");

  auto store = open_customer_store(db);
  EXPECT_EQ(test::sql_value(db, "PRAGMA user_version"), std::to_string(customer_schema_version()));
  EXPECT_EQ(store->customer_count(), 3u);
  EXPECT_EQ(store->note_count(), 3u);
  // Identifiers moved to their own table, normalised: any format finds them now.
  auto wang = store->by_phone("+86 13800138000");
  ASSERT_TRUE(wang);
  EXPECT_EQ(wang->id, 1);
  EXPECT_EQ(wang->external_ids, std::vector<std::string>{"taobao:wangfang88"});
  EXPECT_EQ(wang->emails, std::vector<std::string>{"wang.fang@example.com"});
  EXPECT_EQ(wang->tags, (std::vector<std::string>{"vip", "quality_seeking"}));
  EXPECT_EQ(wang->birthday, "1990-05-03");
  EXPECT_EQ(wang->created_at, 1700000000);
  EXPECT_EQ(store->by_email("JANE@example.com")->id, 2);
  EXPECT_EQ(store->by_phone("+852 9123 4567")->id, 3);
  EXPECT_EQ(store->get(3)->birthday, "");  // an unreadable birthday is dropped, the customer kept
  EXPECT_EQ(store->by_name_prefix("陈", 5).at(0).id, 3);
  // The index was rebuilt with the kefu tokenizer: Simplified finds the Traditional note now.
  auto hits = store->search("退货太麻烦");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].id, 1);
  EXPECT_EQ(hits[0].author, "小美");
  EXPECT_EQ(store->search("refund policy").size(), 1u);
  EXPECT_EQ(store->search("蓝色").size(), 1u);
  // The new tables work.
  Purchase p;
  p.order_id = "M1";
  store->add_purchase(1, p);
  EXPECT_EQ(store->profile(1).purchase_count, 1u);
  store->add_note(1, {"after the migration"});
  EXPECT_EQ(store->notes(1).size(), 2u);
  store.reset();
  EXPECT_EQ(test::sql_value(db, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(test::sql_value(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE '%_v1'"), "0");
  // Opening again does not migrate again.
  auto again = open_customer_store(db);
  EXPECT_EQ(again->note_count(), 4u);
}
