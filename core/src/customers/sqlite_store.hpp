// Internal: the SQLite customer store. One writer connection (behind a mutex; across processes,
// SQLite's write lock), a pool of reader connections (WAL: readers never wait for the writer).
// The implementation is split by job: sqlite_store.cpp (connections, lookups, customers),
// records.cpp (notes, orders, consultations, answers), search.cpp, profile.cpp, reminders.cpp,
// import.cpp, export.cpp, forget.cpp.
#pragma once
#include <spdlog/logger.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kefu/chinese.hpp"
#include "kefu/customer_store.hpp"
#include "identifiers.hpp"
#include "sqlite_db.hpp"

namespace kefu::customers {

Timestamp now_seconds();

/// CustomerFields checked and normalised once, ready to write (an import prepares rows on its
/// reading thread).
struct Prepared {
  std::vector<IdentifierKey> keys;
  std::string name, name_key, title, birthday, locale;
  std::optional<int> birthday_md;
  std::optional<std::string> tags;  // JSON
  std::optional<Preferences> preferences;
  std::optional<std::string> prefs_json;
  std::string ids_json;  // the keys, as the customer row lists them
};

class SqliteCustomerStore final : public CustomerStore {
 public:
  SqliteCustomerStore(const std::string& path, const SqliteStoreOptions& options);
  ~SqliteCustomerStore() override;

  std::optional<Customer> get(CustomerId id) const override;
  std::optional<CustomerId> resolve(std::string_view ref) const override;
  std::optional<Customer> by_external_id(std::string_view external_id) const override;
  std::optional<Customer> by_phone(std::string_view phone) const override;
  std::optional<Customer> by_email(std::string_view email) const override;
  std::vector<Customer> by_name_prefix(std::string_view prefix, std::size_t limit) const override;
  std::vector<Customer> find(std::string_view query, std::size_t limit) const override;
  std::vector<Note> notes(CustomerId id, std::size_t limit) const override;
  std::vector<Purchase> purchases(CustomerId id, std::size_t limit) const override;
  std::vector<Consultation> consultations(CustomerId id, std::size_t limit) const override;
  std::vector<SurveyAnswer> survey_answers(CustomerId id, std::size_t limit) const override;
  std::vector<SearchHit> search(std::string_view query, const SearchOptions& options) const override;
  std::size_t customer_count() const override;
  std::size_t note_count() const override;
  std::size_t export_jsonl(std::ostream& out) const override;
  std::vector<std::string> export_page(CustomerId after, std::size_t limit) const override;

 protected:
  CustomerId do_upsert(const CustomerFields& fields, bool& created, bool& changed) override;
  bool do_update(CustomerId id, const CustomerFields& fields) override;
  Note do_add_note(CustomerId id, const NewNote& note) override;
  CustomerId do_set_note_pinned(std::int64_t note_id, bool pinned) override;
  CustomerId do_delete_note(std::int64_t note_id) override;
  Purchase do_add_purchase(CustomerId id, const Purchase& purchase) override;
  Consultation do_add_consultation(CustomerId id, const Consultation& consultation) override;
  SurveyAnswer do_add_survey_answer(CustomerId id, const SurveyAnswer& answer) override;
  ImportReport do_import(std::istream& in, const std::string& name, std::uint64_t size, ImportOptions::Format format,
                         const ImportOptions& options) override;
  ForgetReport do_forget(CustomerId id) override;
  std::vector<CareReminder> do_reminders(const ReminderOptions& options) const override;
  ProfileCard do_profile(CustomerId id, const ReminderOptions& options) const override;

 public:  // for the implementation files
  /// A reader connection for the duration of one call.
  class Reader {
   public:
    Reader(const SqliteCustomerStore& store);
    ~Reader();
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    sql::Conn& conn() const { return *conn_; }

   private:
    const SqliteCustomerStore& store_;
    std::unique_ptr<sql::Conn> owned_;
    std::unique_lock<std::mutex> writer_lock_;  ///< in-memory databases read through the writer
    sql::Conn* conn_ = nullptr;
  };
  /// Runs fn(conn) in a read transaction, retried while busy.
  template <class Fn>
  auto read(Fn&& fn) const {
    Reader r(*this);
    return sql::retry(r.conn(), [&] {
      sql::Txn txn(r.conn(), false);
      auto result = fn(r.conn());
      txn.commit();
      return result;
    });
  }
  /// Runs fn(conn) in a write transaction (BEGIN IMMEDIATE), retried while busy.
  template <class Fn>
  auto write(Fn&& fn) {
    return write(std::forward<Fn>(fn), [](sql::Conn&) {});
  }
  /// write(fn), then committed(conn) once the transaction has committed, before anyone else may write.
  /// `check_foreign_keys` false: for an import, whose records name customers it has just found (or
  /// created) in the same transaction, so that each row's check of its customer is redundant.
  template <class Fn, class Committed>
  auto write(Fn&& fn, Committed&& committed, bool check_foreign_keys = true) {
    std::lock_guard<std::mutex> lock(writer_mutex_);
    sql::ForeignKeysOff unchecked(*writer_, !check_foreign_keys);
    auto result = sql::retry(*writer_, [&] {
      sql::Txn txn(*writer_, true);
      auto result = fn(*writer_);
      txn.commit();
      return result;
    });
    committed(*writer_);
    return result;
  }
  std::unique_lock<std::mutex> lock_writer() { return std::unique_lock<std::mutex>(writer_mutex_); }
  sql::Conn& writer_conn() { return *writer_; }

  // Row readers shared by the implementation files.
  std::optional<Customer> load_customer(sql::Conn& c, CustomerId id) const;
  std::optional<CustomerId> lookup_key(sql::Conn& c, const std::string& key) const;
  std::optional<CustomerId> resolve_in(sql::Conn& c, std::string_view ref) const;
  std::vector<Note> load_notes(sql::Conn& c, CustomerId id, std::size_t limit, int pinned) const;
  std::vector<Purchase> load_purchases(sql::Conn& c, CustomerId id, std::size_t limit) const;
  std::vector<Consultation> load_consultations(sql::Conn& c, CustomerId id, std::size_t limit) const;
  std::vector<SurveyAnswer> load_survey_answers(sql::Conn& c, CustomerId id, std::size_t limit) const;
  std::vector<CareReminder> reminders_in(sql::Conn& c, const ReminderOptions& options) const;

  // Writers shared by the implementation files (inside a write transaction). The *_in writers of
  // records take the id of a customer the caller knows to exist in this transaction.
  CustomerId upsert_in(sql::Conn& c, const CustomerFields& fields, bool& created, bool& changed,
                       std::vector<std::string>* conflicts);
  /// Throws Error for malformed fields.
  Prepared prepare(const CustomerFields& fields) const;
  CustomerId upsert_prepared(sql::Conn& c, const Prepared& p, bool& created, bool& changed,
                             std::vector<std::string>* conflicts);
  /// A new customer row for `p`, without its identifiers (the caller, which knows every one of
  /// `p.keys` to be free, writes them). Throws for a customer with neither a name nor an identifier.
  CustomerId insert_new(sql::Conn& c, const Prepared& p);
  bool update_in(sql::Conn& c, CustomerId id, const CustomerFields& fields, std::vector<std::string>* conflicts);
  /// `index`: add it to the full-text index now (imports index a whole batch with index_new()).
  Note add_note_in(sql::Conn& c, CustomerId id, const NewNote& note, std::optional<std::int64_t> source_key,
                   bool* inserted, bool index = true);
  /// `aggregates` false: leave the customer's purchase count and dates to be counted at the end of
  /// an import into an empty table (deferred_indexes.hpp: defer_aggregates).
  /// `likely_new`: try to insert first (one index probe for a new order id instead of two; an
  /// import into an empty table), and only if the order id is there already compare and update.
  Purchase add_purchase_in(sql::Conn& c, CustomerId id, const Purchase& p, bool* inserted, bool aggregates = true,
                           bool likely_new = false);
  /// `aggregates` false: leave last contact, complaint and satisfaction to that count too.
  Consultation add_consultation_in(sql::Conn& c, CustomerId id, const Consultation& v,
                                   std::optional<std::int64_t> source_key, bool* inserted, bool index = true,
                                   bool aggregates = true);
  /// Adds notes and consultations with ids above these to the full-text index.
  void index_new(sql::Conn& c, std::int64_t notes_after, std::int64_t consultations_after);
  /// After an import: merges the full-text segments it wrote (all of them into one when the import
  /// brought a good part of the index), so that searches visit few segments.
  void tidy_index(std::size_t notes_added, std::size_t consultations_added);
  /// FTS5 removes deleted entries at once (SQLite 3.42+ 'secure-delete'); otherwise forget merges.
  bool fts_secure_delete() const { return fts_secure_delete_; }
  SurveyAnswer add_survey_answer_in(sql::Conn& c, CustomerId id, const SurveyAnswer& a,
                                    std::optional<std::int64_t> source_key, bool* inserted);

  const ChineseConverter* to_simplified() const { return to_simplified_; }
  const ChineseConverters& chinese() const { return *chinese_; }
  spdlog::logger* log() const { return options_.logger.get(); }
  std::size_t max_text_bytes() const { return 64 * 1024; }

 private:
  std::string path_;
  SqliteStoreOptions options_;
  std::unique_ptr<ChineseConverters> own_chinese_;
  const ChineseConverters* chinese_ = nullptr;
  const ChineseConverter* to_simplified_ = nullptr;
  sql::ConnOptions conn_options_;
  bool memory_ = false;
  mutable std::mutex writer_mutex_;
  std::unique_ptr<sql::Conn> writer_;
  mutable std::mutex pool_mutex_;
  mutable std::vector<std::unique_ptr<sql::Conn>> pool_;
  bool fts_secure_delete_ = false;
};

}  // namespace kefu::customers
