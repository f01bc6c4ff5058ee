// The SQLite customer store: opening, connections, lookups, and creating or changing customers.
#include "sqlite_store.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>

#include "deferred_indexes.hpp"
#include "identifiers.hpp"
#include "kefu/text.hpp"
#include "schema.hpp"

namespace kefu {
namespace customers {

using nlohmann::json;

Timestamp now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

namespace {

std::vector<std::string> string_list(const json& j) {
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& v : j)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

json prefs_json(const Preferences& p) {
  json j = json::object();
  if (!p.sizes.empty()) j["sizes"] = p.sizes;
  if (!p.colours.empty()) j["colours"] = p.colours;
  if (!p.brands.empty()) j["brands"] = p.brands;
  if (!p.categories.empty()) j["categories"] = p.categories;
  return j;
}

Preferences prefs_from(std::string_view text) {
  Preferences p;
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (!j.is_object()) return p;
  if (j.contains("sizes")) p.sizes = string_list(j["sizes"]);
  if (j.contains("colours")) p.colours = string_list(j["colours"]);
  if (j.contains("brands")) p.brands = string_list(j["brands"]);
  if (j.contains("categories")) p.categories = string_list(j["categories"]);
  return p;
}

std::vector<std::string> clean_list(const std::vector<std::string>& in, const char* what) {
  std::vector<std::string> out;
  for (const auto& v : in) {
    if (!is_valid_utf8(v)) throw Error(ErrorCode::invalid_utf8, std::string(what) + " is not valid UTF-8");
    std::string t(trim(v));
    if (t.empty() || std::find(out.begin(), out.end(), t) != out.end()) continue;
    if (t.size() > 200) throw Error(ErrorCode::too_large, std::string(what) + " is longer than 200 bytes");
    out.push_back(std::move(t));
  }
  return out;
}

Preferences clean_prefs(const Preferences& p) {
  return {clean_list(p.sizes, "a size"), clean_list(p.colours, "a colour"), clean_list(p.brands, "a brand"),
          clean_list(p.categories, "a category")};
}

std::string checked(const std::string& v, const char* what, std::size_t max = 1000) {
  if (!is_valid_utf8(v)) throw Error(ErrorCode::invalid_utf8, std::string(what) + " is not valid UTF-8");
  std::string t(trim(v));
  if (t.size() > max) throw Error(ErrorCode::too_large, std::string(what) + " is longer than " + std::to_string(max) + " bytes");
  return t;
}

// Every identifier of `fields`, normalised, in the order they are matched: external ids, phones, emails.
std::vector<IdentifierKey> identifier_keys(const CustomerFields& f) {
  std::vector<IdentifierKey> keys;
  auto add = [&](std::optional<IdentifierKey> k, const char* what) {
    if (!k) throw Error(ErrorCode::invalid_argument, std::string(what));
    for (const auto& e : keys)
      if (e.key == k->key) return;
    keys.push_back(std::move(*k));
  };
  for (const auto& e : f.external_ids)
    if (!trim(e).empty()) add(external_key(e), "an external id must be \"source:value\" (e.g. taobao:nick)");
  for (const auto& p : f.phones)
    if (!trim(p).empty()) add(phone_key(p), "a phone number must have 5 to 15 digits (+86, spaces and dashes are fine)");
  for (const auto& e : f.emails)
    if (!trim(e).empty()) add(email_key(e), "an email address must look like name@example.com");
  return keys;
}

std::string canonical_locale(const std::string& l) {
  if (l.empty()) return {};
  return locale_name(parse_locale(l));
}

void write_preferences(sql::Conn& c, CustomerId id, const Preferences& p) {
  c.q("DELETE FROM preferences WHERE customer_id = ?1")->bind(1, id).run();
  auto put = [&](const char* kind, const std::vector<std::string>& values) {
    for (const auto& v : values) {
      auto st = c.q("INSERT OR IGNORE INTO preferences(kind, value, customer_id) VALUES (?1, ?2, ?3)");
      st->bind(1, kind).bind(2, name_key(v, nullptr)).bind(3, id).run();
    }
  };
  put("size", p.sizes);
  put("colour", p.colours);
  put("brand", p.brands);
  put("category", p.categories);
}

}  // namespace

// ---- opening ----

SqliteCustomerStore::SqliteCustomerStore(const std::string& path, const SqliteStoreOptions& options)
    : path_(path), options_(options) {
  if (path.empty()) throw Error(ErrorCode::invalid_argument, "no customer database path given");
  memory_ = path == ":memory:";
  if (!memory_) {
    std::error_code ec;
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) throw Error(ErrorCode::io, "cannot create the directory " + parent.string() + ": " + ec.message());
  }
  if (options_.chinese) {
    chinese_ = options_.chinese;
  } else {
    own_chinese_ = std::make_unique<ChineseConverters>();
    chinese_ = own_chinese_.get();
  }
  to_simplified_ = &chinese_->to_simplified();
  conn_options_.busy_timeout_ms = options_.busy_timeout_ms;
  conn_options_.cache_kib = options_.cache_kib;
  conn_options_.mmap_bytes = options_.mmap_bytes;
  conn_options_.synchronous_full = options_.synchronous_full;
  conn_options_.memory = memory_;
  conn_options_.to_simplified = to_simplified_;
  // The writer gets a bigger page cache: imports touch index pages all over the file.
  sql::ConnOptions writer_options = conn_options_;
  writer_options.cache_kib = std::max(conn_options_.cache_kib, 64 * 1024);
  writer_ = std::make_unique<sql::Conn>(path, writer_options);
  migrate(*writer_, to_simplified_);
  // An import killed while it had indexes or aggregates put off: make them before anyone reads.
  if (has_deferred(*writer_)) write([&](sql::Conn& c) { return restore_deferred(c); });
  if (!memory_ && sqlite3_libversion_number() >= 3042000) {
    // FTS5 can drop a deleted row's entries from the index at once: forget need not merge it all.
    write([&](sql::Conn& c) {
      c.exec("INSERT INTO notes_fts(notes_fts, rank) VALUES ('secure-delete', 1)");
      c.exec("INSERT INTO consultations_fts(consultations_fts, rank) VALUES ('secure-delete', 1)");
      return 0;
    });
    fts_secure_delete_ = true;
  }
  if (log()) log()->info("customer database open (schema {})", kSchemaVersion);
  if (log()) log()->debug("customer database at {}", path);
}

SqliteCustomerStore::~SqliteCustomerStore() = default;

SqliteCustomerStore::Reader::Reader(const SqliteCustomerStore& store) : store_(store) {
  if (store.memory_) {
    writer_lock_ = std::unique_lock<std::mutex>(store.writer_mutex_);
    conn_ = store.writer_.get();
    return;
  }
  {
    std::lock_guard<std::mutex> lock(store.pool_mutex_);
    if (!store.pool_.empty()) {
      owned_ = std::move(store.pool_.back());
      store.pool_.pop_back();
    }
  }
  if (!owned_) {
    owned_ = std::make_unique<sql::Conn>(store.path_, store.conn_options_);
    owned_->exec("PRAGMA query_only=ON");
  }
  conn_ = owned_.get();
}

SqliteCustomerStore::Reader::~Reader() {
  if (!owned_) return;
  std::lock_guard<std::mutex> lock(store_.pool_mutex_);
  if (store_.pool_.size() < 16) store_.pool_.push_back(std::move(owned_));
}

// ---- reading ----

std::optional<Customer> SqliteCustomerStore::load_customer(sql::Conn& c, CustomerId id) const {
  Customer cu;
  auto st = c.q(
      "SELECT name, title, birthday, locale, tags, preferences, created_at, updated_at, ids FROM customers WHERE id = ?1");
  st->bind(1, id);
  if (!st->step()) return std::nullopt;
  cu.id = id;
  cu.name = st->str(0);
  cu.title = st->str(1);
  cu.birthday = st->str(2);
  cu.locale = st->str(3);
  auto tags = st->view(4);
  if (tags.size() > 2) cu.tags = string_list(json::parse(tags.begin(), tags.end(), nullptr, false));
  auto prefs = st->view(5);
  if (prefs.size() > 2) cu.preferences = prefs_from(prefs);
  cu.created_at = st->i64(6);
  cu.updated_at = st->i64(7);
  auto ids = st->view(8);
  if (ids.size() > 2)
    for (auto& key : string_list(json::parse(ids.begin(), ids.end(), nullptr, false))) {
      auto kind = key_kind(key);
      std::string shown = display_identifier(key, kind);
      if (kind == IdentifierKind::phone) cu.phones.push_back(std::move(shown));
      else if (kind == IdentifierKind::email) cu.emails.push_back(std::move(shown));
      else cu.external_ids.push_back(std::move(shown));
    }
  return cu;
}

std::optional<CustomerId> SqliteCustomerStore::lookup_key(sql::Conn& c, const std::string& key) const {
  auto st = c.q("SELECT customer_id FROM identifiers WHERE key = ?1");
  st->bind(1, key);
  if (!st->step()) return std::nullopt;
  return st->i64(0);
}

std::optional<CustomerId> SqliteCustomerStore::resolve_in(sql::Conn& c, std::string_view ref) const {
  if (!is_valid_utf8(ref)) throw Error(ErrorCode::invalid_utf8, "customer reference is not valid UTF-8");
  std::string_view r = trim(ref);
  if (r.empty()) throw Error(ErrorCode::empty, "customer reference is empty");
  if (r.rfind("kefu:", 0) == 0) {
    auto id = kefu_id(r);
    if (id && load_customer(c, *id)) return id;
    return std::nullopt;
  }
  if (auto k = external_key(r))
    if (auto id = lookup_key(c, k->key)) return id;
  if (auto k = email_key(r))
    if (auto id = lookup_key(c, k->key)) return id;
  if (auto k = phone_key(r))
    if (auto id = lookup_key(c, k->key)) return id;
  if (auto id = kefu_id(r)) {
    auto st = c.q("SELECT 1 FROM customers WHERE id = ?1");
    st->bind(1, *id);
    if (st->step()) return id;
  }
  return std::nullopt;
}

std::optional<Customer> SqliteCustomerStore::get(CustomerId id) const {
  return read([&](sql::Conn& c) { return load_customer(c, id); });
}

std::optional<CustomerId> SqliteCustomerStore::resolve(std::string_view ref) const {
  return read([&](sql::Conn& c) { return resolve_in(c, ref); });
}

std::optional<Customer> SqliteCustomerStore::by_external_id(std::string_view external_id) const {
  auto k = external_key(external_id);
  if (!k) throw Error(ErrorCode::invalid_argument, "an external id must be \"source:value\" (e.g. taobao:nick)");
  return read([&](sql::Conn& c) -> std::optional<Customer> {
    auto id = lookup_key(c, k->key);
    return id ? load_customer(c, *id) : std::nullopt;
  });
}

std::optional<Customer> SqliteCustomerStore::by_phone(std::string_view phone) const {
  auto k = phone_key(phone);
  if (!k) return std::nullopt;
  return read([&](sql::Conn& c) -> std::optional<Customer> {
    auto id = lookup_key(c, k->key);
    return id ? load_customer(c, *id) : std::nullopt;
  });
}

std::optional<Customer> SqliteCustomerStore::by_email(std::string_view email) const {
  auto k = email_key(email);
  if (!k) return std::nullopt;
  return read([&](sql::Conn& c) -> std::optional<Customer> {
    auto id = lookup_key(c, k->key);
    return id ? load_customer(c, *id) : std::nullopt;
  });
}

std::vector<Customer> SqliteCustomerStore::by_name_prefix(std::string_view prefix, std::size_t limit) const {
  std::string key = name_key(prefix, to_simplified_);
  if (key.empty()) return {};
  return read([&](sql::Conn& c) {
    std::vector<Customer> out;
    std::vector<CustomerId> ids;
    {
      auto st = c.q(
          "SELECT id FROM customers WHERE name_key >= ?1 AND name_key < ?2 AND name_key <> '' ORDER BY name_key, id LIMIT ?3");
      st->bind(1, key).bind(2, prefix_end(key)).bind(3, limit);
      while (st->step()) ids.push_back(st->i64(0));
    }
    for (auto id : ids)
      if (auto cu = load_customer(c, id)) out.push_back(std::move(*cu));
    return out;
  });
}

std::vector<Customer> SqliteCustomerStore::find(std::string_view query, std::size_t limit) const {
  if (!is_valid_utf8(query)) throw Error(ErrorCode::invalid_utf8, "query is not valid UTF-8");
  std::string_view q = trim(query);
  if (q.empty()) throw Error(ErrorCode::empty, "query is empty");
  if (q.size() > 1024) throw Error(ErrorCode::too_large, "query is longer than 1024 bytes");
  if (limit == 0) limit = 20;
  std::string key = name_key(q, to_simplified_);
  return read([&](sql::Conn& c) {
    std::vector<CustomerId> ids;
    auto add = [&](std::optional<CustomerId> id) {
      if (id && std::find(ids.begin(), ids.end(), *id) == ids.end()) ids.push_back(*id);
    };
    if (auto k = external_key(q)) add(lookup_key(c, k->key));
    if (auto k = email_key(q)) add(lookup_key(c, k->key));
    if (auto k = phone_key(q)) add(lookup_key(c, k->key));
    if (auto id = kefu_id(q)) {
      auto st = c.q("SELECT 1 FROM customers WHERE id = ?1");
      st->bind(1, *id);
      if (st->step()) add(id);
    }
    if (!key.empty() && ids.size() < limit) {
      auto st = c.q(
          "SELECT id FROM customers WHERE name_key >= ?1 AND name_key < ?2 AND name_key <> '' ORDER BY name_key, id LIMIT ?3");
      st->bind(1, key).bind(2, prefix_end(key)).bind(3, limit);
      while (st->step() && ids.size() < limit) add(st->i64(0));
    }
    std::vector<Customer> out;
    for (auto id : ids)
      if (auto cu = load_customer(c, id)) out.push_back(std::move(*cu));
    if (out.size() > limit) out.resize(limit);
    return out;
  });
}

std::size_t SqliteCustomerStore::customer_count() const {
  return read([&](sql::Conn& c) { return static_cast<std::size_t>(c.scalar("SELECT count(*) FROM customers")); });
}

std::size_t SqliteCustomerStore::note_count() const {
  return read([&](sql::Conn& c) { return static_cast<std::size_t>(c.scalar("SELECT count(*) FROM notes")); });
}

// ---- writing ----

namespace {

Prepared prepare_impl(const CustomerFields& f, const ChineseConverter* t2s) {
  Prepared p;
  p.keys = identifier_keys(f);
  p.name = checked(f.name, "name", 200);
  p.name_key = name_key(p.name, t2s);
  p.title = checked(f.title, "title", 100);
  if (!trim(f.birthday).empty()) {
    p.birthday = normalize_birthday(f.birthday);
    if (p.birthday.empty()) throw Error(ErrorCode::invalid_argument, "birthday must be a date such as 1990-05-03 or 05-03");
    p.birthday_md = birthday_month_day(p.birthday);
  }
  p.locale = canonical_locale(checked(f.locale, "locale", 20));
  if (f.tags) p.tags = json(clean_list(*f.tags, "a tag")).dump();
  if (f.preferences) {
    p.preferences = clean_prefs(*f.preferences);
    p.prefs_json = prefs_json(*p.preferences).dump();
  }
  json ids = json::array();
  for (const auto& k : p.keys) ids.push_back(k.key);
  p.ids_json = ids.dump();
  return p;
}

void add_identifiers(sql::Conn& c, CustomerId id, const std::vector<IdentifierKey>& keys, bool& changed,
                     std::vector<std::string>* conflicts, const SqliteCustomerStore& store) {
  if (keys.empty()) return;
  std::vector<std::string> added;
  for (const auto& k : keys) {
    auto ins = c.q("INSERT OR IGNORE INTO identifiers(key, customer_id) VALUES (?1, ?2)");
    if (ins->bind(1, k.key).bind(2, id).run() > 0) {
      added.push_back(k.key);
      continue;
    }
    auto owner = store.lookup_key(c, k.key);
    if (owner && *owner != id && conflicts)
      conflicts->push_back(std::string(k.kind == IdentifierKind::phone   ? "phone"
                                       : k.kind == IdentifierKind::email ? "email"
                                                                         : "external id") +
                           " already belongs to customer " + std::to_string(*owner) + "; left there");
  }
  if (added.empty()) return;
  json list = json::array();
  {
    auto st = c.q("SELECT ids FROM customers WHERE id = ?1");
    st->bind(1, id);
    if (st->step()) {
      auto v = st->view(0);
      list = json::parse(v.begin(), v.end(), nullptr, false);
      if (!list.is_array()) list = json::array();
    }
  }
  for (auto& k : added) list.push_back(std::move(k));
  c.q("UPDATE customers SET ids = ?2 WHERE id = ?1")->bind(1, id).bind(2, list.dump()).run();
  changed = true;
}

bool update_prepared(sql::Conn& c, CustomerId id, const Prepared& p, std::vector<std::string>* conflicts,
                     const SqliteCustomerStore& store, const ChineseConverter* t2s) {
  std::string name, title, birthday, locale, tags, prefs;
  {
    auto st = c.q("SELECT name, title, birthday, locale, tags, preferences FROM customers WHERE id = ?1");
    st->bind(1, id);
    if (!st->step()) throw Error(ErrorCode::not_found, "no customer " + std::to_string(id));
    name = st->str(0), title = st->str(1), birthday = st->str(2), locale = st->str(3), tags = st->str(4), prefs = st->str(5);
  }
  bool prefs_changed = p.prefs_json && *p.prefs_json != prefs;
  bool changed = (!p.name.empty() && p.name != name) || (!p.title.empty() && p.title != title) ||
                 (!p.birthday.empty() && p.birthday != birthday) || (!p.locale.empty() && p.locale != locale) ||
                 (p.tags && *p.tags != tags) || prefs_changed;
  if (changed) {
    if (!p.name.empty()) name = p.name;
    if (!p.title.empty()) title = p.title;
    if (!p.birthday.empty()) birthday = p.birthday;
    if (!p.locale.empty()) locale = p.locale;
    if (p.tags) tags = *p.tags;
    if (p.prefs_json) prefs = *p.prefs_json;
    auto st = c.q(
        "UPDATE customers SET name = ?2, name_key = ?3, title = ?4, birthday = ?5, birthday_md = ?6, locale = ?7, "
        "tags = ?8, preferences = ?9, updated_at = ?10 WHERE id = ?1");
    st->bind(1, id).bind(2, name).bind(3, name_key(name, t2s)).bind(4, title);
    st->bind(5, birthday).bind(6, birthday_month_day(birthday)).bind(7, locale).bind(8, tags);
    st->bind(9, prefs).bind(10, now_seconds());
    st->run();
    if (prefs_changed) write_preferences(c, id, *p.preferences);
  }
  bool ids_added = false;
  add_identifiers(c, id, p.keys, ids_added, conflicts, store);
  if (ids_added && !changed) {
    auto st = c.q("UPDATE customers SET updated_at = ?2 WHERE id = ?1");
    st->bind(1, id).bind(2, now_seconds()).run();
  }
  return changed || ids_added;
}

}  // namespace

bool SqliteCustomerStore::update_in(sql::Conn& c, CustomerId id, const CustomerFields& f,
                                    std::vector<std::string>* conflicts) {
  return update_prepared(c, id, prepare_impl(f, to_simplified_), conflicts, *this, to_simplified_);
}

Prepared SqliteCustomerStore::prepare(const CustomerFields& f) const { return prepare_impl(f, to_simplified_); }

CustomerId SqliteCustomerStore::upsert_in(sql::Conn& c, const CustomerFields& f, bool& created, bool& changed,
                                          std::vector<std::string>* conflicts) {
  return upsert_prepared(c, prepare_impl(f, to_simplified_), created, changed, conflicts);
}

CustomerId SqliteCustomerStore::insert_new(sql::Conn& c, const Prepared& p) {
  if (p.keys.empty() && p.name.empty())
    throw Error(ErrorCode::invalid_argument, "a customer needs a name, an external id, a phone or an email");
  {
    auto st = c.q(
        "INSERT INTO customers(name, name_key, title, birthday, birthday_md, locale, tags, preferences, ids, created_at, "
        "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?10, ?9, ?9)");
    st->bind_static(1, p.name).bind_static(2, p.name_key).bind_static(3, p.title).bind_static(4, p.birthday).bind(5, p.birthday_md);
    st->bind_static(6, p.locale).bind_static(7, p.tags ? std::string_view(*p.tags) : std::string_view("[]"));
    st->bind_static(8, p.prefs_json ? std::string_view(*p.prefs_json) : std::string_view("{}"));
    st->bind(9, now_seconds()).bind_static(10, p.ids_json).run();
  }
  CustomerId id = c.last_id();
  if (p.preferences && !p.preferences->empty()) write_preferences(c, id, *p.preferences);
  return id;
}

CustomerId SqliteCustomerStore::upsert_prepared(sql::Conn& c, const Prepared& p, bool& created, bool& changed,
                                                std::vector<std::string>* conflicts) {
  created = changed = false;
  if (p.keys.empty() && p.name.empty())
    throw Error(ErrorCode::invalid_argument, "a customer needs a name, an external id, a phone or an email");
  // Known already, by any identifier? (Point lookups: cheaper than a savepoint, which would copy
  // every page the insert touches into the statement journal.)
  std::optional<CustomerId> target;
  for (const auto& k : p.keys)
    if ((target = lookup_key(c, k.key))) break;
  if (!target) {
    CustomerId id = insert_new(c, p);
    for (const auto& k : p.keys)  // all free: checked above, under the write lock
      c.q("INSERT INTO identifiers(key, customer_id) VALUES (?1, ?2)")->bind(1, k.key).bind(2, id).run();
    created = changed = true;
    return id;
  }
  changed = update_prepared(c, *target, p, conflicts, *this, to_simplified_);
  return *target;
}

CustomerId SqliteCustomerStore::do_upsert(const CustomerFields& fields, bool& created, bool& changed) {
  struct R {
    CustomerId id;
    bool created, changed;
  };
  R r = write([&](sql::Conn& c) {
    R x{};
    x.id = upsert_in(c, fields, x.created, x.changed, nullptr);
    return x;
  });
  created = r.created;
  changed = r.changed;
  if (log()) log()->debug("customer {} {}", r.id, r.created ? "created" : r.changed ? "updated" : "unchanged");
  return r.id;
}

bool SqliteCustomerStore::do_update(CustomerId id, const CustomerFields& fields) {
  return write([&](sql::Conn& c) { return update_in(c, id, fields, nullptr); });
}

}  // namespace customers

std::unique_ptr<CustomerStore> open_customer_store(const std::string& path, const SqliteStoreOptions& options) {
  return std::make_unique<customers::SqliteCustomerStore>(path, options);
}

int customer_schema_version() noexcept { return customers::kSchemaVersion; }

}  // namespace kefu
