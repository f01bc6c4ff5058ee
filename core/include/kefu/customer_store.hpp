// kefu/customer_store.hpp — the customer archive the training standard asks for: who each customer
// is, what they bought, what they asked, what they said, and when to reach out.
//
//   kefu::EngineOptions options;
//   options.db_path = "shop.db";                                 // or open_customer_store("shop.db")
//   kefu::Engine engine(options);
//   auto& store = engine.customers();
//   kefu::CustomerFields fields;
//   fields.name = "王芳";
//   fields.external_ids = {"taobao:wangfang88"};
//   fields.phones = {"138 0013 8000"};
//   auto id = store.upsert(fields);
//   store.add_note(id, {"喜欢蓝色，穿M码"});
//   auto hits = store.search("蓝色");
//   auto card = store.profile(id);                                // the agent's sidebar
//
// CustomerStore is an interface: callers never see SQLite, so a server-backed store can stand in
// for the SQLite one (open_customer_store) without touching them. The public write methods are
// the same for every backend and publish the events `note_added`, `customer_updated` and
// `care_due` to the listener; backends implement the protected do_* methods.
//
// Every method is thread-safe. Stores in several processes may share one SQLite file: one writer
// at a time, any number of readers, and a busy database is waited for, never reported as
// "database is locked". Customer data is logged at debug level or below only.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kefu/locale.hpp"
#include "kefu/logging.hpp"
#include "kefu/vocabulary.hpp"

namespace spdlog { class logger; }

namespace kefu {

class ChineseConverters;

using CustomerId = std::int64_t;  ///< the kefu id of a customer (> 0)
using Timestamp = std::int64_t;   ///< seconds since 1970-01-01 UTC

/// What a customer likes; matched against new arrivals. Values are kept as written.
struct Preferences {
  std::vector<std::string> sizes;
  std::vector<std::string> colours;
  std::vector<std::string> brands;
  std::vector<std::string> categories;
  bool empty() const { return sizes.empty() && colours.empty() && brands.empty() && categories.empty(); }
};

struct Customer {
  CustomerId id = 0;
  std::string name;
  std::string title;                        ///< form of address: 女士, 先生, 亲, Ms., Mr.
  std::vector<std::string> external_ids;    ///< "taobao:wangfang88", "chatwoot:123", "zendesk:456"
  std::vector<std::string> phones;          ///< normalised, E.164: "+8613800138000"
  std::vector<std::string> emails;          ///< normalised: "wang@example.com"
  std::string birthday;                     ///< "1990-05-03", or "--05-03" when the year is unknown
  std::vector<std::string> tags;            ///< free tags plus the types: vip, price_sensitive...
  Preferences preferences;
  std::string locale;                       ///< "zh-CN", "zh-TW", "zh-HK", "en" or "" (unknown)
  Timestamp created_at = 0;
  Timestamp updated_at = 0;
  /// The tags that name a customer type (price_sensitive, quality_seeking, health_beauty).
  std::vector<CustomerType> types() const;
};

/// Fields to create a customer or change one. Empty strings and lists leave a field as it is;
/// identifiers are added (never removed); `tags` and `preferences` replace when set.
struct CustomerFields {
  std::string name;
  std::string title;
  std::vector<std::string> external_ids;    ///< "source:value"; "phone:..." and "email:..." are accepted too
  std::vector<std::string> phones;          ///< any common format: "+86 138-0013-8000", "１３８００１３８０００"
  std::vector<std::string> emails;
  std::string birthday;                     ///< "1990-05-03", "1990/5/3", "19900503", "05-03", "1990年5月3日"
  std::optional<std::vector<std::string>> tags;
  std::optional<Preferences> preferences;
  std::string locale;
};

struct Note {
  std::int64_t id = 0;
  CustomerId customer_id = 0;
  std::string author;
  Timestamp created_at = 0;
  std::string text;
  bool pinned = false;
};

struct NewNote {
  std::string text;
  std::string author;
  bool pinned = false;
  std::optional<Timestamp> created_at;      ///< default: now
};

struct Purchase {
  std::int64_t id = 0;
  CustomerId customer_id = 0;
  std::string order_id;                     ///< unique; adding an order id again updates that order
  std::vector<std::string> items;           ///< product names
  std::optional<double> amount;
  std::string currency;                     ///< "CNY", "USD"...
  Timestamp time = 0;                       ///< 0 when added: now
  std::string status;                       ///< free text: paid, shipped, delivered, refunded...
};

struct Consultation {
  std::int64_t id = 0;
  CustomerId customer_id = 0;
  Timestamp time = 0;                       ///< 0 when added: now
  std::string channel;                      ///< chat, phone, email, taobao...
  Intent intent = Intent::other;
  std::string summary;
  std::optional<int> satisfaction;          ///< 1 (very unhappy) .. 5 (very happy)
  bool resolved = true;                     ///< false: an open problem, shown on the profile card
};

struct SurveyAnswer {
  std::int64_t id = 0;
  CustomerId customer_id = 0;
  Timestamp time = 0;                       ///< 0 when added: now
  std::string survey;
  std::string question;
  std::string answer;
  std::optional<int> score;                 ///< 1..5; counts towards the satisfaction trend
};

/// One full-text search result: a note or a consultation summary.
struct SearchHit {
  enum class Kind { note, consultation };
  Kind kind = Kind::note;
  std::int64_t id = 0;                      ///< note or consultation id
  CustomerId customer_id = 0;
  std::string text;                         ///< the note, or the consultation summary
  std::string author;                       ///< notes; the channel for consultations
  Timestamp time = 0;
  bool pinned = false;
  double score = 0;                         ///< higher is better
};

struct SearchOptions {
  std::size_t limit = 20;
  std::size_t offset = 0;                   ///< for paging
  std::optional<CustomerId> customer;       ///< only this customer's notes
  bool notes = true;
  bool consultations = true;
};

/// A product just in; customers whose preferences match get a new_arrival reminder.
struct Arrival {
  std::string product;
  std::string brand;
  std::string category;
  std::vector<std::string> colours;
  std::vector<std::string> sizes;
};

enum class CareKind { birthday, holiday, churn_risk, win_back, new_arrival };
std::string_view to_string(CareKind kind) noexcept;

/// Time to reach out to a customer, as the standard asks, and the template to do it with.
struct CareReminder {
  CareKind kind = CareKind::birthday;
  CustomerId customer_id = 0;
  std::string customer_name;
  Locale locale = Locale::zh_CN;            ///< the customer's, or ReminderOptions::locale when unknown
  std::string occasion;                     ///< template occasion: birthday, holiday, win_back, survey, new_arrival, follow_up
  std::string due;                          ///< "YYYY-MM-DD"
  int days = 0;                             ///< days from today to `due` (negative: overdue)
  std::string reason;                       ///< birthday, holiday, regular_buyer_quiet, recent_complaint,
                                            ///< low_satisfaction, churned, preference_match
  std::string detail;                       ///< the holiday's or product's name
  std::vector<std::string> hints;           ///< template tags that fit best (complaint_flow, spring_festival...)
  std::string template_id;                  ///< the outreach template to use
  std::map<std::string, std::string, std::less<>> vars;  ///< values for it: name, title, holiday, last_product...
};

struct ReminderOptions {
  std::string today;                        ///< "YYYY-MM-DD"; empty: today, local time
  int birthday_days = 7;                    ///< birthdays within this many days
  int holiday_days = 7;                     ///< holidays within this many days
  int churn_after_days = 90;                ///< a buyer with no purchase for this long has churned
  int win_back_days = 30;                   ///< win back within this many days of churning
  int quiet_factor = 2;                     ///< a regular buyer is quiet after this many usual intervals
  std::vector<Arrival> arrivals;
  std::optional<CustomerId> customer;       ///< one customer only
  Locale locale = Locale::zh_CN;            ///< for customers of unknown locale: template and holiday names
  std::size_t limit = 200;                  ///< most reminders returned (soonest first)
};

/// The agent's sidebar: who, type and tags, last purchase, open problems, last complaint,
/// satisfaction trend, notes and care reminders.
struct ProfileCard {
  Customer customer;
  std::vector<CustomerType> types;
  std::optional<Purchase> last_purchase;
  std::size_t purchase_count = 0;
  std::vector<Consultation> open_problems;  ///< unresolved consultations, newest first
  std::optional<Consultation> last_complaint;
  std::vector<int> satisfaction;            ///< the latest scores (consultations and surveys), oldest first
  std::optional<double> satisfaction_average;
  std::string satisfaction_trend;           ///< "up", "down", "steady" or "" (fewer than two scores)
  std::vector<Note> pinned_notes;
  std::vector<Note> recent_notes;           ///< newest first, pinned ones left out
  std::vector<CareReminder> reminders;
};

struct ImportProblem {
  std::size_t line = 0;                     ///< 1-based line of the file
  std::string message;
};

struct ImportProgress {
  std::uint64_t bytes_read = 0;
  std::uint64_t bytes_total = 0;            ///< 0 when unknown (a pipe)
  std::size_t rows = 0;                     ///< rows read so far
  std::size_t rows_committed = 0;           ///< rows whose changes are committed (survive a crash)
};

struct ImportOptions {
  enum class Format { automatic, csv, jsonl };
  Format format = Format::automatic;        ///< automatic: by extension, else by the first character
  std::function<void(const ImportProgress&)> progress;  ///< called after each batch and at the end
  std::size_t batch_rows = 50000;           ///< rows per transaction (other writers wait for one at most)
  std::size_t max_problems = 1000;          ///< problems listed (all are counted)
};

struct ImportReport {
  std::size_t rows = 0;                     ///< data rows read
  std::size_t customers_created = 0;
  std::size_t customers_updated = 0;
  std::size_t unchanged = 0;                ///< rows already imported as they are
  std::size_t notes_added = 0;
  std::size_t purchases_added = 0;
  std::size_t consultations_added = 0;
  std::size_t surveys_added = 0;
  std::size_t failed = 0;                   ///< rows left out
  std::vector<ImportProblem> problems;      ///< bad rows (left out) and warnings, by line
};

struct ForgetReport {
  std::size_t notes = 0, purchases = 0, consultations = 0, survey_answers = 0, identifiers = 0;
  bool purged = false;                      ///< the freed space is overwritten and the write-ahead log emptied
};

/// Which store fields an identifier or query is: lookups normalise the same way storage does.
enum class IdentifierKind { external_id = 0, phone = 1, email = 2 };
/// "+8613800138000" from "+86 138-0013-8000", "008613800138000", "138 0013 8000", "１３８００１３８０００";
/// "" when `text` is not a phone number.
std::string normalize_phone(std::string_view text);
/// Trimmed, NFKC, lower case; "" when `text` is not an email address.
std::string normalize_email(std::string_view text);
/// "1990-05-03" or "--05-03"; "" when `text` is not a date. Throws nothing.
std::string normalize_birthday(std::string_view text);

class CustomerStore {
 public:
  virtual ~CustomerStore();
  CustomerStore(const CustomerStore&) = delete;
  CustomerStore& operator=(const CustomerStore&) = delete;

  // ---- lookups ----
  virtual std::optional<Customer> get(CustomerId id) const = 0;
  /// A customer reference as users type it: a kefu id ("42" or "kefu:42"), an external id
  /// ("taobao:wangfang88"), a phone or an email in any common format.
  virtual std::optional<CustomerId> resolve(std::string_view ref) const = 0;
  /// Like resolve() but throws Error(not_found) naming nothing of the reference's content.
  CustomerId require(std::string_view ref) const;
  virtual std::optional<Customer> by_external_id(std::string_view external_id) const = 0;
  virtual std::optional<Customer> by_phone(std::string_view phone) const = 0;
  virtual std::optional<Customer> by_email(std::string_view email) const = 0;
  /// Customers whose name starts with `prefix` (case, width and Traditional/Simplified folded).
  virtual std::vector<Customer> by_name_prefix(std::string_view prefix, std::size_t limit = 20) const = 0;
  /// Every lookup at once: exact identifiers (external id, phone, email, kefu id) first, then name prefix.
  virtual std::vector<Customer> find(std::string_view query, std::size_t limit = 20) const = 0;

  virtual std::vector<Note> notes(CustomerId id, std::size_t limit = 50) const = 0;
  virtual std::vector<Purchase> purchases(CustomerId id, std::size_t limit = 50) const = 0;
  virtual std::vector<Consultation> consultations(CustomerId id, std::size_t limit = 50) const = 0;
  virtual std::vector<SurveyAnswer> survey_answers(CustomerId id, std::size_t limit = 50) const = 0;

  /// Full-text search over notes and consultation summaries, best first. Works for Chinese
  /// (Simplified and Traditional find each other), English, and mixed text; terms of one or two
  /// characters are matched as substrings too.
  virtual std::vector<SearchHit> search(std::string_view query, const SearchOptions& options = {}) const = 0;

  /// The profile card. Throws Error(not_found).
  ProfileCard profile(CustomerId id, const ReminderOptions& options = {}) const;
  /// Care reminders due now, soonest first; publishes `care_due` when there are any.
  std::vector<CareReminder> reminders(const ReminderOptions& options = {}) const;

  virtual std::size_t customer_count() const = 0;
  virtual std::size_t note_count() const = 0;

  // ---- changes (publish events) ----
  /// Finds the customer by any of the identifiers in `fields` and updates it, or creates one.
  /// Returns its id. Throws Error(invalid_argument) for a malformed phone, email or birthday.
  CustomerId upsert(const CustomerFields& fields);
  /// Updates a customer. Throws Error(not_found).
  void update(CustomerId id, const CustomerFields& fields);
  /// Throws Error(not_found | empty | invalid_utf8 | too_large).
  Note add_note(CustomerId id, const NewNote& note);
  void set_note_pinned(std::int64_t note_id, bool pinned);
  void delete_note(std::int64_t note_id);
  Purchase add_purchase(CustomerId id, const Purchase& purchase);
  Consultation add_consultation(CustomerId id, const Consultation& consultation);
  SurveyAnswer add_survey_answer(CustomerId id, const SurveyAnswer& answer);
  /// Imports customers, orders, notes, consultations and survey answers from CSV or JSON Lines
  /// (see README.md, "Customer import"). Idempotent: importing a file again adds nothing. Bad
  /// rows are reported by line and left out; the rest is imported. Throws Error(io) when the file
  /// cannot be read, Error(parse) when it is not CSV or JSON Lines at all.
  ImportReport import_file(const std::string& path, const ImportOptions& options = {});
  ImportReport import_stream(std::istream& in, const std::string& name, const ImportOptions& options = {});
  /// Removes the customer with every note, order, consultation, answer and search entry, and
  /// overwrites the freed space. Throws Error(not_found).
  ForgetReport forget(CustomerId id);

  /// Writes every customer and record as JSON Lines that import_file() reads back. Returns rows written.
  virtual std::size_t export_jsonl(std::ostream& out) const = 0;
  /// Exports customers with id > `after` (at most `limit`), in id order, one JSON line each; for
  /// paging through the archive. Each line holds the customer and all their records.
  virtual std::vector<std::string> export_page(CustomerId after, std::size_t limit) const = 0;

  // ---- wiring ----
  /// Receives the events; `wants(event)` lets the store skip building payloads nobody reads.
  struct Listener {
    std::function<bool(std::string_view event)> wants;
    std::function<void(std::string_view event, const std::string& json)> publish;
  };
  void set_listener(Listener listener);
  /// Chooses the outreach template of each reminder (default: "care.<occasion>").
  using TemplatePicker = std::function<std::string(const CareReminder&, Locale)>;
  void set_template_picker(TemplatePicker picker);

 protected:
  CustomerStore() = default;
  virtual CustomerId do_upsert(const CustomerFields& fields, bool& created, bool& changed) = 0;
  virtual bool do_update(CustomerId id, const CustomerFields& fields) = 0;  ///< true if anything changed
  virtual Note do_add_note(CustomerId id, const NewNote& note) = 0;
  virtual CustomerId do_set_note_pinned(std::int64_t note_id, bool pinned) = 0;  ///< returns its customer
  virtual CustomerId do_delete_note(std::int64_t note_id) = 0;
  virtual Purchase do_add_purchase(CustomerId id, const Purchase& purchase) = 0;
  virtual Consultation do_add_consultation(CustomerId id, const Consultation& consultation) = 0;
  virtual SurveyAnswer do_add_survey_answer(CustomerId id, const SurveyAnswer& answer) = 0;
  virtual ImportReport do_import(std::istream& in, const std::string& name, std::uint64_t size,
                                 ImportOptions::Format format, const ImportOptions& options) = 0;
  virtual ForgetReport do_forget(CustomerId id) = 0;
  /// Reminders without template ids; the base class picks them.
  virtual std::vector<CareReminder> do_reminders(const ReminderOptions& options) const = 0;
  virtual ProfileCard do_profile(CustomerId id, const ReminderOptions& options) const = 0;

  bool wants(std::string_view event) const;
  void publish(std::string_view event, const std::string& json) const;

 private:
  void pick_templates(std::vector<CareReminder>& reminders, Locale fallback) const;
  Listener listener_;
  TemplatePicker picker_;
};

struct SqliteStoreOptions {
  /// How long a write waits for another process's transaction before failing with
  /// Error(storage, "... busy ..."). Never reported as "database is locked".
  int busy_timeout_ms = 30000;
  /// SQLite page cache per connection, in KiB.
  int cache_kib = 16 * 1024;
  /// Memory-mapped I/O per connection, in bytes (0: off).
  std::int64_t mmap_bytes = 256LL * 1024 * 1024;
  /// true: every commit is fsync'ed (survives power loss); false: survives any process crash.
  bool synchronous_full = false;
  /// Shared converters (for Traditional/Simplified folding); nullptr: the store makes its own.
  const ChineseConverters* chinese = nullptr;
  /// Log destination (the engine's logger); nullptr: no log.
  std::shared_ptr<spdlog::logger> logger;
};

/// Opens (creating it and its parent directory if needed) or migrates the SQLite customer database
/// at `path` (":memory:" for a private in-memory one). Throws Error(storage | io), or
/// Error(unsupported) for a database written by a newer kefu.
std::unique_ptr<CustomerStore> open_customer_store(const std::string& path, const SqliteStoreOptions& options = {});

/// The schema version this build writes (PRAGMA user_version).
int customer_schema_version() noexcept;

}  // namespace kefu
