// Secondary indexes put off while an import fills a table from empty (see deferred_indexes.hpp).
#include "deferred_indexes.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kefu/vocabulary.hpp"

namespace kefu::customers {

namespace {

constexpr std::string_view kPrefix = "deferred_index:";
constexpr std::string_view kAggregates = "deferred_aggregates:";
constexpr std::string_view kMerging = "deferred_merging:";

// The intents that count as a complaint (is_complaint), as an SQL list.
std::string complaint_intents() {
  std::string list;
  for (std::size_t i = 0; i < kIntentCount; ++i) {
    auto intent = static_cast<Intent>(i);
    if (!is_complaint(intent)) continue;
    list += (list.empty() ? "'" : ", '") + std::string(to_string(intent)) + "'";
  }
  return list;
}

// Counts a table's per-customer aggregates for every customer with rows in it (records.cpp keeps
// them row by row otherwise; the same definitions).
void count_aggregates(sql::Conn& c, std::string_view table) {
  if (table == "purchases") {
    c.exec(
        "UPDATE customers SET purchase_count = a.n, first_purchase_at = a.first, last_purchase_at = a.last "
        "FROM (SELECT customer_id, count(*) AS n, min(time) AS first, max(time) AS last FROM purchases "
        "GROUP BY customer_id) AS a WHERE customers.id = a.customer_id");
  } else if (table == "consultations") {
    const std::string complaints = "(SELECT max(time) FROM consultations WHERE customer_id = customers.id AND intent IN (" +
                                   complaint_intents() + "))";
    c.exec(
        "UPDATE customers SET "
        "last_contact_at = max(coalesce(last_contact_at, 0), (SELECT max(time) FROM consultations WHERE customer_id = customers.id)), "
        "last_complaint_at = CASE WHEN " + complaints + " IS NULL THEN last_complaint_at "
        "ELSE max(coalesce(last_complaint_at, 0), " + complaints + ") END, "
        "last_satisfaction = (SELECT s FROM ("
        "  SELECT satisfaction AS s, time FROM consultations WHERE customer_id = customers.id AND satisfaction IS NOT NULL"
        "  UNION ALL SELECT score, time FROM survey_answers WHERE customer_id = customers.id AND score IS NOT NULL)"
        " ORDER BY time DESC LIMIT 1) "
        "WHERE id IN (SELECT customer_id FROM consultations)");
  } else {
    throw Error(ErrorCode::storage, "customer database: no aggregates of " + std::string(table));
  }
}

// While CREATE INDEX sorts an index of numbers only: a small page cache, two sorting threads and
// temporary files. SQLite's sorter sorts what fits in the page cache as one list in memory;
// with the import's big cache (import_settings.hpp) that is one slow sort of the whole table, with
// a small one it sorts runs of a few MiB on worker threads and merges them. Runs kept in memory
// (temp_store=MEMORY, the connection's setting, so that customer data never reaches a temporary
// file) cost as much again. CREATE INDEX over a million notes' (customer, time) pairs went from
// 1.2 to 0.4 s (measured). Indexes of names and birthdays are made as the connection is set (small
// runs in memory were slower than one big sort).
class SortSettings {
 public:
  explicit SortSettings(sql::Conn& c)
      : c_(c), cache_size_(c.scalar("PRAGMA cache_size")), threads_(c.scalar("PRAGMA threads")),
        temp_store_(c.scalar("PRAGMA temp_store")) {
    c.exec("PRAGMA cache_size=-2048; PRAGMA threads=2; PRAGMA temp_store=FILE");
  }
  ~SortSettings() {
    try {
      c_.exec("PRAGMA cache_size=" + std::to_string(cache_size_) + "; PRAGMA threads=" + std::to_string(threads_) +
              "; PRAGMA temp_store=" + std::to_string(temp_store_));
    } catch (...) {
    }
  }
  SortSettings(const SortSettings&) = delete;
  SortSettings& operator=(const SortSettings&) = delete;

 private:
  sql::Conn& c_;
  std::int64_t cache_size_, threads_, temp_store_;
};

// The deferred indexes whose keys are numbers only (customer ids, times, hashed keys).
bool numbers_only(const std::string& index) {
  return index == "notes_customer_time" || index == "notes_source" || index == "purchases_customer" || index == "consultations_source" ||
         index == "survey_answers_source" || index == "customers_last_purchase" || index == "customers_last_complaint" ||
         index == "customers_low_satisfaction";
}

bool index_exists(sql::Conn& c, const std::string& name) {
  auto st = c.q("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?1");
  st->bind(1, name);
  return st->step();
}

// Records a thing put off: kefu_meta key → value (an index's CREATE statement, or "1").
void record(sql::Conn& c, const std::string& key, const std::string& value) {
  c.q("INSERT OR REPLACE INTO kefu_meta(key, value) VALUES (?1, ?2)")->bind(1, key).bind(2, value).run();
}

// FTS5's merging of `fts_table`'s segments (it persists in the table's config).
void set_merging(sql::Conn& c, const std::string& fts_table, int automerge, int crisismerge) {
  const std::string& t = fts_table;
  c.exec("INSERT INTO " + t + "(" + t + ", rank) VALUES ('automerge', " + std::to_string(automerge) + "); INSERT INTO " +
         t + "(" + t + ", rank) VALUES ('crisismerge', " + std::to_string(crisismerge) + ")");
}

// Makes the index `name` from its recorded CREATE statement unless it exists; whether it did.
bool make_index(sql::Conn& c, const std::string& name, const std::string& create) {
  if (index_exists(c, name)) return false;
  std::optional<SortSettings> sorting;
  if (numbers_only(name)) sorting.emplace(c);
  try {
    c.exec(create);
  } catch (const Error&) {
    // A unique idempotence key (source_key) that another writer repeated while the index was
    // missing: keep the first row with each key, as INSERT OR IGNORE would have, and try again.
    auto on = create.find(" ON ");
    auto paren = create.find('(', on == std::string::npos ? 0 : on);
    if (create.rfind("CREATE UNIQUE INDEX", 0) != 0 || create.find("(source_key)") == std::string::npos ||
        on == std::string::npos || paren == std::string::npos)
      throw;
    std::string table = create.substr(on + 4, paren - on - 4);
    c.exec("DELETE FROM " + table + " WHERE source_key IS NOT NULL AND id NOT IN (SELECT min(id) FROM " + table +
           " WHERE source_key IS NOT NULL GROUP BY source_key)");
    c.exec(create);
  }
  return true;
}

}  // namespace

bool defer_indexes(sql::Conn& c, std::initializer_list<const char*> names) {
  bool any = false;
  for (const char* name : names) {
    std::string create;
    {
      auto st = c.q("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1 AND sql IS NOT NULL");
      st->bind(1, name);
      if (!st->step()) continue;
      create = st->str(0);
    }
    record(c, std::string(kPrefix) + name, create);
    c.exec(std::string("DROP INDEX \"") + name + "\"");
    any = true;
  }
  return any;
}

void defer_aggregates(sql::Conn& c, const char* table) { record(c, std::string(kAggregates) + table, "1"); }

void defer_merging(sql::Conn& c, const char* fts_table) {
  set_merging(c, fts_table, 0, 200);
  record(c, std::string(kMerging) + fts_table, "1");
}

int restore_deferred(sql::Conn& c) {
  std::vector<std::pair<std::string, std::string>> recorded;  // meta key, CREATE statement
  {
    auto st = c.q("SELECT key, value FROM kefu_meta WHERE key >= 'deferred_' AND key < 'deferred`'");
    while (st->step()) recorded.emplace_back(st->str(0), st->str(1));
  }
  // In this order: FTS5's merging, the indexes of the record tables, the customers' counts (which
  // read those tables), and last the customers' own indexes (of the counts: made after them, not
  // kept up to date through a million updates).
  auto rank = [](const std::pair<std::string, std::string>& r) {
    if (r.first.rfind(kMerging, 0) == 0) return 0;
    if (r.first.rfind(kAggregates, 0) == 0) return 2;
    return r.second.find(" ON customers(") == std::string::npos ? 1 : 3;
  };
  std::stable_sort(recorded.begin(), recorded.end(), [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
  int made = 0;
  for (const auto& [key, create] : recorded) {
    if (key.rfind(kMerging, 0) == 0) {
      const std::string t = key.substr(kMerging.size());
      if (t != "notes_fts" && t != "consultations_fts") throw Error(ErrorCode::storage, "customer database: unknown " + key);
      set_merging(c, t, 4, 16);  // FTS5's defaults
      ++made;
    } else if (key.rfind(kAggregates, 0) == 0) {
      count_aggregates(c, std::string_view(key).substr(kAggregates.size()));
      ++made;
    } else if (make_index(c, key.substr(kPrefix.size()), create)) {
      ++made;
    }
    c.q("DELETE FROM kefu_meta WHERE key = ?1")->bind(1, key).run();
  }
  return made;
}

bool has_deferred(sql::Conn& c) {
  auto st = c.q("SELECT 1 FROM kefu_meta WHERE key >= 'deferred_' AND key < 'deferred`' LIMIT 1");
  return st->step();
}

}  // namespace kefu::customers
