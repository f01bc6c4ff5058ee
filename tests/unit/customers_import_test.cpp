// Customer store: import (CSV and JSON Lines), bad rows by line, idempotence, export round trip.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <cctype>
#include <sstream>

#include "customers_test_util.hpp"
#include "kefu/customer_json.hpp"
#include "kefu/error.hpp"

using namespace kefu;
using kefu::test::TempDir;

namespace {

const char* kCsv =
    "\xEF\xBB\xBF"  // a BOM, as spreadsheet programs write it
    "external_id,name,phone,email,birthday,tags\r\n"
    "taobao:wangfang88,王芳,+86 138-0013-8000,Wang.Fang@Example.com,1990-05-03,vip;quality_seeking\r\n"
    "taobao:lilei,李雷,１３９００１３９０００,lilei@example.com,05-10,price_sensitive\r\n"
    "zendesk:456,\"Doe, Jane\",,jane@example.com,,\r\n"
    "taobao:bad1,坏生日,,,1990-13-45,\r\n"
    "taobao:bad2,坏电话,12,,,\r\n"
    "too,few\r\n"
    "\r\n"
    "chatwoot:7,\"多行\n名字\",,,,vip\r\n";

// An import's problems, a line each, and the archive exported without its times.
std::string problems_of(const ImportReport& r) {
  std::string out;
  for (const auto& p : r.problems) out += std::to_string(p.line) + ": " + p.message + "\n";
  return out;
}

std::string archive_of(CustomerStore& store) {
  std::ostringstream exported;
  store.export_jsonl(exported);
  std::istringstream lines(exported.str());
  std::string out;
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line);
    j.erase("created_at");
    j.erase("updated_at");
    out += j.dump() + "\n";
  }
  return out;
}

}  // namespace

TEST(CustomerImport, CsvWithBadRowsReportedByLine) {
  TempDir dir;
  auto store = open_customer_store(dir.file("i.db"));
  std::string csv = dir.write("customers.csv", kCsv);
  std::vector<ImportProgress> progress;
  ImportOptions o;
  o.progress = [&](const ImportProgress& p) { progress.push_back(p); };
  o.batch_rows = 3;
  ImportReport r = store->import_file(csv, o);
  EXPECT_EQ(r.rows, 7u);
  EXPECT_EQ(r.customers_created, 4u);
  EXPECT_EQ(r.failed, 3u);
  ASSERT_EQ(r.problems.size(), 3u);
  EXPECT_EQ(r.problems[0].line, 5u);
  EXPECT_NE(r.problems[0].message.find("birthday"), std::string::npos);
  EXPECT_EQ(r.problems[1].line, 6u);
  EXPECT_NE(r.problems[1].message.find("phone"), std::string::npos);
  EXPECT_EQ(r.problems[2].line, 7u);
  auto wang = store->by_phone("13800138000");
  ASSERT_TRUE(wang);
  EXPECT_EQ(wang->name, "王芳");
  EXPECT_EQ(wang->tags, (std::vector<std::string>{"vip", "quality_seeking"}));
  EXPECT_EQ(wang->birthday, "1990-05-03");
  EXPECT_EQ(store->by_external_id("zendesk:456")->name, "Doe, Jane");
  EXPECT_EQ(store->by_external_id("chatwoot:7")->name, "多行\n名字");
  EXPECT_EQ(store->by_external_id("taobao:lilei")->birthday, "--05-10");
  EXPECT_FALSE(store->by_external_id("taobao:bad1"));
  // Progress after each committed batch, the last covering every row.
  ASSERT_GE(progress.size(), 3u);
  EXPECT_EQ(progress.back().rows_committed, 7u);
  EXPECT_EQ(progress.back().bytes_read, progress.back().bytes_total);
}

TEST(CustomerImport, ImportingAgainAddsNothing) {
  TempDir dir;
  auto store = open_customer_store(dir.file("i.db"));
  std::string csv = dir.write("customers.csv", kCsv);
  std::string jsonl = dir.write("records.jsonl",
      R"({"type":"order","customer":"taobao:wangfang88","order_id":"T1","items":["裙子"],"amount":"¥299.00","time":"2025-05-01 10:00"})" "\n"
      R"({"type":"note","customer":"13800138000","text":"喜欢蓝色","author":"小美","time":"2025-05-02T10:00:00Z"})" "\n"
      R"({"type":"note","customer":"taobao:lilei","text":"没有时间的备注"})" "\n"
      R"({"type":"consultation","customer":"taobao:lilei","intent":"refund","summary":"要退款","satisfaction":4,"time":"2025-06-01"})" "\n"
      R"({"type":"survey","customer":"taobao:lilei","survey":"回访","question":"满意吗","answer":"满意","score":5,"time":"2025-06-02"})" "\n");
  store->import_file(csv);
  ImportReport first = store->import_file(jsonl);
  EXPECT_EQ(first.purchases_added, 1u);
  EXPECT_EQ(first.notes_added, 2u);
  EXPECT_EQ(first.consultations_added, 1u);
  EXPECT_EQ(first.surveys_added, 1u);
  EXPECT_EQ(first.failed, 0u);

  ImportReport again = store->import_file(csv);
  EXPECT_EQ(again.customers_created, 0u);
  EXPECT_EQ(again.customers_updated, 0u);
  EXPECT_EQ(again.unchanged, 4u);
  ImportReport again2 = store->import_file(jsonl);
  EXPECT_EQ(again2.notes_added + again2.purchases_added + again2.consultations_added + again2.surveys_added, 0u);
  EXPECT_EQ(store->customer_count(), 4u);
  EXPECT_EQ(store->note_count(), 2u);
  auto lilei = *store->resolve("taobao:lilei");
  EXPECT_EQ(store->consultations(lilei).size(), 1u);
  EXPECT_EQ(store->survey_answers(lilei).size(), 1u);
  // A changed row updates the customer it matches.
  store->import_file(dir.write("change.csv", "external_id,name,tags\ntaobao:lilei,李雷雷,vip\n"));
  EXPECT_EQ(store->get(lilei)->name, "李雷雷");
  EXPECT_EQ(store->get(lilei)->tags, std::vector<std::string>{"vip"});
  EXPECT_EQ(store->customer_count(), 4u);
}

TEST(CustomerImport, JsonLinesErrorsAndFormats) {
  TempDir dir;
  auto store = open_customer_store(dir.file("i.db"));
  std::string file = dir.write("mixed.jsonl",
      "{\"external_id\":\"t:1\",\"name\":\"One\",\"phones\":[\"13800000001\"],\"preferences\":{\"brands\":[\"Acme\"]}}\n"
      "\n"
      "{not json\n"
      "[1,2]\n"
      "{\"type\":\"note\",\"customer\":\"t:nobody\",\"text\":\"x\"}\n"
      "{\"type\":\"note\",\"customer\":\"t:1\",\"text\":\"\"}\n"
      "{\"type\":\"gift\"}\n"
      "{\"type\":\"order\",\"customer\":\"t:1\",\"order_id\":\"O1\",\"time\":\"yesterday\"}\n"
      "{\"external_id\":\"t:2\",\"name\":\"Two\",\"type\":\"customer\",\"tags\":\"a;b\"}\n");
  ImportReport r = store->import_file(file);
  EXPECT_EQ(r.rows, 8u);
  EXPECT_EQ(r.customers_created, 2u);
  EXPECT_EQ(r.failed, 6u);
  std::vector<std::size_t> lines;
  for (const auto& p : r.problems) lines.push_back(p.line);
  EXPECT_EQ(lines, (std::vector<std::size_t>{3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(store->by_external_id("t:1")->preferences.brands, std::vector<std::string>{"Acme"});
  EXPECT_EQ(store->by_external_id("t:2")->tags, (std::vector<std::string>{"a", "b"}));

  EXPECT_THROW(store->import_file(dir.file("missing.csv")), Error);
  try {
    store->import_file(dir.write("nonsense.csv", "hello,world\n1,2\n"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::parse);
    EXPECT_NE(std::string(e.what()).find("nonsense.csv:1"), std::string::npos);
  }
  std::istringstream bad_utf8("external_id,name\nt:3,\xff\xfe\n");
  ImportReport u = store->import_stream(bad_utf8, "stdin");
  EXPECT_EQ(u.failed, 1u);
  EXPECT_EQ(u.problems.at(0).line, 2u);
}

TEST(CustomerImport, OrdersAndNotesAsCsv) {
  TempDir dir;
  auto store = open_customer_store(dir.file("i.db"));
  store->import_file(dir.write("c.csv", "external_id,name\nt:1,One\n"));
  auto r = store->import_file(dir.write("o.csv", "customer,order_id,items,amount,currency,time,status\n"
                                                 "t:1,O-1,杯子;碟子,59.5,CNY,2025-03-01,paid\n"));
  EXPECT_EQ(r.purchases_added, 1u);
  auto n = store->import_file(dir.write("n.csv", "external_id,text,author,pinned\nt:1,\"记得, 他喜欢茶\",小美,yes\n"));
  EXPECT_EQ(n.notes_added, 1u);
  CustomerId id = *store->resolve("t:1");
  EXPECT_EQ(store->purchases(id).at(0).items, (std::vector<std::string>{"杯子", "碟子"}));
  EXPECT_DOUBLE_EQ(*store->purchases(id).at(0).amount, 59.5);
  EXPECT_TRUE(store->notes(id).at(0).pinned);
}

TEST(CustomerImport, ExportThenImportIsTheSameArchive) {
  TempDir dir;
  auto a = open_customer_store(dir.file("a.db"));
  a->import_file(dir.write("c.csv", kCsv));
  CustomerId wang = *a->resolve("taobao:wangfang88");
  a->add_note(wang, {"喜欢蓝色", "小美", true});
  Purchase p;
  p.order_id = "T9";
  p.items = {"围巾"};
  p.time = 1700000000;
  a->add_purchase(wang, p);
  Consultation v;
  v.summary = "问物流";
  v.intent = Intent::shipping;
  v.time = 1700000100;
  a->add_consultation(wang, v);

  std::ostringstream out;
  EXPECT_EQ(a->export_jsonl(out), 4u);
  std::string exported = out.str();
  auto b = open_customer_store(dir.file("b.db"));
  std::istringstream in(exported);
  ImportReport r = b->import_stream(in, "export", {});
  EXPECT_EQ(r.failed, 0u);
  EXPECT_EQ(r.customers_created, 4u);
  // Importing the export into the archive it came from adds nothing.
  std::istringstream in2(exported);
  ImportReport same = a->import_stream(in2, "export", {});
  EXPECT_EQ(same.customers_created + same.notes_added + same.purchases_added + same.consultations_added, 0u);
  // And the copy exports the same lines, apart from kefu ids and creation times.
  std::ostringstream out2;
  b->export_jsonl(out2);
  auto strip = [](const std::string& text) {
    std::istringstream s(text);
    std::string line, all;
    while (std::getline(s, line)) {
      auto j = nlohmann::json::parse(line);
      j.erase("kefu_id");
      j.erase("created_at");
      all += j.dump() + "\n";
    }
    return all;
  };
  EXPECT_EQ(strip(exported), strip(out2.str()));
  EXPECT_EQ(b->search("蓝色").size(), 1u);
}

// An import remembers which customer a reference names; a customer forgotten between two of its
// transactions, by another connection or through the same store, is not written to afterwards.
TEST(CustomerImport, CustomerForgottenMidImportGetsNoMoreRecords) {
  TempDir dir;
  std::string db = dir.file("i.db");
  for (bool other_connection : {true, false}) {
    SCOPED_TRACE(other_connection ? "forgotten by another connection" : "forgotten through the same store");
    auto store = open_customer_store(db);
    auto other = open_customer_store(db);
    std::string ext = other_connection ? "t:gone-a" : "t:gone-b";
    CustomerId gone = store->upsert(test::fields("Gone", {ext}));
    std::string notes;
    for (int i = 1; i <= 4; ++i)
      notes += "{\"type\":\"note\",\"customer\":\"" + ext + "\",\"text\":\"note " + std::to_string(i) + "\"}\n";
    ImportOptions o;
    o.batch_rows = 2;
    o.progress = [&](const ImportProgress& p) {
      if (p.rows_committed == 2) (other_connection ? *other : *store).forget(gone);
    };
    ImportReport r = store->import_file(dir.write("notes.jsonl", notes), o);
    EXPECT_EQ(r.notes_added, 2u);
    EXPECT_EQ(r.failed, 2u);
    ASSERT_EQ(r.problems.size(), 2u);
    EXPECT_EQ(r.problems[0].line, 3u);
    EXPECT_NE(r.problems[0].message.find("no such customer"), std::string::npos) << r.problems[0].message;
    EXPECT_EQ(test::sql_value(db, "SELECT count(*) FROM notes WHERE customer_id = " + std::to_string(gone)), "0");
  }
}

// An import into empty tables puts their secondary indexes off and makes them at its end; the
// rows of the file are still kept unique by their keys, and importing again adds nothing.
TEST(CustomerImport, EmptyTablesGetTheirIndexesAtTheEnd) {
  TempDir dir;
  std::string db = dir.file("i.db");
  auto store = open_customer_store(db);
  const std::string indexes = "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name)";
  const std::string before = test::sql_value(db, indexes);
  store->import_file(dir.write("customers.csv", kCsv));
  std::string lines;
  for (int i = 0; i < 3; ++i)  // every record three times in one file: one of each is kept
    lines += R"({"type":"note","customer":"taobao:lilei","text":"喜欢蓝色","time":"2025-05-02T10:00:00Z"})" "\n"
             R"({"type":"note","customer":"taobao:lilei","text":"来源编号","id":"n-7"})" "\n"
             R"({"type":"consultation","customer":"taobao:lilei","intent":"refund","summary":"要退款","time":"2025-06-01"})" "\n"
             R"({"type":"survey","customer":"taobao:lilei","survey":"回访","question":"满意吗","answer":"满意","score":5,"time":"2025-06-02"})" "\n";
  std::string jsonl = dir.write("records.jsonl", lines);
  ImportReport first = store->import_file(jsonl);
  EXPECT_EQ(first.notes_added, 2u);
  EXPECT_EQ(first.consultations_added, 1u);
  EXPECT_EQ(first.surveys_added, 1u);
  EXPECT_EQ(test::sql_value(db, indexes), before);  // every index is back
  EXPECT_EQ(test::sql_value(db, "SELECT count(*) FROM kefu_meta WHERE key LIKE 'deferred_index:%'"), "0");
  ImportReport again = store->import_file(jsonl);
  EXPECT_EQ(again.notes_added + again.consultations_added + again.surveys_added, 0u);
  auto lilei = *store->resolve("taobao:lilei");
  EXPECT_EQ(store->notes(lilei).size(), 2u);
  EXPECT_EQ(store->search("蓝色").size(), 1u);
  EXPECT_EQ(store->by_name_prefix("李", 5).size(), 1u);
  store.reset();
  EXPECT_EQ(test::sql_value(db, "PRAGMA integrity_check"), "ok");
}

// An index left put off (a killed import) is made when the store is next opened; a unique key
// another writer repeated meanwhile keeps its first row.
TEST(CustomerImport, IndexesPutOffAreMadeOnOpening) {
  TempDir dir;
  std::string db = dir.file("i.db");
  CustomerId id = 0;
  std::int64_t first = 0;
  {
    auto store = open_customer_store(db);
    id = store->upsert(test::fields("A", {"t:a"}));
    first = store->add_note(id, {"第一条备注"}).id;
  }
  {
    sqlite3* h = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
    const char* kill = R"sql(
      INSERT INTO kefu_meta(key, value) SELECT 'deferred_index:' || name, sql FROM sqlite_master
        WHERE name IN ('notes_source', 'notes_customer_time');
      DROP INDEX notes_source; DROP INDEX notes_customer_time;
      INSERT INTO notes(customer_id, author, created_at, text, source_key)
        SELECT customer_id, author, created_at, text, source_key FROM notes;
    )sql";
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(h, kill, nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_close(h);
  }
  ASSERT_EQ(test::sql_value(db, "SELECT count(*) FROM notes"), "2");
  auto store = open_customer_store(db);
  EXPECT_EQ(test::sql_value(db, "SELECT count(*) FROM sqlite_master WHERE name IN ('notes_source', 'notes_customer_time')"), "2");
  EXPECT_EQ(test::sql_value(db, "SELECT count(*) FROM kefu_meta WHERE key LIKE 'deferred_index:%'"), "0");
  auto notes = store->notes(id, 10);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].id, first);
  store.reset();
  EXPECT_EQ(test::sql_value(db, "PRAGMA integrity_check"), "ok");
}

// Orders and consultations imported into empty tables leave their customers' aggregates (purchase
// count and dates, last contact, complaint and score) to one count at the end: the same values as
// row by row.
TEST(CustomerImport, AggregatesCountedAtTheEndAreThoseOfRowByRow) {
  TempDir dir;
  std::string csv = dir.write("customers.csv", kCsv);
  std::string records = dir.write("records.jsonl",
      R"({"type":"order","customer":"taobao:lilei","order_id":"T1","amount":10,"time":"2025-05-01 10:00"})" "\n"
      R"({"type":"order","customer":"taobao:lilei","order_id":"T2","amount":20,"time":"2025-03-01 10:00"})" "\n"
      R"({"type":"order","customer":"taobao:wangfang88","order_id":"T3","amount":30,"time":"2025-04-01 10:00"})" "\n"
      R"({"type":"order","customer":"taobao:wangfang88","order_id":"T3","amount":30,"time":"2025-04-01 10:00"})" "\n"
      R"({"type":"consultation","customer":"taobao:lilei","intent":"quality_complaint","summary":"起球","satisfaction":2,"time":"2025-06-01"})" "\n"
      R"({"type":"consultation","customer":"taobao:lilei","intent":"thanks_bye","summary":"谢谢","satisfaction":5,"time":"2025-06-03"})" "\n"
      R"({"type":"consultation","customer":"taobao:wangfang88","intent":"shipping","summary":"物流","time":"2025-02-01"})" "\n"
      R"({"type":"survey","customer":"taobao:lilei","survey":"回访","question":"满意吗","score":3,"time":"2025-06-02"})" "\n");
  const std::string aggregates =
      "SELECT group_concat(v, ';') FROM (SELECT json_array(c.name, purchase_count, first_purchase_at, last_purchase_at, "
      "last_contact_at, last_complaint_at, last_satisfaction) AS v FROM customers c WHERE c.name <> 'Other' ORDER BY c.name)";
  auto import_into = [&](const std::string& db, bool seeded) {
    auto store = open_customer_store(db);
    store->import_file(csv);
    if (seeded) {  // tables not empty: the import keeps the aggregates row by row
      CustomerId other = store->upsert(test::fields("Other", {"t:other"}));
      Purchase p;
      p.order_id = "X1";
      p.time = 1;
      store->add_purchase(other, p);
      Consultation v;
      v.summary = "x";
      v.time = 1;
      store->add_consultation(other, v);
    }
    auto report = store->import_file(records);
    EXPECT_EQ(report.purchases_added, 3u);
    EXPECT_EQ(report.consultations_added, 3u);
    store.reset();
    EXPECT_EQ(test::sql_value(db, "SELECT count(*) FROM kefu_meta WHERE key LIKE 'deferred_%'"), "0");
    EXPECT_EQ(test::sql_value(db, "PRAGMA integrity_check"), "ok");
    return test::sql_value(db, aggregates);
  };
  std::string counted = import_into(dir.file("empty.db"), false);
  std::string row_by_row = import_into(dir.file("seeded.db"), true);
  EXPECT_EQ(counted, row_by_row);
  EXPECT_NE(counted.find("[\"李雷\",2,"), std::string::npos) << counted;
}

// Customers imported into an empty archive are matched by identifiers the import keeps in memory
// (and written per transaction sorted by key), with the name and birthday indexes made at the end:
// the archive, the report and its problems are those of the row-by-row path of an archive that
// was not empty. Repeats within a transaction and across transactions, merges by phone or email,
// identifiers another customer owns, bad rows, records naming customers of the same batch.
TEST(CustomerImport, BulkCustomersAreThoseOfRowByRow) {
  TempDir dir;
  std::string csv = dir.write("customers.csv",
      "external_id,name,phone,email,birthday,tags\n"
      "taobao:a,甲,13800000001,a@example.com,1990-05-03,vip\n"
      "taobao:b,乙,13800000002,,05-10,\n"
      "taobao:a,甲二,,,,\n"                                  // repeat in the same transaction: updated
      "taobao:c,丙,+86 138-0000-0002,c@example.com,,\n"     // phone of b: c's id is added to b
      "taobao:d,丁,13800000004,A@Example.com,,\n"           // email of a (other case)
      "taobao:e,戊,13800000005,,,\n"
      "taobao:e,,13800000001,,,\n"                          // e, with a's phone: a keeps it, reported
      "taobao:bad,坏,12,,,\n"                               // bad phone
      "taobao:f,己,,,1990-13-45,\n"                         // bad birthday
      ",,,,,\n"                                             // neither a name nor an identifier
      "taobao:g,庚,,g@example.com,,\n"
      "taobao:g,庚,,g@example.com,,\n"                      // unchanged
      "zendesk:7,\"Doe, Jane\",,,,\n"
      "taobao:h,辛,13800000008,,,\n"
      ",只有名字,,,,\n"
      ",只有名字,,,,\n"                                     // no identifier: a second customer
      "TAOBAO:h,辛二,,h@example.com,,\n");
  std::string records = dir.write("mixed.jsonl",
      R"({"external_id":"shop:x","name":"新","phone":"13900000001"})" "\n"
      R"({"type":"note","customer":"shop:x","text":"同一批的备注"})" "\n"
      R"({"external_id":"shop:y","phone":"13900000001","notes":[{"text":"带记录的一行"}]})" "\n"
      R"({"type":"order","customer":"13900000001","order_id":"O1","time":"2025-05-01"})" "\n"
      R"({"external_id":"shop:z","name":"另一个"})" "\n"
      R"({"type":"note","customer":"shop:z","text":"也一样"})" "\n");
  struct Result {
    std::string archive, identifiers, report;
  };
  auto run = [&](const std::string& db, bool seeded, std::size_t batch_rows, bool records_first) {
    auto store = open_customer_store(db);
    if (seeded) store->upsert(test::fields("Seed", {"seed:0"}));  // not empty: row by row
    ImportOptions o;
    o.batch_rows = batch_rows;
    Result out;
    auto report = [&](const ImportReport& r) {
      out.report += std::to_string(r.rows) + " " + std::to_string(r.customers_created) + " " +
                    std::to_string(r.customers_updated) + " " + std::to_string(r.unchanged) + " " +
                    std::to_string(r.failed) + " " + std::to_string(r.notes_added) + " " + std::to_string(r.purchases_added) + "\n";
      for (const auto& p : r.problems) {
        std::string m = p.message;  // customer ids differ by the seed
        for (auto at = m.find("customer "); at != std::string::npos; at = m.find("customer ", at + 1)) {
          std::size_t end = at + 9;
          while (end < m.size() && std::isdigit(static_cast<unsigned char>(m[end]))) ++end;
          if (end > at + 9) {
            CustomerId id = std::stoll(m.substr(at + 9, end - at - 9));
            m.replace(at + 9, end - at - 9, store->get(id)->name);
          }
        }
        out.report += std::to_string(p.line) + ": " + m + "\n";
      }
    };
    const std::string& first = records_first ? records : csv;  // the one imported into an empty archive
    const std::string& second = records_first ? csv : records;
    report(store->import_file(first, o));
    report(store->import_file(second, o));
    report(store->import_file(first, o));  // again: nothing new
    std::ostringstream exported;
    store->export_jsonl(exported);
    std::istringstream lines(exported.str());
    for (std::string line; std::getline(lines, line);) {
      auto j = nlohmann::json::parse(line);
      if (j.value("name", "") == "Seed") continue;
      j.erase("kefu_id");
      j.erase("created_at");
      j.erase("updated_at");
      if (j.contains("notes"))
        for (auto& note : j["notes"]) {  // keys hash the customer's id; times are now
          note.erase("key");
          note.erase("created_at");
        }
      out.archive += j.dump() + "\n";
    }
    for (const char* q : {"甲", "只有", "Doe", "taobao:h", "13800000002", "a@example.com", "新"})
      for (const auto& c : store->find(q, 10)) out.archive += std::string(q) + " → " + c.name + "\n";
    for (const auto& r : store->reminders({}))
      out.archive += "reminder " + store->get(r.customer_id)->name + "\n";
    store.reset();
    EXPECT_EQ(test::sql_value(db, "PRAGMA integrity_check"), "ok");
    EXPECT_EQ(test::sql_value(db, "SELECT count(*) FROM kefu_meta WHERE key LIKE 'deferred_%'"), "0");
    EXPECT_EQ(test::sql_value(db, "SELECT count(*) FROM sqlite_master WHERE name IN ('customers_name', 'customers_birthday')"), "2");
    out.identifiers = test::sql_value(db,
        "SELECT group_concat(key || '=' || (SELECT ids FROM customers WHERE id = customer_id), ';') FROM "
        "(SELECT * FROM identifiers WHERE key <> 'seed:0' ORDER BY key)");
    return out;
  };
  for (bool records_first : {false, true})
  for (std::size_t batch_rows : {std::size_t{3}, std::size_t{100000}}) {
    SCOPED_TRACE("batch_rows " + std::to_string(batch_rows) + (records_first ? ", records first" : ", customers first"));
    std::string tag = std::to_string(batch_rows) + (records_first ? "r" : "c");
    Result bulk = run(dir.file("bulk" + tag + ".db"), false, batch_rows, records_first);
    Result row_by_row = run(dir.file("rows" + tag + ".db"), true, batch_rows, records_first);
    EXPECT_EQ(bulk.archive, row_by_row.archive);
    EXPECT_EQ(bulk.identifiers, row_by_row.identifiers);
    EXPECT_EQ(bulk.report, row_by_row.report);
    EXPECT_NE(bulk.report.find("8: phone already belongs to customer 丁"), std::string::npos) << bulk.report;
    EXPECT_EQ(bulk.report.find("no such customer"), std::string::npos) << bulk.report;
    EXPECT_NE(bulk.archive.find("13800000002 → 丙"), std::string::npos) << bulk.archive;
    EXPECT_NE(bulk.identifiers.find("taobao:c="), std::string::npos) << bulk.identifiers;
  }
}

// Another connection that adds a customer between two of the import's transactions: the rest of
// the import matches by the database again, and merges its rows into that customer.
TEST(CustomerImport, BulkCustomersSeeAnotherWritersCustomers) {
  TempDir dir;
  std::string db = dir.file("i.db");
  auto store = open_customer_store(db);
  auto other = open_customer_store(db);
  std::string csv = dir.write("c.csv",
      "external_id,name,phone,email,birthday,tags\n"
      "t:1,一,13800000001,,,\n"
      "t:2,二,13800000002,,,\n"
      "t:3,三,13800000003,,,\n"
      "t:4,四,13800000009,,,\n");
  ImportOptions o;
  o.batch_rows = 2;
  CustomerId intruder = 0;
  o.progress = [&](const ImportProgress& p) {
    if (p.rows_committed == 2) intruder = other->upsert(test::fields("外来", {"t:other"}, {"13800000009"}));
  };
  ImportReport r = store->import_file(csv, o);
  EXPECT_EQ(r.customers_created, 3u);
  EXPECT_EQ(r.customers_updated, 1u);
  EXPECT_EQ(store->resolve("t:4"), intruder);
  EXPECT_EQ(store->customer_count(), 4u);
  store.reset();
  other.reset();
  EXPECT_EQ(test::sql_value(db, "PRAGMA integrity_check"), "ok");
}

// A CSV of customer columns only is read straight into the customer's fields (import.cpp:
// CsvCustomers); any other column sends every row through its JSON form. Both read the same.
TEST(CustomerImport, CustomerCsvReadsAsItsJsonForm) {
  TempDir dir;
  const std::string header = "external_id,name,title,phone,email,birthday,tags,types,type,sizes,colours,colors,brands,categories,locale,,name";
  const std::vector<std::string> rows = {
      "taobao:a,甲, 女士 ,13800000001,a@example.com,1990-05-03,vip;;student,price_sensitive,,S;M,红,蓝;白,优衣库,裙子,zh-TW,,甲二",
      "taobao:b,乙,,,,,,,customer,,,,,,,x,",
      "taobao:c,丙,,,,,,quality_seeking;bargain_hunter,,,,,,,,,",   // an unknown customer type
      "taobao:d,丁,,12,,,,,,,,,,,,,",                               // a bad phone
      " ,  ,,,,,,,,,,,,,,,",                                          // nothing at all
      "taobao:e,戊,,,,,,,note,,,,,,,,",                               // not a customer: the JSON way
      "taobao:f,己,,,,05-10,;,,,,,黑,,,,,",
  };
  struct Result {
    std::string report, archive;
  };
  auto run = [&](const std::string& name, const std::string& extra_column) {
    std::string csv = header + extra_column + "\n";
    for (const auto& r : rows) csv += r + (extra_column.empty() ? "" : ",1") + "\n";
    auto store = open_customer_store(dir.file(name + ".db"));
    auto r = store->import_file(dir.write(name + ".csv", csv));
    Result out;
    out.report = std::to_string(r.rows) + " " + std::to_string(r.customers_created) + " " + std::to_string(r.failed) + "\n";
    out.report += problems_of(r);
    out.archive += archive_of(*store);
    return out;
  };
  Result direct = run("direct", "");
  Result json_form = run("json", ",id");  // "id": a known column, not a customer's
  EXPECT_EQ(direct.archive, json_form.archive);
  EXPECT_EQ(direct.report, json_form.report);
  EXPECT_NE(direct.report.find("4: customer: line 4: unknown customer type 'bargain_hunter'"), std::string::npos) << direct.report;
  EXPECT_NE(direct.report.find("5: customer:"), std::string::npos) << direct.report;
  EXPECT_NE(direct.report.find("7: note:"), std::string::npos) << direct.report;
  EXPECT_NE(direct.archive.find("\"name\":\"甲二\""), std::string::npos) << direct.archive;  // the later column
  EXPECT_NE(direct.archive.find("\"colours\":[\"红\"]"), std::string::npos) << direct.archive;  // "colours" after "colors"
  EXPECT_NE(direct.archive.find("\"tags\":[\"vip\",\"student\",\"price_sensitive\"]"), std::string::npos) << direct.archive;
}

// Notes, orders and consultations of scalars are read with simdjson (flat_json.hpp), any other
// line as a JSON object: both read a row the same. Here the same rows once as they are and once
// with an object-valued field, which sends them the JSON way.
TEST(CustomerImport, RecordLinesReadTheSameEitherWay) {
  TempDir dir;
  const std::vector<std::string> rows = {
      R"({"type":"note","customer":"t:a","text":"喜欢蓝色\u3001M码","author":"agent1","time":1700000000,"pinned":true})",
      R"({"type":"note","customer":"t:a","text":"first","text":"repeated key: the last one counts","pinned":"yes","id":42})",
      R"({"type":"note","customer":"t:b","note":"no text key","created_at":"2025-03-01 10:00","id":7.5})",
      R"({"type":"note","customer":"t:b","text":"bad time","time":"yesterday"})",
      R"({"type":"note","customer":"t:b","text":["not","a","string"]})",
      R"({"type":"note","customer":"t:zz","text":"no such customer"})",
      R"({"customer":"t:a","text":"a note by its keys","pinned":0})",
      R"({"type":"order","customer":"t:a","order_id":"O1","items":["裙子",3,"围巾",null],"amount":59.9,"currency":"CNY","time":1700000100})",
      R"({"type":"order","customer":"t:b","order_id":12345,"items":"a;b","amount":"¥1,299.00","status":"shipped"})",
      R"({"order_id":"O3","customer":"t:b","amount":1e2,"time":"2025-05-01"})",
      R"({"type":"order","customer":"t:b","order_id":"O4","amount":"lots"})",
      R"({"type":"consultation","customer":"t:a","intent":"refund","summary":"要退款","satisfaction":2,"resolved":false,"time":1700000200})",
      R"({"type":"consultation","customer":"t:b","intent":"no_such_intent","summary":"x"})",
      R"({"customer":"t:b","summary":"by its keys","satisfaction":"5","channel":"taobao","id":"c9"})",
      R"({"type":"consultation","customer":"t:b","summary":"bad score","satisfaction":9.5})",
  };
  struct Result {
    std::string report, archive;
  };
  auto run = [&](const std::string& name, bool json_way) {
    std::string jsonl;
    for (const auto& r : rows) jsonl += (json_way ? r.substr(0, r.size() - 1) + R"(,"x":{}})" : r) + "\n";
    auto store = open_customer_store(dir.file(name + ".db"));
    store->upsert(test::fields("甲", {"t:a"}));
    store->upsert(test::fields("乙", {"t:b"}));
    auto r = store->import_file(dir.write(name + ".jsonl", jsonl));
    Result out;
    out.report = std::to_string(r.rows) + " " + std::to_string(r.notes_added) + " " + std::to_string(r.purchases_added) +
                 " " + std::to_string(r.consultations_added) + " " + std::to_string(r.failed) + "\n";
    out.report += problems_of(r);
    out.archive += archive_of(*store);
    return out;
  };
  Result flat = run("flat", false);
  Result json_way = run("json", true);
  EXPECT_EQ(flat.report, json_way.report);
  EXPECT_EQ(flat.archive, json_way.archive);
  EXPECT_NE(flat.report.find("5: note: text must be a string"), std::string::npos) << flat.report;
  EXPECT_NE(flat.report.find("6: note: no such customer"), std::string::npos) << flat.report;
  EXPECT_NE(flat.archive.find("repeated key: the last one counts"), std::string::npos) << flat.archive;
  EXPECT_NE(flat.archive.find(R"("items":["裙子","围巾"])"), std::string::npos) << flat.archive;
  EXPECT_NE(flat.archive.find(R"("order_id":"12345")"), std::string::npos) << flat.archive;
}
