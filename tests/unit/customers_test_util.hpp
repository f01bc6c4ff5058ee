// Helpers of the customer store tests: a fresh directory per test, reading a database file's bytes.
#pragma once
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "kefu/customer_store.hpp"

namespace kefu::test {

/// A temporary directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("kefu-customers-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(file(name), std::ios::binary) << content;
    return file(name);
  }

 private:
  std::filesystem::path path_;
};

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Every byte kefu's database keeps on disk: the file, its write-ahead log and shared memory index.
inline std::string database_bytes(const std::string& db) {
  std::string all = read_bytes(db);
  for (const char* suffix : {"-wal", "-shm", "-journal"})
    if (std::filesystem::exists(db + suffix)) all += read_bytes(db + suffix);
  return all;
}

/// One value from SQL run on a separate raw connection.
inline std::string sql_value(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    auto* t = sqlite3_column_text(st, 0);
    out = t ? reinterpret_cast<const char*>(t) : "";
  } else {
    out = std::string("error: ") + sqlite3_errmsg(h);
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return out;
}

inline CustomerFields fields(std::string name, std::vector<std::string> external_ids = {},
                             std::vector<std::string> phones = {}, std::vector<std::string> emails = {}) {
  CustomerFields f;
  f.name = std::move(name);
  f.external_ids = std::move(external_ids);
  f.phones = std::move(phones);
  f.emails = std::move(emails);
  return f;
}

}  // namespace kefu::test
