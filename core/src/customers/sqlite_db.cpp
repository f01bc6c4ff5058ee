// Connections, statements, transactions and busy handling for the customer store.
#include "sqlite_db.hpp"

#include <random>
#include <thread>

namespace kefu::sql {

void fail(sqlite3* db, int rc, std::string_view what) {
  int primary = rc & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) throw Busy{};
  std::string msg = "customer database: " + std::string(what) + ": ";
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (primary == SQLITE_CANTOPEN || primary == SQLITE_IOERR || primary == SQLITE_READONLY || primary == SQLITE_PERM)
    throw Error(ErrorCode::io, msg);
  throw Error(ErrorCode::storage, msg);
}

void busy_error(int timeout_ms) {
  throw Error(ErrorCode::storage, "the customer database stayed busy for " + std::to_string(timeout_ms / 1000) +
                                      " s (another process is writing to it); try again");
}

void backoff(int attempt) {
  thread_local std::minstd_rand rng{std::random_device{}()};
  int cap = 100 << (attempt < 5 ? attempt : 5);  // 0.1 .. 3.2 ms
  std::this_thread::sleep_for(std::chrono::microseconds(50 + static_cast<int>(rng() % static_cast<unsigned>(cap))));
}

// ---- Stmt ----

Stmt::Stmt(sqlite3* db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &s_, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(s_);
    s_ = nullptr;
    fail(db, rc, "prepare");
  }
}

Stmt::~Stmt() { sqlite3_finalize(s_); }

Stmt& Stmt::bind(int i, std::int64_t v) {
  if (int rc = sqlite3_bind_int64(s_, i, v); rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Stmt& Stmt::bind(int i, double v) {
  if (int rc = sqlite3_bind_double(s_, i, v); rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Stmt& Stmt::bind(int i, std::string_view v) {
  int rc = sqlite3_bind_text64(s_, i, v.data() ? v.data() : "", v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Stmt& Stmt::bind_static(int i, std::string_view v) {
  int rc = sqlite3_bind_text64(s_, i, v.data() ? v.data() : "", v.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Stmt& Stmt::bind_null(int i) {
  if (int rc = sqlite3_bind_null(s_, i); rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

bool Stmt::step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // The error is attached to the statement; reset it before reporting so that it holds no lock.
  std::string msg = sqlite3_errmsg(db_);
  sqlite3_reset(s_);
  int primary = rc & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) throw Busy{};
  if (primary == SQLITE_CONSTRAINT) throw Error(ErrorCode::invalid_argument, "customer database: " + msg);
  if (primary == SQLITE_IOERR || primary == SQLITE_FULL || primary == SQLITE_READONLY)
    throw Error(ErrorCode::io, "customer database: " + msg);
  throw Error(ErrorCode::storage, "customer database: " + msg);
}

int Stmt::run() {
  while (step()) {
  }
  return sqlite3_changes(db_);
}

void Stmt::reset() noexcept {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}

std::string Stmt::str(int col) const { return std::string(view(col)); }

std::string_view Stmt::view(int col) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
  if (!p) return {};
  return {p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col))};
}

// ---- Conn ----

int Conn::on_busy(void* self, int count) {
  auto* c = static_cast<Conn*>(self);
  auto now = std::chrono::steady_clock::now();
  if (count == 0) c->busy_since_ = now;
  if (now - c->busy_since_ > std::chrono::milliseconds(c->options_.busy_timeout_ms)) return 0;
  // Short sleeps first: another kefu process usually holds the lock for well under a millisecond.
  thread_local std::minstd_rand rng{std::random_device{}()};
  int cap = count < 6 ? 25 << count : 2000;  // µs: 25, 50 ... 800, then 2 ms
  std::this_thread::sleep_for(std::chrono::microseconds(10 + static_cast<int>(rng() % static_cast<unsigned>(cap))));
  return 1;
}

Conn::Conn(const std::string& path, const ConnOptions& options) : options_(options) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw Error(ErrorCode::io, "cannot open the customer database " + path + ": " + msg);
  }
  try {
    sqlite3_busy_handler(db_, &Conn::on_busy, this);
    sqlite3_extended_result_codes(db_, 1);
    register_tokenizer(db_, options_.to_simplified);
    // secure_delete: deleted content is overwritten with zeros, so a forgotten customer's text
    // does not linger in free pages.
    exec("PRAGMA secure_delete=ON; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;");
    exec("PRAGMA cache_size=-" + std::to_string(options_.cache_kib));
    if (!options_.memory) {
      if (options_.mmap_bytes > 0) exec("PRAGMA mmap_size=" + std::to_string(options_.mmap_bytes));
      // WAL is a property of the file: the first opener sets it, later ones find it set. Setting
      // it needs a moment of exclusive access, which the busy handler waits for.
      for (int attempt = 0;; ++attempt) {
        try {
          Stmt st(db_, "PRAGMA journal_mode=WAL");
          std::string mode = st.step() ? st.str(0) : "";
          if (mode == "wal") break;
          throw Error(ErrorCode::storage, "customer database: cannot switch to write-ahead logging (" + mode + ")");
        } catch (const Busy&) {
          if (attempt > 10000) busy_error(options_.busy_timeout_ms);
          backoff(attempt);
        }
      }
      exec(options_.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
      exec("PRAGMA journal_size_limit=67108864");
    }
  } catch (...) {
    cache_.clear();
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw;
  }
}

Conn::~Conn() {
  cache_.clear();
  if (db_) sqlite3_close_v2(db_);
}

Use Conn::q(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) it = cache_.emplace(sql, std::make_unique<Stmt>(db_, sql)).first;
  return Use(*it->second);
}

void Conn::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    int primary = rc & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) throw Busy{};
    if (primary == SQLITE_IOERR || primary == SQLITE_FULL || primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN)
      throw Error(ErrorCode::io, "customer database: " + msg);
    throw Error(ErrorCode::storage, "customer database: " + msg);
  }
}

std::int64_t Conn::scalar(const char* sql) {
  Stmt st(db_, sql);
  if (!st.step()) return 0;
  return sqlite3_column_type(st.raw(), 0) == SQLITE_INTEGER ? st.i64(0) : 1;
}

// ---- Txn ----

Txn::Txn(Conn& c, bool write) : c_(c) {
  c_.exec(write ? "BEGIN IMMEDIATE" : "BEGIN");
  open_ = true;
}

Txn::~Txn() {
  if (open_) sqlite3_exec(c_.raw(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Txn::commit() {
  c_.exec("COMMIT");
  open_ = false;
}

}  // namespace kefu::sql
