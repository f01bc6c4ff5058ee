// Customer store: one writer at a time and many readers, across threads and processes, sharing
// one file; "database is locked" never reaches the caller; a writer killed with SIGKILL in the
// middle of an import loses nothing it committed and leaves a sound file.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <thread>

#include "customers_test_util.hpp"
#include "kefu/error.hpp"

using namespace kefu;
using kefu::test::fields;
using kefu::test::TempDir;

namespace {

// Runs `fn` in a child process; returns its exit status (0: fn returned, 1: it threw).
template <class Fn>
pid_t spawn(Fn&& fn) {
  pid_t pid = fork();
  if (pid == 0) {
    int rc = 0;
    try {
      fn();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child %d: %s\n", static_cast<int>(getpid()), e.what());
      rc = 1;
    }
    std::fflush(nullptr);
    _exit(rc);
  }
  return pid;
}

int wait_for(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Imports `file` (`rows` rows) into `db` in a child process, 2,000 rows a transaction, and kills
// it with SIGKILL once it has committed 20,000; `committed` is what it had reported committed.
void import_and_kill(const std::string& db, const std::string& file, long long rows, long long& committed) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = spawn([&] {
    close(fds[0]);
    auto store = open_customer_store(db);
    ImportOptions o;
    o.batch_rows = 2000;
    o.progress = [&](const ImportProgress& p) {
      long long n = static_cast<long long>(p.rows_committed);
      if (write(fds[1], &n, sizeof n) != sizeof n) _exit(3);
    };
    store->import_file(file, o);
  });
  close(fds[1]);
  long long n = 0;
  committed = 0;
  while (committed < 20000 && read(fds[0], &n, sizeof n) == sizeof n) committed = n;
  ASSERT_GE(committed, 20000) << "the import ended before it could be killed";
  kill(child, SIGKILL);
  // Whatever the writer reported afterwards was committed too.
  while (read(fds[0], &n, sizeof n) == sizeof n) committed = n;
  close(fds[0]);
  EXPECT_EQ(wait_for(child), 128 + SIGKILL);
  ASSERT_LT(committed, rows) << "the import finished before the kill";
}

}  // namespace

TEST(CustomerConcurrency, TwoProcessesAddTenThousandNotesEach) {
  TempDir dir;
  std::string db = dir.file("shared.db");
  CustomerId a = 0, b = 0;
  {
    auto store = open_customer_store(db);
    a = store->upsert(fields("A", {"t:a"}));
    b = store->upsert(fields("B", {"t:b"}));
  }
  constexpr int kNotes = 10000;
  auto writer = [&](CustomerId id, const char* tag) {
    return [&db, id, tag] {
      auto store = open_customer_store(db);
      for (int i = 0; i < kNotes; ++i) store->add_note(id, {std::string(tag) + " 备注 " + std::to_string(i)});
    };
  };
  pid_t p1 = spawn(writer(a, "alpha"));
  pid_t p2 = spawn(writer(b, "beta"));
  // Meanwhile this process reads, from several threads.
  std::atomic<bool> done{false};
  std::atomic<int> read_errors{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t)
    readers.emplace_back([&] {
      auto store = open_customer_store(db);
      while (!done) {
        try {
          store->search("备注");
          store->profile(a);
          store->find("t:b");
        } catch (const std::exception&) {
          ++read_errors;
        }
      }
    });
  EXPECT_EQ(wait_for(p1), 0);
  EXPECT_EQ(wait_for(p2), 0);
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(read_errors.load(), 0);

  auto store = open_customer_store(db);
  EXPECT_EQ(store->note_count(), 2u * kNotes);
  EXPECT_EQ(test::sql_value(db, "SELECT count(DISTINCT text) FROM notes"), std::to_string(2 * kNotes));
  EXPECT_EQ(test::sql_value(db, "SELECT count(*) FROM notes WHERE customer_id = " + std::to_string(a)),
            std::to_string(kNotes));
  EXPECT_EQ(store->search("alpha 备注 9999").size(), 1u);
  EXPECT_EQ(test::sql_value(db, "PRAGMA integrity_check"), "ok");
}

TEST(CustomerConcurrency, ThreadsShareOneStore) {
  TempDir dir;
  auto store = open_customer_store(dir.file("threads.db"));
  CustomerId id = store->upsert(fields("T", {"t:t"}));
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        try {
          store->add_note(id, {"thread " + std::to_string(t) + " note " + std::to_string(i)});
          if (i % 10 == 0) store->search("thread");
          if (i % 50 == 0) store->upsert(fields("", {"t:" + std::to_string(t) + "-" + std::to_string(i)}));
        } catch (const std::exception&) {
          ++errors;
        }
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(store->note_count(), 2000u);
  EXPECT_EQ(store->customer_count(), 41u);
}

TEST(CustomerConcurrency, BusyDatabaseIsWaitedForNotReported) {
  TempDir dir;
  std::string db = dir.file("busy.db");
  auto store = open_customer_store(db);
  CustomerId id = store->upsert(fields("B", {"t:b"}));
  // Another connection holds the write lock for 300 ms.
  sqlite3* h = nullptr;
  sqlite3_open(db.c_str(), &h);
  sqlite3_exec(h, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  std::thread release([h] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    sqlite3_exec(h, "COMMIT", nullptr, nullptr, nullptr);
  });
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_NO_THROW(store->add_note(id, {"waited for the lock"}));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(250));
  release.join();
  sqlite3_close(h);

  // Past the timeout the error says what happened, in plain words.
  SqliteStoreOptions quick;
  quick.busy_timeout_ms = 200;
  auto impatient = open_customer_store(db, quick);
  sqlite3_open(db.c_str(), &h);
  sqlite3_exec(h, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  try {
    impatient->add_note(id, {"gives up"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::storage);
    EXPECT_EQ(std::string(e.what()).find("locked"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("busy"), std::string::npos) << e.what();
  }
  sqlite3_exec(h, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(h);
  EXPECT_TRUE(impatient->get(id));  // readers were never blocked
}

TEST(CustomerCrash, SigkillMidImportKeepsEveryCommittedRow) {
  TempDir dir;
  std::string db = dir.file("crash.db");
  constexpr int kRows = 200000;
  {
    std::ofstream f(dir.file("big.jsonl"));
    for (int i = 1; i <= kRows; ++i)
      f << "{\"external_id\":\"crash:" << i << "\",\"name\":\"客户" << i << "\",\"phone\":\"138" << 10000000 + i
        << "\",\"tags\":[\"vip\"]}\n";
  }
  open_customer_store(db);  // created before the writer starts
  long long committed = 0;
  ASSERT_NO_FATAL_FAILURE(import_and_kill(db, dir.file("big.jsonl"), kRows, committed));

  EXPECT_EQ(test::sql_value(db, "PRAGMA integrity_check"), "ok");
  // Into an empty archive the customers' name and birthday indexes are put off until the end of
  // the import (its identifiers are not: each transaction writes its own, sorted by key).
  const std::string indexes = "SELECT count(*) FROM sqlite_master WHERE name IN ('customers_name', 'customers_birthday')";
  EXPECT_EQ(test::sql_value(db, indexes), "0");
  auto store = open_customer_store(db);
  EXPECT_EQ(test::sql_value(db, indexes), "2");
  EXPECT_EQ(test::sql_value(db, "SELECT count(*) FROM kefu_meta WHERE key LIKE 'deferred_%'"), "0");
  EXPECT_EQ(store->by_name_prefix("客户1", 3).size(), 3u);
  std::size_t count = store->customer_count();
  EXPECT_GE(count, static_cast<std::size_t>(committed));
  EXPECT_EQ(count % 2000, 0u);  // whole batches or nothing
  for (long long i : {1LL, committed / 2, committed}) {
    auto c = store->by_external_id("crash:" + std::to_string(i));
    ASSERT_TRUE(c) << i;
    EXPECT_EQ(c->name, "客户" + std::to_string(i));
    EXPECT_EQ(store->by_phone("138" + std::to_string(10000000 + i))->id, c->id);
  }
  EXPECT_EQ(test::sql_value(db, "SELECT count(*) FROM identifiers"), std::to_string(2 * count));
  // The import can simply be run again: it completes without duplicates.
  auto report = store->import_file(dir.file("big.jsonl"));
  EXPECT_EQ(report.customers_created, kRows - count);
  EXPECT_EQ(store->customer_count(), static_cast<std::size_t>(kRows));
  store.reset();
  EXPECT_EQ(test::sql_value(db, "PRAGMA integrity_check"), "ok");
}

// The same for notes imported into an empty table, whose indexes the import puts off until its
// end: after the kill they are missing, and opening the store makes them before anything reads.
TEST(CustomerCrash, SigkillMidBulkImportOfNotesKeepsEveryCommittedRow) {
  TempDir dir;
  std::string db = dir.file("crash.db");
  constexpr int kRows = 200000;
  {
    std::ofstream f(dir.file("notes.jsonl"));
    for (int i = 1; i <= kRows; ++i)
      f << "{\"type\":\"note\",\"customer\":\"crash:" << 1 + i % 50 << "\",\"text\":\"第" << i << "条备注 note " << i
        << "\",\"time\":" << 1700000000 + i << "}\n";
    auto store = open_customer_store(db);
    for (int i = 1; i <= 50; ++i) store->upsert(fields("客户" + std::to_string(i), {"crash:" + std::to_string(i)}));
  }
  long long committed = 0;
  ASSERT_NO_FATAL_FAILURE(import_and_kill(db, dir.file("notes.jsonl"), kRows, committed));

  EXPECT_EQ(test::sql_value(db, "PRAGMA integrity_check"), "ok");
  const std::string indexes = "SELECT count(*) FROM sqlite_master WHERE name IN ('notes_customer_time', 'notes_source')";
  EXPECT_EQ(test::sql_value(db, indexes), "0");  // put off, and the import did not get to make them
  // So is FTS5's merging of segments (deferred_indexes.hpp: defer_merging).
  const std::string automerge = "SELECT v FROM notes_fts_config WHERE k = 'automerge'";
  EXPECT_EQ(test::sql_value(db, automerge), "0");
  auto store = open_customer_store(db);
  EXPECT_EQ(test::sql_value(db, indexes), "2");
  EXPECT_EQ(test::sql_value(db, automerge), "4");
  EXPECT_EQ(test::sql_value(db, "SELECT v FROM notes_fts_config WHERE k = 'crisismerge'"), "16");
  EXPECT_EQ(test::sql_value(db, "SELECT count(*) FROM kefu_meta WHERE key LIKE 'deferred_%'"), "0");
  EXPECT_EQ(test::sql_value(db, "PRAGMA integrity_check"), "ok");
  std::size_t count = store->note_count();
  EXPECT_GE(count, static_cast<std::size_t>(committed));
  EXPECT_EQ(count % 2000, 0u);  // whole batches or nothing
  for (long long i : {1LL, committed / 2, committed}) {
    auto hits = store->search("第" + std::to_string(i) + "条备注");
    ASSERT_EQ(hits.size(), 1u) << i;
    EXPECT_EQ(hits[0].customer_id, *store->resolve("crash:" + std::to_string(1 + i % 50)));
  }
  // The import can simply be run again: it completes without duplicates.
  auto report = store->import_file(dir.file("notes.jsonl"));
  EXPECT_EQ(report.notes_added, kRows - count);
  EXPECT_EQ(store->note_count(), static_cast<std::size_t>(kRows));
  EXPECT_EQ(test::sql_value(db, automerge), "4");
  store.reset();
  EXPECT_EQ(test::sql_value(db, "PRAGMA integrity_check"), "ok");
}
