// Importing CSV and JSON Lines: customers, orders, notes, consultations and survey answers.
//
// A reading thread parses rows (checks and normalises customer rows, reads note rows and folds
// their text for the full-text index); this thread writes them, one transaction per batch (retried
// as a whole if another process holds the database), with the customers that references name
// remembered across batches (customer_refs.hpp) and the import's connection settings
// (import_settings.hpp). Each
// record is checked before it is written: a bad row is left out and reported by line, the rest of
// the batch goes in. (A customer line of the export form carries its records; a bad record among
// them is reported and the others are kept.) Re-importing adds nothing:
// customers are matched by their identifiers, orders by order id, and notes, consultations and
// answers by a key hashed from their content. Into an empty table an import loads in bulk: some
// indexes, and the customers' aggregates of orders and consultations, are made at its end
// (deferred_indexes.hpp, BulkTables below), and customers are matched in memory (NewCustomers).
#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <istream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>
#include <absl/container/flat_hash_set.h>
#include <nlohmann/json.hpp>

#include "customer_refs.hpp"
#include "dates.hpp"
#include "flat_json.hpp"
#include "deferred_indexes.hpp"
#include "identifiers.hpp"
#include "import_settings.hpp"
#include "json_forms.hpp"
#include "kefu/text.hpp"
#include "sqlite_store.hpp"

namespace kefu::customers {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxLineBytes = 1 << 20;

// ---- reading rows ----

enum class Kind { customer, order, note, consultation, survey };

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::customer: return "customer";
    case Kind::order: return "order";
    case Kind::note: return "note";
    case Kind::consultation: return "consultation";
    case Kind::survey: return "survey";
  }
  return "customer";
}

template <class J>  // nlohmann::json or FlatRow
std::optional<Kind> kind_of(const J& j) {
  if (j.contains("type") && j["type"].is_string()) {
    std::string t = j["type"].template get<std::string>();
    if (t == "customer") return Kind::customer;
    if (t == "order" || t == "purchase") return Kind::order;
    if (t == "note") return Kind::note;
    if (t == "consultation") return Kind::consultation;
    if (t == "survey" || t == "survey_answer") return Kind::survey;
    return std::nullopt;
  }
  if (j.contains("order_id")) return Kind::order;
  if (j.contains("summary") || j.contains("intent")) return Kind::consultation;
  if (j.contains("answer") || j.contains("question") || j.contains("survey")) return Kind::survey;
  if (j.contains("text") || j.contains("note")) return Kind::note;
  return Kind::customer;
}

/// Whether a line carries records of its customer (the export form: "notes": [...] ...).
template <class J>
bool carries_records(const J& j) {
  return j.contains("notes") || j.contains("orders") || j.contains("purchases") || j.contains("consultations") ||
         j.contains("survey_answers");
}

class LineReader {
 public:
  explicit LineReader(std::istream& in) : in_(in) {}
  /// Next physical line without its end of line; false at the end.
  bool next(std::string& line) {
    if (!std::getline(in_, line)) return false;
    bytes_ += line.size() + 1;
    ++number_;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number_ == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);  // BOM
    return true;
  }
  std::size_t number() const { return number_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  std::istream& in_;
  std::size_t number_ = 0;
  std::uint64_t bytes_ = 0;
};

// RFC 4180: fields separated by commas, quoted with "..." ("" inside), quoted fields may span lines.
// Returns false with `error` set for an unterminated quote.
bool read_csv_record(LineReader& r, std::vector<std::string>& fields, std::size_t& first_line, std::string& error) {
  std::string line;
  fields.clear();
  if (!r.next(line)) return false;
  first_line = r.number();
  std::string cur;
  bool quoted = false;
  for (;;) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (quoted) {
        if (c == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            cur.push_back('"');
            ++i;
          } else {
            quoted = false;
          }
        } else {
          cur.push_back(c);
        }
      } else if (c == '"' && cur.empty()) {
        quoted = true;
      } else if (c == ',') {
        fields.push_back(std::move(cur));
        cur.clear();
      } else {
        cur.push_back(c);
      }
    }
    if (!quoted) break;
    cur.push_back('\n');
    if (cur.size() > kMaxLineBytes || !r.next(line)) {
      error = "a quoted field is not closed";
      fields.push_back(std::move(cur));
      return true;
    }
  }
  fields.push_back(std::move(cur));
  return true;
}

// Columns each kind of CSV may have.
const std::vector<std::string>& known_columns() {
  static const std::vector<std::string> cols = {
      "type", "external_id", "external_ids", "customer", "name", "title", "phone", "phones", "email", "emails",
      "birthday", "tags", "types", "locale", "sizes", "colours", "colors", "brands", "categories", "order_id",
      "items", "amount", "currency", "time", "created_at", "status", "text", "note", "author", "pinned", "channel",
      "intent", "summary", "satisfaction", "resolved", "survey", "question", "answer", "score", "id"};
  return cols;
}

json csv_row_to_json(const std::vector<std::string>& header, const std::vector<std::string>& values) {
  json j = json::object();
  json prefs = json::object();
  for (std::size_t i = 0; i < header.size() && i < values.size(); ++i) {
    const std::string& k = header[i];
    std::string v(trim(values[i]));
    if (v.empty()) continue;
    if (k == "sizes" || k == "colours" || k == "colors" || k == "brands" || k == "categories") prefs[k] = v;
    else if (!k.empty()) j[k] = v;
  }
  if (!prefs.empty()) j["preferences"] = prefs;
  return j;
}

/// A customers CSV, read straight into CustomerFields: what customer_fields() makes of the JSON
/// object csv_row_to_json() builds, without building it (a third of the reading thread's time for
/// a million customers went into those objects). Only for a header of customer columns
/// (CsvCustomers::of) and a row whose "type" is empty or "customer"; any other goes the JSON way.
class CsvCustomers {
 public:
  /// For a header of customer columns only; nullopt for any other.
  static std::optional<CsvCustomers> of(const std::vector<std::string>& header) {
    CsvCustomers r;
    for (const auto& h : header) {
      auto it = std::find(std::begin(kColumns), std::end(kColumns), h);
      if (it == std::end(kColumns) && !h.empty()) return std::nullopt;
      r.column_.push_back(it == std::end(kColumns) ? -1 : static_cast<int>(it - std::begin(kColumns)));
    }
    return r;
  }

  /// Whether the row is a customer's (its "type" column empty or "customer").
  bool is_customer(const std::vector<std::string>& values) {
    read(values);
    return !has(kType) || value(kType) == "customer";
  }
  /// The row read by is_customer() as customer_fields() reads it; throws as it does.
  CustomerFields fields(const std::string& where) const {
    CustomerFields f;
    f.name = value(kName);
    f.title = value(kTitle);
    f.birthday = value(kBirthday);
    f.locale = value(kLocale);
    for (int c : {kExternalId, kExternalIds})
      if (has(c)) f.external_ids.emplace_back(value(c));
    for (int c : {kPhone, kPhones})
      if (has(c)) f.phones.emplace_back(value(c));
    for (int c : {kEmail, kEmails})
      if (has(c)) f.emails.emplace_back(value(c));
    if (has(kTags)) f.tags = split_semicolons(value(kTags));
    if (has(kTypes)) {
      if (!f.tags) f.tags = std::vector<std::string>();
      for (auto& t : split_semicolons(value(kTypes))) {
        if (!parse_customer_type(t))
          throw Error(ErrorCode::parse, where + ": unknown customer type '" + t +
                                            "' (price_sensitive, quality_seeking, health_beauty)");
        f.tags->push_back(t);
      }
    }
    // In the order of the JSON object's keys: "colours" after "colors".
    for (int c : {kBrands, kCategories, kColors, kColours, kSizes}) {
      if (!has(c)) continue;
      if (!f.preferences) f.preferences = Preferences{};
      auto list = split_semicolons(value(c));
      if (c == kBrands) f.preferences->brands = std::move(list);
      else if (c == kCategories) f.preferences->categories = std::move(list);
      else if (c == kSizes) f.preferences->sizes = std::move(list);
      else f.preferences->colours = std::move(list);
    }
    return f;
  }

 private:
  enum : int { kExternalId, kExternalIds, kName, kTitle, kPhone, kPhones, kEmail, kEmails, kBirthday, kTags, kTypes,
               kType, kLocale, kSizes, kColours, kColors, kBrands, kCategories, kCount };
  static constexpr const char* kColumns[kCount] = {"external_id", "external_ids", "name", "title", "phone", "phones",
                                                   "email", "emails", "birthday", "tags", "types", "type", "locale",
                                                   "sizes", "colours", "colors", "brands", "categories"};

  // The last non-blank value of each column, trimmed (csv_row_to_json: later columns win).
  void read(const std::vector<std::string>& values) {
    values_.fill(std::nullopt);
    for (std::size_t i = 0; i < column_.size() && i < values.size(); ++i) {
      if (column_[i] < 0) continue;
      std::string_view v = trim(values[i]);
      if (!v.empty()) values_[static_cast<std::size_t>(column_[i])] = v;
    }
  }
  bool has(int c) const { return values_[static_cast<std::size_t>(c)].has_value(); }
  std::string value(int c) const { return has(c) ? std::string(*values_[static_cast<std::size_t>(c)]) : std::string(); }

  std::vector<int> column_;  // per CSV column: its kColumns index, -1 for a nameless one
  std::array<std::optional<std::string_view>, kCount> values_;
};

// ---- values ----

template <class J>
std::string text(const J& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return {};
  const auto& v = j[key];
  if (v.is_string()) return v.template get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  throw Error(ErrorCode::parse, std::string(key) + " must be a string");
}

template <class J>
std::optional<Timestamp> time_of(const J& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  std::string s = j[key].is_number_integer() ? j[key].dump() : text(j, key);
  if (s.empty()) return std::nullopt;
  auto t = parse_time(s);
  if (!t) throw Error(ErrorCode::parse, std::string(key) + " must be a time such as 2025-03-01 10:00 or 2025-03-01T10:00:00Z");
  return t;
}

template <class J>
std::optional<bool> flag(const J& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  if (j[key].is_boolean()) return j[key].template get<bool>();
  std::string s = text(j, key);
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s == "1" || s == "true" || s == "yes" || s == "y") return true;
  if (s == "0" || s == "false" || s == "no" || s == "n" || s.empty()) return false;
  throw Error(ErrorCode::parse, std::string(key) + " must be true or false");
}

template <class J>
std::optional<int> score(const J& j, const char* key) {
  std::string s = text(j, key);
  if (s.empty()) return std::nullopt;
  if (s.size() > 2 || s[0] < '0' || s[0] > '9' || (s.size() == 2 && (s[1] < '0' || s[1] > '9')))
    throw Error(ErrorCode::parse, std::string(key) + " must be a whole number 1 to 5");
  return std::stoi(s);
}

template <class J>
std::optional<double> amount(const J& j) {
  if (!j.contains("amount") || j["amount"].is_null()) return std::nullopt;
  if (j["amount"].is_number()) return j["amount"].template get<double>();
  std::string s(trim(text(j, "amount")));
  // "¥59.00", "59.00 CNY", "1,299"
  std::string digits;
  for (char c : s)
    if ((c >= '0' && c <= '9') || c == '.' || c == '-') digits.push_back(c);
  if (digits.empty()) return std::nullopt;
  try {
    std::size_t used = 0;
    double v = std::stod(digits, &used);
    if (used != digits.size()) throw std::invalid_argument("amount");
    return v;
  } catch (const std::exception&) {
    throw Error(ErrorCode::parse, "amount must be a number");
  }
}

template <class J>
std::vector<std::string> list(const J& j, const char* key) {
  std::vector<std::string> out;
  if (!j.contains(key) || j[key].is_null()) return out;
  if (j[key].is_array()) {
    for (const auto& v : j[key])
      if (v.is_string()) out.push_back(v.template get<std::string>());
    return out;
  }
  std::string s = text(j, key);
  for (std::size_t from = 0; from <= s.size();) {
    auto to = s.find(';', from);
    if (to == std::string::npos) to = s.size();
    std::string item(trim(std::string_view(s).substr(from, to - from)));
    if (!item.empty()) out.push_back(item);
    from = to + 1;
  }
  return out;
}

// The store's own idempotence key of a record, as export writes it.
template <class J>
std::optional<std::int64_t> import_key(const J& j) {
  if (j.contains("key") && j["key"].is_number_integer()) return j["key"].template get<std::int64_t>();
  return std::nullopt;
}

/// The customer a record names: "customer" (a kefu id, external id, phone or email), else its
/// "customer_id", "external_id", "phone" or "email".
template <class J>
std::string customer_ref(const J& j) {
  std::string ref = text(j, "customer");
  if (ref.empty()) ref = text(j, "customer_id");
  if (ref.empty()) ref = text(j, "external_id");
  if (ref.empty()) ref = text(j, "phone");
  if (ref.empty()) ref = text(j, "email");
  if (ref.empty()) throw Error(ErrorCode::parse, "needs the customer (\"customer\": a kefu id, external id, phone or email)");
  return ref;
}

/// A note row as read: everything but the customer's id, which only the database knows.
struct NoteFields {
  std::string customer;  // the reference; empty for a note nested in its customer's line
  std::uint32_t ref_number = 0;  // the reference's number (RefNumbers), 0 for none
  NewNote note;
  std::string source;    // the source system's note id ("id")
  std::optional<std::int64_t> key;  // the store's own key (export form)
  std::string folded;    // the text folded for the full-text index (sql::fold_for_index), if done already
};

template <class J>
NoteFields note_fields(const J& j, bool nested) {
  NoteFields f;
  if (!nested) f.customer = customer_ref(j);
  f.note.text = text(j, "text");
  if (f.note.text.empty()) f.note.text = text(j, "note");
  f.note.author = text(j, "author");
  f.note.pinned = flag(j, "pinned").value_or(false);
  f.note.created_at = time_of(j, "created_at");
  if (!f.note.created_at) f.note.created_at = time_of(j, "time");
  f.source = text(j, "id");
  f.key = import_key(j);
  return f;
}

/// An order row as read, and a consultation row: everything but the customer's id.
struct OrderFields {
  std::string customer;  // the reference; empty when nested in its customer's line
  std::uint32_t ref_number = 0;  // the reference's number (RefNumbers), 0 for none
  Purchase purchase;
};

template <class J>
OrderFields order_fields(const J& j, bool nested, Timestamp now) {
  OrderFields f;
  Purchase& p = f.purchase;
  p.order_id = text(j, "order_id");
  p.items = list(j, "items");
  p.amount = amount(j);
  p.currency = text(j, "currency");
  p.time = time_of(j, "time").value_or(0);
  if (!p.time) p.time = time_of(j, "created_at").value_or(now);
  p.status = text(j, "status");
  if (!nested) f.customer = customer_ref(j);
  return f;
}

struct ConsultationFields {
  std::string customer;
  std::uint32_t ref_number = 0;  // the reference's number (RefNumbers), 0 for none
  Consultation consultation;
  std::string source;               // the source system's id ("id")
  std::optional<std::int64_t> key;  // the store's own key (export form)
};

template <class J>
ConsultationFields consultation_fields(const J& j, bool nested, Timestamp now) {
  ConsultationFields f;
  Consultation& v = f.consultation;
  v.time = time_of(j, "time").value_or(0);
  if (!v.time) v.time = time_of(j, "created_at").value_or(now);
  v.channel = text(j, "channel");
  std::string intent = text(j, "intent");
  if (!intent.empty()) {
    auto i = parse_intent(intent);
    if (!i) throw Error(ErrorCode::parse, "unknown intent '" + intent + "'");
    v.intent = *i;
  }
  v.summary = text(j, "summary");
  v.satisfaction = score(j, "satisfaction");
  v.resolved = flag(j, "resolved").value_or(true);
  f.source = text(j, "id");
  f.key = import_key(j);
  if (!nested) f.customer = customer_ref(j);
  return f;
}

/// One data row: its line and its fields as a JSON object (CSV rows are turned into the JSON form).
/// What the reading thread made of it is held by pointer, so that a batch's rows stay small.
struct Row {
  std::size_t line = 0;
  json fields;
  std::string error;                       // a row that could not even be parsed, or a customer that fails its checks
  std::unique_ptr<Prepared> prepared;      // a plain customer row, checked and normalised on the reading thread
  std::unique_ptr<NoteFields> note;        // a note row, read on the reading thread (`fields` is then emptied)
  std::unique_ptr<OrderFields> order;                // the same for an order row
  std::unique_ptr<ConsultationFields> consultation;  // and a consultation row
  Kind kind = Kind::customer;
  bool known_kind = false;            // `kind` is set (an unknown "type" leaves it unset)
  bool nested = false;                // a customer line carrying records (the export form)
};

struct Counts {
  std::size_t created = 0, updated = 0, unchanged = 0, notes = 0, purchases = 0, consultations = 0, surveys = 0;
  std::size_t failed = 0;
  std::vector<ImportProblem> problems;
};

}  // namespace

// ---- writing rows ----

namespace {

constexpr int kKinds = 5;
const char* const kTableOf[kKinds] = {"customers", "purchases", "notes", "consultations", "survey_answers"};

// What an import into an empty table can do without until its end: the indexes it never reads
// through (it reads survey answers and consultations by customer for the latest satisfaction
// score; customers by their identifiers, never by name or birthday; orders by order id, and by
// customer only to count them, which it then does at the end), the customers' aggregates of
// orders and consultations, counted at the end, and the merging of full-text index segments.
bool defer_until_the_end(sql::Conn& c, int kind) {
  switch (kind) {
    case 1:
      defer_aggregates(c, "purchases");
      defer_indexes(c, {"purchases_customer", "customers_last_purchase"});  // of the counts: made after them
      return true;
    case 2:
      if (!defer_indexes(c, {"notes_customer_time", "notes_source"})) return false;
      defer_merging(c, "notes_fts");
      return true;
    case 3:
      defer_aggregates(c, "consultations");
      defer_merging(c, "consultations_fts");
      defer_indexes(c, {"consultations_source", "customers_last_complaint", "customers_low_satisfaction"});
      return true;
    case 4: return defer_indexes(c, {"survey_answers_source"});
    case 0:
      // Customers: their identifiers are kept in memory too (NewCustomers below), and only if the
      // identifiers table is as empty as the customers table.
      if (c.scalar("SELECT EXISTS (SELECT 1 FROM identifiers)") != 0) return false;
      defer_indexes(c, {"customers_name", "customers_birthday"});
      return true;
    default: return false;
  }
}

/// The tables this import found empty and fills with some indexes (or the customers' aggregates
/// of their rows) put off (deferred_indexes.hpp), and the idempotence keys it wrote into them,
/// which the missing unique indexes cannot check. Decisions and keys of a transaction count once
/// it has committed.
struct BulkTables {
  std::array<int, kKinds> mode{-1, -1, -1, -1, -1};     // per Kind: -1 not decided, 0 indexed, 1 put off
  std::array<int, kKinds> pending{-1, -1, -1, -1, -1};  // as the transaction in progress decided
  absl::flat_hash_set<std::int64_t> keys[kKinds];
  std::vector<std::pair<int, std::int64_t>> added;      // keys added by the transaction in progress

  bool deferred(Kind k) const { return pending[static_cast<int>(k)] == 1; }
  bool seen(Kind k, std::int64_t key) const { return keys[static_cast<int>(k)].count(key) > 0; }
  void remember(Kind k, std::int64_t key) {
    if (keys[static_cast<int>(k)].insert(key).second) added.emplace_back(static_cast<int>(k), key);
  }
  /// At the start of each attempt at a transaction: undo what a failed attempt did.
  void begin() {
    for (auto& [k, key] : added) keys[k].erase(key);
    added.clear();
    pending = mode;
  }
  /// In the transaction, before its rows: for each empty table that `kinds` write, puts off what
  /// can wait until the end (defer_until_the_end).
  void decide(sql::Conn& c, const std::array<bool, kKinds>& kinds) {
    for (int k = 0; k < kKinds; ++k) {
      if (!kinds[k] || pending[k] != -1) continue;
      std::string empty = std::string("SELECT NOT EXISTS (SELECT 1 FROM ") + kTableOf[k] + ")";
      pending[k] = c.scalar(empty.c_str()) != 0 && defer_until_the_end(c, k) ? 1 : 0;
    }
  }
  void committed() {
    added.clear();
    mode = pending;
  }
  bool any() const {
    for (int m : mode)
      if (m == 1) return true;
    return false;
  }
};

/// Customers imported into an empty archive (BulkTables put the customers off): instead of up to
/// three b-tree lookups and three inserts at random places of the identifiers table per customer,
/// the import remembers a hash of every identifier key it has written, and writes a transaction's
/// new identifiers sorted by key, in one pass over the b-tree, before anything reads the table
/// (flush(): before any other kind of row, before a customer row that may be known already, and
/// at the end of the transaction). A key whose hash was never written is not in the table, as
/// long as nobody else writes to the database: a customer row whose keys are all new is created
/// at once, the others (a hash seen: a repeat, or rarely a collision) go the ordinary way. Each
/// transaction commits its customers with their identifiers, so there is nothing to repair after
/// a crash. When another connection (or another thread through this one) wrote between two of the
/// import's transactions, or a transaction is retried, the rest of the import goes the ordinary
/// way.
class NewCustomers {
 public:
  /// At the start of each attempt at a transaction, before BulkTables::decide.
  void begin(sql::Conn& c) {
    if (open_ || (marked_ && !(mark(c) == committed_))) off_ = true;
    if (off_) known_.clear();
    pending_.clear();
    open_ = true;
  }
  void end(sql::Conn& c) {
    committed_ = mark(c);
    marked_ = true;
    open_ = false;
  }
  bool on(const BulkTables& bulk) const { return !off_ && bulk.deferred(Kind::customer); }

  /// Whether every one of `keys` is surely not in the identifiers table (nor pending).
  bool all_new(const std::vector<IdentifierKey>& keys) const {
    for (const auto& k : keys)
      if (known_.contains(hash(k.key))) return false;
    return true;
  }
  /// The keys of a customer row just written: `id`'s to write with flush(), or `pending` false:
  /// written already (or owned by another customer).
  void add(const std::vector<IdentifierKey>& keys, CustomerId id, bool pending) {
    for (const auto& k : keys) {
      known_.insert(hash(k.key));
      if (pending) pending_.push_back({prefix(k.key, 0), prefix(k.key, 8), &k.key, id});
    }
  }
  /// Writes the pending identifiers, sorted by key. (The keys point into the batch's rows.)
  void flush(sql::Conn& c) {
    if (pending_.empty()) return;
    std::sort(pending_.begin(), pending_.end(), [](const Pending& a, const Pending& b) {
      if (a.head != b.head) return a.head < b.head;
      if (a.next != b.next) return a.next < b.next;
      return *a.key < *b.key;
    });
    // Many rows a statement: a statement's run costs more than a row's insert in key order.
    static const std::string many = [] {
      std::string sql = "INSERT INTO identifiers(key, customer_id) VALUES ";
      for (std::size_t i = 0; i < kRowsAStatement; ++i) sql += i ? ",(?,?)" : "(?,?)";
      return sql;
    }();
    std::size_t i = 0;
    for (; i + kRowsAStatement <= pending_.size(); i += kRowsAStatement) {
      auto st = c.q(many.c_str());
      for (std::size_t k = 0; k < kRowsAStatement; ++k) {
        const Pending& p = pending_[i + k];
        st->bind_static(static_cast<int>(2 * k + 1), *p.key).bind(static_cast<int>(2 * k + 2), p.id);
      }
      st->run();
    }
    for (; i < pending_.size(); ++i)
      c.q("INSERT INTO identifiers(key, customer_id) VALUES (?1, ?2)")->bind_static(1, *pending_[i].key).bind(2, pending_[i].id).run();
    pending_.clear();
  }

 private:
  struct Mark {
    std::int64_t data_version = -1, changes = -1;
    bool operator==(const Mark& o) const { return data_version == o.data_version && changes == o.changes; }
  };
  static Mark mark(sql::Conn& c) {
    return {c.scalar("PRAGMA data_version"), static_cast<std::int64_t>(sqlite3_total_changes64(c.raw()))};
  }
  static std::uint64_t hash(const std::string& key) { return std::hash<std::string>{}(key); }
  // Bytes `from` to `from + 8` of `key` (zeros past its end) as a number that sorts as they do:
  // most keys are ordered by their first 16 bytes without reading the string.
  static std::uint64_t prefix(const std::string& key, std::size_t from) {
    std::uint64_t v = 0;
    for (std::size_t i = from; i < from + 8; ++i)
      v = v << 8 | (i < key.size() ? static_cast<unsigned char>(key[i]) : 0u);
    return v;
  }
  static constexpr std::size_t kRowsAStatement = 32;
  struct Pending {
    std::uint64_t head, next;  // prefix(key, 0), prefix(key, 8)
    const std::string* key;
    CustomerId id;
  };

  absl::flat_hash_set<std::uint64_t> known_;  // hashes of the keys of every identifier this import wrote (or will, pending_)
  std::vector<Pending> pending_;
  Mark committed_;
  bool marked_ = false, open_ = false, off_ = false;
};

struct Importer {
  SqliteCustomerStore& store;
  sql::Conn& c;
  CustomerRefs& refs;
  BulkTables& bulk;
  NewCustomers& fresh;
  Counts& n;
  Timestamp now;
  sql::FoldedTexts& folded;  // the new notes' folded texts, in the order they were added

  CustomerId customer_named(const std::string& ref, std::uint32_t number = 0) {
    auto id = refs.resolve(c, ref, number);
    if (!id) throw Error(ErrorCode::not_found, "no such customer (import the customer first)");
    return *id;
  }
  CustomerId customer_of(const json& j) { return customer_named(customer_ref(j)); }

  void customer(const json& j, std::size_t line, const Prepared* prepared) {
    bool created = false, changed = false;
    std::vector<std::string> conflicts;
    CustomerId id = 0;
    if (!fresh.on(bulk)) {
      id = prepared ? store.upsert_prepared(c, *prepared, created, changed, &conflicts)
                    : store.upsert_in(c, customer_fields(j, "line " + std::to_string(line)), created, changed, &conflicts);
    } else if (prepared && fresh.all_new(prepared->keys)) {
      id = store.insert_new(c, *prepared);  // a new customer: its keys are written by fresh.flush()
      fresh.add(prepared->keys, id, true);
      created = changed = true;
    } else {
      fresh.flush(c);
      std::optional<Prepared> own;
      if (!prepared) own = store.prepare(customer_fields(j, "line " + std::to_string(line)));
      const Prepared& p = prepared ? *prepared : *own;
      id = store.upsert_prepared(c, p, created, changed, &conflicts);
      fresh.add(p.keys, id, false);
    }
    for (auto& msg : conflicts) n.problems.push_back({line, msg});
    if (created) ++n.created;
    else if (changed) ++n.updated;
    else ++n.unchanged;
    if (prepared) return;  // no records on this line (the reading thread looked)
    // A customer line may carry its records (the export form).
    auto nested = [&](const char* key, auto&& fn) {
      if (!j.contains(key) || j[key].is_null()) return;
      if (!j[key].is_array()) throw Error(ErrorCode::parse, std::string(key) + " must be a list");
      for (const auto& item : j[key]) fn(item, id);
    };
    nested("orders", [&](const json& o, CustomerId cid) { order(order_fields(o, true, now), cid); });
    nested("purchases", [&](const json& o, CustomerId cid) { order(order_fields(o, true, now), cid); });
    nested("notes", [&](const json& o, CustomerId cid) { note(note_fields(o, true), cid); });
    nested("consultations", [&](const json& o, CustomerId cid) { consultation(consultation_fields(o, true, now), cid); });
    nested("survey_answers", [&](const json& o, CustomerId cid) { survey(o, cid); });
  }

  void order(const OrderFields& f, std::optional<CustomerId> owner) {
    CustomerId id = owner ? *owner : customer_named(f.customer, f.ref_number);
    bool inserted = false;
    store.add_purchase_in(c, id, f.purchase, &inserted, !bulk.deferred(Kind::order), bulk.deferred(Kind::order));
    if (inserted) ++n.purchases;
  }

  void note(const NoteFields& f, std::optional<CustomerId> owner) {
    CustomerId id = owner ? *owner : customer_named(f.customer, f.ref_number);
    std::string idtext = std::to_string(id), when = f.note.created_at ? std::to_string(*f.note.created_at) : "";
    std::int64_t key = f.key.value_or(f.source.empty() ? content_key({"note", idtext, when, f.note.author, f.note.text})
                                                       : content_key({"note-id", idtext, f.source}));
    bool inserted = false;
    const bool deferred = bulk.deferred(Kind::note);
    if (deferred && bulk.seen(Kind::note, key)) return;  // a repeat within this import
    store.add_note_in(c, id, f.note, key, &inserted, false);
    if (deferred && inserted) bulk.remember(Kind::note, key);
    if (inserted) ++n.notes;
    if (inserted && !f.folded.empty()) folded.add(f.note.text, f.folded);
  }

  void consultation(const ConsultationFields& f, std::optional<CustomerId> owner) {
    CustomerId id = owner ? *owner : customer_named(f.customer, f.ref_number);
    const Consultation& v = f.consultation;
    std::string idtext = std::to_string(id);
    std::int64_t key = f.key.value_or(
        f.source.empty() ? content_key({"consultation", idtext, std::to_string(v.time), v.channel,
                                        std::string(to_string(v.intent)), v.summary})
                         : content_key({"consultation-id", idtext, f.source}));
    bool inserted = false;
    const bool deferred = bulk.deferred(Kind::consultation);
    if (deferred && bulk.seen(Kind::consultation, key)) return;
    store.add_consultation_in(c, id, v, key, &inserted, false, !deferred);
    if (deferred && inserted) bulk.remember(Kind::consultation, key);
    if (inserted) ++n.consultations;
  }

  void survey(const json& j, std::optional<CustomerId> owner) {
    CustomerId id = owner ? *owner : customer_of(j);
    SurveyAnswer a;
    a.time = time_of(j, "time").value_or(0);
    if (!a.time) a.time = time_of(j, "created_at").value_or(now);
    a.survey = text(j, "survey");
    a.question = text(j, "question");
    a.answer = text(j, "answer");
    a.score = score(j, "score");
    std::string idtext = std::to_string(id);
    std::int64_t key =
        import_key(j).value_or(content_key({"survey", idtext, std::to_string(a.time), a.survey, a.question}));
    bool inserted = false;
    const bool deferred = bulk.deferred(Kind::survey);
    if (deferred && bulk.seen(Kind::survey, key)) return;
    store.add_survey_answer_in(c, id, a, key, &inserted);
    if (deferred && inserted) bulk.remember(Kind::survey, key);
    if (inserted) ++n.surveys;
  }

  void row(const Row& r) {
    if (!r.known_kind) throw Error(ErrorCode::parse, "unknown type (customer, order, note, consultation, survey)");
    if (!(r.kind == Kind::customer && r.prepared)) fresh.flush(c);  // it may look customers up
    switch (r.kind) {
      case Kind::customer: customer(r.fields, r.line, r.prepared.get()); break;
      case Kind::order: order(*r.order, std::nullopt); break;
      case Kind::note: note(*r.note, std::nullopt); break;
      case Kind::consultation: consultation(*r.consultation, std::nullopt); break;
      case Kind::survey: survey(r.fields, std::nullopt); break;
    }
  }
};

}  // namespace

namespace {

struct Batch {
  std::vector<Row> rows;
  std::uint64_t bytes = 0;  // read so far when the batch was full
  std::array<bool, kKinds> kinds{};  // the kinds of record its rows are, by Kind

  /// On the reading thread, once the rows are all in.
  void seal() {
    for (const Row& r : rows)
      if (r.error.empty() && r.known_kind) kinds[static_cast<int>(r.kind)] = true;
  }
};

/// Hands batches from the reading thread to the writing one (at most two waiting), and written
/// batches back, to be cleared on the reading thread and filled again: the vector of rows keeps its
/// memory instead of giving it back to the system and faulting it in again.
class Queue {
 public:
  /// Queues `b`; `b` becomes a written batch, emptied, or a new one.
  bool push(Batch& b) {
    b.seal();
    std::deque<Batch> written;
    {
      std::unique_lock<std::mutex> lock(m_);
      cv_.wait(lock, [&] { return q_.size() < 2 || stop_; });
      if (stop_) return false;
      q_.push_back(std::move(b));
      written.swap(written_);
      cv_.notify_all();
    }
    b = Batch{};
    if (!written.empty()) {
      b.rows.swap(written.front().rows);
      b.rows.clear();  // the rows go, their vector's memory stays
    }
    return true;  // the rest of `written` is freed here, off the writing thread
  }
  void recycle(Batch&& b) {
    std::lock_guard<std::mutex> lock(m_);
    written_.push_back(std::move(b));
  }
  bool pop(Batch& b) {
    std::unique_lock<std::mutex> lock(m_);
    cv_.wait(lock, [&] { return !q_.empty() || done_; });
    if (q_.empty()) return false;
    b = std::move(q_.front());
    q_.pop_front();
    cv_.notify_all();
    return true;
  }
  void finish() {
    std::lock_guard<std::mutex> lock(m_);
    done_ = true;
    cv_.notify_all();
  }
  void stop() {
    std::lock_guard<std::mutex> lock(m_);
    stop_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<Batch> q_, written_;
  bool done_ = false, stop_ = false;
};

}  // namespace

ImportReport SqliteCustomerStore::do_import(std::istream& in, const std::string& name, std::uint64_t size,
                                            ImportOptions::Format format, const ImportOptions& options) {
  ImportReport report;
  const auto started = std::chrono::steady_clock::now();
  const std::size_t batch_rows = options.batch_rows ? options.batch_rows : ImportOptions{}.batch_rows;
  std::size_t committed = 0, rows_read = 0;
  std::vector<ImportProblem> header_problems;
  std::exception_ptr reader_error;
  Queue queue;

  // ---- the reading thread: lines → rows (parsed, customer rows checked and normalised) ----
  auto read_all = [&] {
    LineReader reader(in);
    Batch batch;
    RefNumbers ref_numbers;
    auto push = [&](Row&& row) {  // into the batch, handed over when full
      ++rows_read;
      batch.rows.push_back(std::move(row));
      if (batch.rows.size() >= batch_rows) {
        batch.bytes = reader.bytes();
        if (!queue.push(batch)) throw std::runtime_error("stopped");
      }
    };
    // A note, order or consultation row read from its fields (a JSON object or a FlatRow).
    auto read_record = [&](Row& row, const auto& fields) {
      try {
        if (row.kind == Kind::note) {
          row.note = std::make_unique<NoteFields>(note_fields(fields, false));
          row.note->ref_number = ref_numbers.of(row.note->customer);
          row.note->folded = sql::fold_for_index(row.note->note.text, to_simplified());
        } else if (row.kind == Kind::order) {
          row.order = std::make_unique<OrderFields>(order_fields(fields, false, now_seconds()));
          row.order->ref_number = ref_numbers.of(row.order->customer);
        } else {
          row.consultation = std::make_unique<ConsultationFields>(consultation_fields(fields, false, now_seconds()));
          row.consultation->ref_number = ref_numbers.of(row.consultation->customer);
        }
      } catch (const Error& e) {
        row.error = std::string(kind_name(row.kind)) + ": " + e.what();
      }
    };
    auto emit = [&](Row&& row) {  // a row parsed as a JSON object: read as its kind
      if (row.error.empty()) {
        auto kind = kind_of(row.fields);
        bool nested = carries_records(row.fields);
        row.known_kind = kind.has_value();
        row.kind = kind.value_or(Kind::customer);
        row.nested = nested;
        if (kind == Kind::customer && !nested) {
          try {
            row.prepared = std::make_unique<Prepared>(prepare(customer_fields(row.fields, "line " + std::to_string(row.line))));
            row.fields = json();  // all the writer needs is in `prepared`
          } catch (const Error& e) {
            row.error = std::string("customer: ") + e.what();
          }
        } else if (kind == Kind::note || kind == Kind::order || kind == Kind::consultation) {
          read_record(row, row.fields);
          row.fields = json();  // all the writer needs is in `note`, `order` or `consultation`
        }
      }
      push(std::move(row));
    };
    FlatRow flat;
    auto is_record = [](std::optional<Kind> k) { return k == Kind::note || k == Kind::order || k == Kind::consultation; };
    auto json_row = [&](const std::string& text, std::size_t number) {
      Row row;
      row.line = number;
      if (text.size() > kMaxLineBytes) {
        row.error = "is longer than 1 MiB";
      } else if (!is_valid_utf8(text)) {
        row.error = "is not valid UTF-8";
      } else if (std::optional<Kind> kind; flat.parse(text) && is_record(kind = kind_of(flat)) && !carries_records(flat)) {
        // A note, order or consultation of scalars: read without a JSON object.
        row.known_kind = true;
        row.kind = *kind;
        read_record(row, flat);
        push(std::move(row));
        return;
      } else {
        try {
          row.fields = json::parse(text);
          if (!row.fields.is_object()) row.error = "is not a JSON object";
        } catch (const json::parse_error& e) {
          std::string what = e.what();
          auto colon = what.find("; ");
          row.error = "is not valid JSON" + (colon == std::string::npos ? std::string() : ": " + what.substr(colon + 2));
        }
      }
      emit(std::move(row));
    };

    // The first line that is not blank: a CSV header, or the first JSON line.
    std::string line;
    std::size_t first_line = 0;
    while (reader.next(line))
      if (!trim(line).empty()) {
        first_line = reader.number();
        break;
      }
    bool csv = format == ImportOptions::Format::csv;
    if (first_line && format == ImportOptions::Format::automatic) csv = trim(line).front() != '{';
    if (first_line && csv) {
      std::istringstream one(line + "\n");
      LineReader header_reader(one);
      std::vector<std::string> header, values;
      std::size_t at = 0;
      std::string err;
      read_csv_record(header_reader, values, at, err);
      for (auto& h : values) {
        std::string k(trim(h));
        for (auto& ch : k) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        header.push_back(k);
      }
      auto has = [&](const char* col) { return std::find(header.begin(), header.end(), col) != header.end(); };
      if (!err.empty() || !(has("external_id") || has("customer") || has("phone") || has("email") || has("name")))
        throw Error(ErrorCode::parse, name + ":" + std::to_string(first_line) +
                                          ": not a kefu CSV header (customers: external_id,name,phone,email,birthday,tags; "
                                          "orders, notes and consultations need a customer or external_id column)");
      for (const auto& h : header)
        if (std::find(known_columns().begin(), known_columns().end(), h) == known_columns().end())
          header_problems.push_back({first_line, "unknown column '" + h + "' ignored"});
      std::optional<CsvCustomers> customers = CsvCustomers::of(header);
      std::size_t at_line = 0;
      while (read_csv_record(reader, values, at_line, err)) {
        if (values.size() == 1 && trim(values[0]).empty()) continue;  // blank line
        Row row;
        row.line = at_line;
        bool valid = true;
        for (const auto& v : values) valid = valid && is_valid_utf8(v);
        if (!err.empty()) row.error = err;
        else if (values.size() != header.size())
          row.error = "has " + std::to_string(values.size()) + " fields; the header has " + std::to_string(header.size());
        else if (!valid) row.error = "is not valid UTF-8";
        else if (customers && customers->is_customer(values)) {
          row.known_kind = true;
          try {
            row.prepared = std::make_unique<Prepared>(prepare(customers->fields("line " + std::to_string(row.line))));
          } catch (const Error& e) {
            row.error = std::string("customer: ") + e.what();
          }
          push(std::move(row));
          continue;
        } else row.fields = csv_row_to_json(header, values);
        err.clear();
        emit(std::move(row));
      }
    } else if (first_line) {
      json_row(line, first_line);
      while (reader.next(line))
        if (!trim(line).empty()) json_row(line, reader.number());
    }
    if (in.bad()) throw Error(ErrorCode::io, "reading " + name + " failed");
    batch.bytes = reader.bytes();
    queue.push(batch);
  };
  std::thread reader_thread([&] {
    try {
      read_all();
    } catch (...) {
      reader_error = std::current_exception();
    }
    queue.finish();
  });

  // ---- this thread: batches → one write transaction each ----
  ImportSettings settings(*this);
  auto problem = [&](std::size_t line, std::string msg) {
    if (report.problems.size() < options.max_problems) report.problems.push_back({line, std::move(msg)});
  };
  CustomerRefs refs(*this);
  BulkTables bulk;
  NewCustomers fresh;
  auto restore_indexes = [&] {
    if (bulk.any()) write([&](sql::Conn& c) { return restore_deferred(c); });
  };
  try {
    Batch batch;
    while (queue.pop(batch)) {
      if (batch.rows.empty()) continue;
      Timestamp now = now_seconds();
      Counts counts = write([&](sql::Conn& c) {
        Counts n;
        refs.begin(c);
        bulk.begin();
        fresh.begin(c);
        bulk.decide(c, batch.kinds);
        sql::FoldedTexts folded;
        Importer imp{*this, c, refs, bulk, fresh, n, now, folded};
        const std::int64_t notes_before = c.scalar("SELECT coalesce(max(id), 0) FROM notes");
        const std::int64_t consultations_before = c.scalar("SELECT coalesce(max(id), 0) FROM consultations");
        for (const Row& r : batch.rows) {
          if (!r.error.empty()) {
            ++n.failed;
            n.problems.push_back({r.line, r.error});
            continue;
          }
          // No savepoint per row: every record is checked before anything is written, and a
          // savepoint would make FTS5 write its pending terms as a new segment for every row.
          try {
            imp.row(r);
          } catch (const sql::Busy&) {
            throw;  // the whole batch is retried
          } catch (const Error& e) {
            if (e.code() == ErrorCode::io || e.code() == ErrorCode::storage) throw;  // the database, not the row
            ++n.failed;
            n.problems.push_back({r.line, std::string(kind_name(r.kind)) + ": " + e.what()});
          }
        }
        fresh.flush(c);
        sql::UseFoldedTexts use(folded);
        index_new(c, notes_before, consultations_before);  // the batch's new notes, in one statement
        return n;
      }, [&](sql::Conn& c) {
        refs.end(c);
        fresh.end(c);
        bulk.committed();
      }, false);  // foreign keys: every record's customer was just looked up in this transaction
      report.rows += batch.rows.size();
      report.customers_created += counts.created;
      report.customers_updated += counts.updated;
      report.unchanged += counts.unchanged;
      report.notes_added += counts.notes;
      report.purchases_added += counts.purchases;
      report.consultations_added += counts.consultations;
      report.surveys_added += counts.surveys;
      report.failed += counts.failed;
      for (auto& p : counts.problems) problem(p.line, std::move(p.message));
      committed += batch.rows.size();
      if (options.progress) options.progress({batch.bytes, size, committed, committed});
      queue.recycle(std::move(batch));
    }
  } catch (...) {
    queue.stop();
    reader_thread.join();
    try {
      restore_indexes();
    } catch (...) {  // recorded: the next opening of the store makes them
    }
    throw;
  }
  reader_thread.join();
  auto phase_end = std::chrono::steady_clock::now();
  auto seconds_since = [&phase_end] {
    auto was = phase_end;
    phase_end = std::chrono::steady_clock::now();
    return std::chrono::duration<double>(phase_end - was).count();
  };
  const double rows_s = std::chrono::duration<double>(phase_end - started).count();
  restore_indexes();
  const double indexes_s = seconds_since();
  if (reader_error) std::rethrow_exception(reader_error);
  report.problems.insert(report.problems.begin(), header_problems.begin(), header_problems.end());
  if (report.notes_added || report.consultations_added) tidy_index(report.notes_added, report.consultations_added);
  const double tidy_s = seconds_since();
  if (log())
    log()->debug("import: rows written in {:.2f} s, deferred indexes and counts made in {:.2f} s, full-text index merged in {:.2f} s",
                 rows_s, indexes_s, tidy_s);
  if (options.progress && report.rows == 0) options.progress({0, size, 0, 0});
  if (log())
    log()->info("imported {} rows: {} customers created, {} updated, {} unchanged, {} failed", report.rows,
                report.customers_created, report.customers_updated, report.unchanged, report.failed);
  return report;
}

}  // namespace kefu::customers
