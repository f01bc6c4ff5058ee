// Internal: a thin C++ layer over SQLite for the customer store — connections set up for many
// processes (WAL, busy handling, secure delete), cached prepared statements, transactions with
// retry. Error messages carry SQLite's reason, never customer data.
#pragma once
#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "kefu/error.hpp"

namespace kefu {
class ChineseConverter;
}

namespace kefu::sql {

/// Thrown inside the store when SQLite stays busy past the deadline; the retry loop turns it into
/// Error(storage) with a plain-language message.
struct Busy {};

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what);

class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, std::int64_t v);
  Stmt& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Stmt& bind(int i, std::size_t v) { return bind(i, static_cast<std::int64_t>(v)); }
  Stmt& bind(int i, bool v) { return bind(i, static_cast<std::int64_t>(v ? 1 : 0)); }
  Stmt& bind(int i, double v);
  Stmt& bind(int i, std::string_view v);  ///< SQLITE_TRANSIENT: the value may go away
  /// SQLITE_STATIC, no copy: `v` must stay until the statement is reset (the end of its Use).
  Stmt& bind_static(int i, std::string_view v);
  Stmt& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Stmt& bind_null(int i);
  template <class T>
  Stmt& bind(int i, const std::optional<T>& v) { return v ? bind(i, *v) : bind_null(i); }

  /// true: a row is ready; false: done. Throws Busy or Error(storage).
  bool step();
  /// step() that must finish (INSERT, UPDATE, DELETE); returns sqlite3_changes.
  int run();
  void reset() noexcept;

  std::int64_t i64(int col) const { return sqlite3_column_int64(s_, col); }
  int i32(int col) const { return sqlite3_column_int(s_, col); }
  double dbl(int col) const { return sqlite3_column_double(s_, col); }
  bool is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  std::string str(int col) const;
  std::string_view view(int col) const;
  std::optional<std::int64_t> opt_i64(int col) const {
    return is_null(col) ? std::nullopt : std::optional<std::int64_t>(i64(col));
  }
  sqlite3_stmt* raw() const { return s_; }

 private:
  sqlite3_stmt* s_ = nullptr;
  sqlite3* db_;
};

/// A statement in use; resets it (releasing its read snapshot) when it goes out of scope.
class Use {
 public:
  explicit Use(Stmt& s) : s_(&s) { s_->reset(); }
  ~Use() { s_->reset(); }
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;
  Stmt* operator->() const { return s_; }
  Stmt& operator*() const { return *s_; }

 private:
  Stmt* s_;
};

struct ConnOptions {
  int busy_timeout_ms = 30000;
  int cache_kib = 16 * 1024;
  std::int64_t mmap_bytes = 0;
  bool synchronous_full = false;
  bool memory = false;  ///< ":memory:"
  const ChineseConverter* to_simplified = nullptr;  ///< for the "kefu" full-text tokenizer
};

class Conn {
 public:
  Conn(const std::string& path, const ConnOptions& options);
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  /// A cached prepared statement for `sql` (a string literal: cached by address).
  Use q(const char* sql);
  /// Runs one or more statements without results.
  void exec(std::string_view sql);
  std::int64_t scalar(const char* sql);
  sqlite3* raw() const { return db_; }
  std::int64_t last_id() const { return sqlite3_last_insert_rowid(db_); }
  int busy_timeout_ms() const { return options_.busy_timeout_ms; }

 private:
  static int on_busy(void* self, int count);
  sqlite3* db_ = nullptr;
  ConnOptions options_;
  std::unordered_map<const char*, std::unique_ptr<Stmt>> cache_;
  std::chrono::steady_clock::time_point busy_since_{};
};

/// A transaction: BEGIN IMMEDIATE for writers (the write lock up front, so two writers never
/// deadlock), BEGIN for readers (one consistent snapshot). Rolls back unless committed.
class Txn {
 public:
  Txn(Conn& c, bool write);
  ~Txn();
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;
  void commit();

 private:
  Conn& c_;
  bool open_ = false;
};

/// While it lives (and `active`), the connection does not check foreign keys. Outside any
/// transaction only (SQLite ignores the setting inside one).
class ForeignKeysOff {
 public:
  ForeignKeysOff(Conn& c, bool active) : c_(active ? &c : nullptr) {
    if (c_) c_->exec("PRAGMA foreign_keys=OFF");
  }
  ~ForeignKeysOff() {
    if (c_) sqlite3_exec(c_->raw(), "PRAGMA foreign_keys=ON", nullptr, nullptr, nullptr);
  }
  ForeignKeysOff(const ForeignKeysOff&) = delete;
  ForeignKeysOff& operator=(const ForeignKeysOff&) = delete;

 private:
  Conn* c_;
};

[[noreturn]] void busy_error(int timeout_ms);
void backoff(int attempt);

/// Runs `fn` (a whole transaction), again and again while SQLite reports the database busy,
/// until the connection's busy timeout; then throws Error(storage) without SQLite's jargon.
template <class Fn>
auto retry(Conn& c, Fn&& fn) -> decltype(fn()) {
  auto start = std::chrono::steady_clock::now();
  for (int attempt = 0;; ++attempt) {
    try {
      return fn();
    } catch (const Busy&) {
      auto waited = std::chrono::steady_clock::now() - start;
      if (waited > std::chrono::milliseconds(c.busy_timeout_ms())) busy_error(c.busy_timeout_ms());
      backoff(attempt);
    }
  }
}

/// Registers the "kefu" FTS5 tokenizer on `db`: text folded like every kefu matcher (NFKC, case,
/// width, Traditional → Simplified), cut into Chinese bigrams and whole words (fts_runs.hpp).
void register_tokenizer(sqlite3* db, const ChineseConverter* to_simplified);
/// Version of the tokenizer's folding; the full-text index is rebuilt when it changes.
constexpr int kTokenizerVersion = 2;

/// Text as the "kefu" tokenizer folds it before cutting it into tokens.
std::string fold_for_index(std::string_view text, const ChineseConverter* to_simplified);
/// Texts folded beforehand (fold_for_index), in the order they will be indexed: an import folds its
/// notes on its reading thread, and its writing thread indexes a transaction's new notes in the
/// order it added them. The views point into the caller's texts.
class FoldedTexts {
 public:
  void add(std::string_view original, std::string_view folded) { texts_.emplace_back(original, folded); }
  /// The folded form of `text` when it is the next text added (and then moves past it), else
  /// nullptr: a text indexed out of that order is folded again, never mistaken.
  const std::string_view* take(std::string_view text) {
    if (next_ >= texts_.size() || texts_[next_].first != text) return nullptr;
    return &texts_[next_++].second;
  }

 private:
  std::vector<std::pair<std::string_view, std::string_view>> texts_;
  std::size_t next_ = 0;
};
/// While it lives, the "kefu" tokenizer indexing documents on this thread takes the folded form of
/// each text from `texts` (FoldedTexts::take) instead of folding it again. Queries and highlights
/// fold as always.
class UseFoldedTexts {
 public:
  explicit UseFoldedTexts(FoldedTexts& texts);
  ~UseFoldedTexts();
  UseFoldedTexts(const UseFoldedTexts&) = delete;
  UseFoldedTexts& operator=(const UseFoldedTexts&) = delete;

 private:
  FoldedTexts* previous_;
};

}  // namespace kefu::sql
