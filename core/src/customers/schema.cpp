// Schema versions and migrations of the customer database.
#include "schema.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "identifiers.hpp"

namespace kefu::customers {

const char* const kSchemaV1 = R"sql(
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
)sql";

namespace {

// Version 2. Identifiers of every kind share one table (key → customer), so each lookup is one index
// probe; the customer row lists its own identifiers (ids, a JSON list of keys in the order they were
// added), so showing a customer needs no second query and adding one no second index. The store
// keeps both in step. The per-customer aggregates (purchase_count, last_*_at) keep reminders to index range scans.
const char* const kTablesV2 = R"sql(
CREATE TABLE kefu_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE customers(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  name_key TEXT NOT NULL DEFAULT '',
  title TEXT NOT NULL DEFAULT '',
  birthday TEXT NOT NULL DEFAULT '',
  birthday_md INTEGER,
  locale TEXT NOT NULL DEFAULT '',
  tags TEXT NOT NULL DEFAULT '[]',
  preferences TEXT NOT NULL DEFAULT '{}',
  ids TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  purchase_count INTEGER NOT NULL DEFAULT 0,
  first_purchase_at INTEGER,
  last_purchase_at INTEGER,
  last_contact_at INTEGER,
  last_complaint_at INTEGER,
  last_satisfaction INTEGER);
CREATE TABLE identifiers(
  key TEXT PRIMARY KEY,
  customer_id INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE preferences(
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  PRIMARY KEY(kind, value, customer_id)) WITHOUT ROWID;
CREATE TABLE purchases(
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  order_id TEXT NOT NULL UNIQUE,
  items TEXT NOT NULL DEFAULT '[]',
  amount REAL,
  currency TEXT NOT NULL DEFAULT '',
  time INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT '');
CREATE TABLE consultations(
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  time INTEGER NOT NULL,
  channel TEXT NOT NULL DEFAULT '',
  intent TEXT NOT NULL DEFAULT 'other',
  summary TEXT NOT NULL DEFAULT '',
  satisfaction INTEGER,
  resolved INTEGER NOT NULL DEFAULT 1,
  source_key INTEGER);
CREATE TABLE survey_answers(
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  time INTEGER NOT NULL,
  survey TEXT NOT NULL DEFAULT '',
  question TEXT NOT NULL DEFAULT '',
  answer TEXT NOT NULL DEFAULT '',
  score INTEGER,
  source_key INTEGER);
)sql";

const char* const kNotesV2 = R"sql(
CREATE TABLE notes(
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  author TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  text TEXT NOT NULL,
  pinned INTEGER NOT NULL DEFAULT 0,
  source_key INTEGER);
)sql";

const char* const kIndexesV2 = R"sql(
CREATE INDEX customers_name ON customers(name_key) WHERE name_key <> '';
CREATE INDEX customers_birthday ON customers(birthday_md) WHERE birthday_md IS NOT NULL;
CREATE INDEX customers_last_purchase ON customers(last_purchase_at) WHERE purchase_count > 0;
CREATE INDEX customers_last_complaint ON customers(last_complaint_at) WHERE last_complaint_at IS NOT NULL;
CREATE INDEX customers_low_satisfaction ON customers(last_contact_at) WHERE last_satisfaction <= 2;
CREATE INDEX preferences_customer ON preferences(customer_id);
CREATE INDEX notes_customer_time ON notes(customer_id, created_at);
CREATE UNIQUE INDEX notes_source ON notes(source_key) WHERE source_key IS NOT NULL;
CREATE INDEX purchases_customer ON purchases(customer_id, time);
CREATE INDEX consultations_customer ON consultations(customer_id, time);
CREATE UNIQUE INDEX consultations_source ON consultations(source_key) WHERE source_key IS NOT NULL;
CREATE INDEX survey_answers_customer ON survey_answers(customer_id, time);
CREATE UNIQUE INDEX survey_answers_source ON survey_answers(source_key) WHERE source_key IS NOT NULL;
)sql";

// Full text: external-content FTS5 indexes (no second copy of the text) with the "kefu" tokenizer
// (fts_tokenizer.cpp: Chinese bigrams, whole words). Deletes and edits reach the index through
// triggers; new rows are indexed by the store itself (records.cpp), an import's a whole batch at
// once: with a trigger, SQLite 3.40's FTS5 writes its pending terms out as a new segment at every
// statement of a multi-statement transaction, which made imports slow and left thousands of
// segments for every search to visit.
// columnsize=0: no per-row token counts (they serve bm25(), which search does not use), one
// b-tree insert less per row.
// hashsize: terms of pending rows are kept in memory up to 32 MiB before they are written as a
// segment (the default, 1 MiB, makes a big import write and merge many small segments).
// Version 3 (schema version 2 had tokenize='kefu bigrams': trigrams plus bigrams, and column sizes).
const char* const kSearchV3 = R"sql(
CREATE VIRTUAL TABLE notes_fts USING fts5(text, content='notes', content_rowid='id', tokenize='kefu', columnsize=0);
CREATE TRIGGER notes_ad AFTER DELETE ON notes BEGIN
  INSERT INTO notes_fts(notes_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER notes_au AFTER UPDATE OF text ON notes BEGIN
  INSERT INTO notes_fts(notes_fts, rowid, text) VALUES ('delete', old.id, old.text);
  INSERT INTO notes_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE VIRTUAL TABLE consultations_fts USING fts5(summary, content='consultations', content_rowid='id', tokenize='kefu', columnsize=0);
CREATE TRIGGER consultations_ad AFTER DELETE ON consultations BEGIN
  INSERT INTO consultations_fts(consultations_fts, rowid, summary) VALUES ('delete', old.id, old.summary);
END;
CREATE TRIGGER consultations_au AFTER UPDATE OF summary ON consultations BEGIN
  INSERT INTO consultations_fts(consultations_fts, rowid, summary) VALUES ('delete', old.id, old.summary);
  INSERT INTO consultations_fts(rowid, summary) VALUES (new.id, new.summary);
END;
INSERT INTO notes_fts(notes_fts, rank) VALUES ('hashsize', 33554432);
INSERT INTO consultations_fts(consultations_fts, rank) VALUES ('hashsize', 33554432);
)sql";

void set_meta(sql::Conn& c, const char* key, const std::string& value) {
  auto st = c.q("INSERT INTO kefu_meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  st->bind(1, key).bind(2, value).run();
}

std::string get_meta(sql::Conn& c, const char* key) {
  auto st = c.q("SELECT value FROM kefu_meta WHERE key = ?1");
  st->bind(1, key);
  return st->step() ? st->str(0) : std::string();
}

bool table_exists(sql::Conn& c, const char* name) {
  auto st = c.q("SELECT 1 FROM sqlite_master WHERE name = ?1");
  st->bind(1, name);
  return st->step();
}

void create_v2(sql::Conn& c) {
  c.exec(kTablesV2);
  c.exec(kNotesV2);
  c.exec(kIndexesV2);
  c.exec(kSearchV3);
}

// 1 → 2: identifiers move to their own table (normalised, so "138-0013-8000" and "+86 13800138000"
// are one phone), tags become a JSON list, names get a folded key, notes gain pinned and an import
// key, orders, consultations and survey answers arrive. The full-text tables come with 2 → 3.
void migrate_1_to_2(sql::Conn& c, const ChineseConverter* to_simplified) {
  c.exec("ALTER TABLE customers RENAME TO customers_v1");
  c.exec("DROP TRIGGER notes_ai; DROP TRIGGER notes_ad; DROP TABLE notes_fts;");
  c.exec("ALTER TABLE notes RENAME TO notes_v1");
  c.exec("DROP INDEX IF EXISTS notes_customer");
  c.exec(kTablesV2);
  c.exec(kNotesV2);
  {
    sql::Stmt read(c.raw(), "SELECT id, external_id, name, phone, email, birthday, tags, created_at FROM customers_v1");
    auto insert = c.q(
        "INSERT INTO customers(id, name, name_key, birthday, birthday_md, tags, ids, created_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?8, ?7, ?7)");
    while (read.step()) {
      CustomerId id = read.i64(0);
      std::string name = read.str(2), birthday = normalize_birthday(read.view(5));
      nlohmann::json tags = nlohmann::json::array();
      std::string_view all = read.view(6);
      for (std::size_t from = 0; from <= all.size();) {
        auto to = all.find(';', from);
        if (to == std::string_view::npos) to = all.size();
        auto t = trim(all.substr(from, to - from));
        if (!t.empty()) tags.push_back(std::string(t));
        from = to + 1;
      }
      std::optional<IdentifierKey> keys[] = {
          read.is_null(1) ? std::nullopt : external_key(read.view(1)),
          read.is_null(3) ? std::nullopt : phone_key(read.view(3)),
          read.is_null(4) ? std::nullopt : email_key(read.view(4))};
      nlohmann::json ids = nlohmann::json::array();
      for (const auto& k : keys) {
        if (!k) continue;
        auto add = c.q("INSERT OR IGNORE INTO identifiers(key, customer_id) VALUES (?1, ?2)");
        if (add->bind(1, k->key).bind(2, id).run() > 0) ids.push_back(k->key);
      }
      insert->reset();
      insert->bind(1, id).bind(2, name).bind(3, name_key(name, to_simplified)).bind(4, birthday);
      insert->bind(5, birthday_month_day(birthday));
      insert->bind(6, tags.dump()).bind(7, read.i64(7)).bind(8, ids.dump());
      insert->run();
    }
  }
  c.exec(
      "INSERT INTO notes(id, customer_id, author, created_at, text) "
      "SELECT id, customer_id, author, created_at, text FROM notes_v1");
  c.exec("DROP TABLE notes_v1; DROP TABLE customers_v1;");
  c.exec(
      "UPDATE customers SET last_contact_at = (SELECT max(created_at) FROM notes WHERE notes.customer_id = customers.id)");
  c.exec(kIndexesV2);
}

// 2 → 3: the full-text tables are made again with the "kefu" tokenizer of version 3 (Chinese
// bigrams and whole words instead of trigrams plus bigrams; no column sizes) and rebuilt from the
// notes and consultations.
void migrate_2_to_3(sql::Conn& c) {
  c.exec(
      "DROP TRIGGER IF EXISTS notes_ad; DROP TRIGGER IF EXISTS notes_au; DROP TABLE IF EXISTS notes_fts;"
      "DROP TRIGGER IF EXISTS consultations_ad; DROP TRIGGER IF EXISTS consultations_au;"
      "DROP TABLE IF EXISTS consultations_fts;");
  c.exec(kSearchV3);
  c.exec("INSERT INTO notes_fts(notes_fts) VALUES ('rebuild')");
  c.exec("INSERT INTO consultations_fts(consultations_fts) VALUES ('rebuild')");
}

}  // namespace

void migrate(sql::Conn& c, const ChineseConverter* to_simplified) {
  sql::retry(c, [&] {
    int version = static_cast<int>(c.scalar("PRAGMA user_version"));
    bool fresh = version == 0 && !table_exists(c, "customers");
    if (version == kSchemaVersion && get_meta(c, "tokenizer") == std::to_string(sql::kTokenizerVersion)) return;
    if (version > kSchemaVersion)
      throw Error(ErrorCode::unsupported, "the customer database was written by a newer kefu (schema version " +
                                              std::to_string(version) + "; this build knows up to " +
                                              std::to_string(kSchemaVersion) + ")");
    // Table rebuilds need foreign keys off (outside any transaction), then one write transaction.
    c.exec("PRAGMA foreign_keys=OFF");
    try {
      sql::Txn txn(c, true);
      version = static_cast<int>(c.scalar("PRAGMA user_version"));  // another process may have migrated
      fresh = version == 0 && !table_exists(c, "customers");
      if (fresh) {
        create_v2(c);
      } else if (version == 0) {
        throw Error(ErrorCode::unsupported, "the customer database file holds tables kefu does not know");
      } else if (version < kSchemaVersion) {
        if (version == 1) migrate_1_to_2(c, to_simplified);
        if (version <= 2) migrate_2_to_3(c);
      }
      if (!fresh && get_meta(c, "tokenizer") != std::to_string(sql::kTokenizerVersion) && version == kSchemaVersion) {
        c.exec("INSERT INTO notes_fts(notes_fts) VALUES ('rebuild')");
        c.exec("INSERT INTO consultations_fts(consultations_fts) VALUES ('rebuild')");
      }
      set_meta(c, "tokenizer", std::to_string(sql::kTokenizerVersion));
      {
        sql::Stmt check(c.raw(), "PRAGMA foreign_key_check");
        if (check.step()) throw Error(ErrorCode::storage, "customer database: migration left dangling references");
      }
      c.exec("PRAGMA user_version=" + std::to_string(kSchemaVersion));
      txn.commit();
    } catch (...) {
      c.exec("PRAGMA foreign_keys=ON");
      throw;
    }
    c.exec("PRAGMA foreign_keys=ON");
  });
}

}  // namespace kefu::customers
