// The writer's settings while importing (see import_settings.hpp).
#include "import_settings.hpp"

#include <algorithm>
#include <string>

#include "free_memory.hpp"

namespace kefu::customers {

namespace {
constexpr std::int64_t kImportCacheKib = 256 * 1024;
constexpr std::int64_t kImportAutocheckpointPages = 16384;  // 64 MiB of log at 4 KiB pages
}  // namespace

ImportSettings::ImportSettings(SqliteCustomerStore& store) : store_(store) {
  auto lock = store_.lock_writer();
  sql::Conn& c = store_.writer_conn();
  cache_size_ = c.scalar("PRAGMA cache_size");
  autocheckpoint_ = c.scalar("PRAGMA wal_autocheckpoint");
  // A negative cache_size is KiB, a positive one pages; keep whichever is bigger.
  std::int64_t kib = cache_size_ < 0 ? -cache_size_ : cache_size_ * c.scalar("PRAGMA page_size") / 1024;
  c.exec("PRAGMA cache_size=-" + std::to_string(std::max(kib, kImportCacheKib)));
  c.exec("PRAGMA wal_autocheckpoint=" + std::to_string(std::max(autocheckpoint_, kImportAutocheckpointPages)));
}

ImportSettings::~ImportSettings() {
  try {
    auto lock = store_.lock_writer();
    sql::Conn& c = store_.writer_conn();
    c.exec("PRAGMA cache_size=" + std::to_string(cache_size_));
    c.exec("PRAGMA wal_autocheckpoint=" + std::to_string(autocheckpoint_));
  } catch (...) {
  }
  return_freed_memory();  // the pages the bigger cache (and the import's rows) held
}

}  // namespace kefu::customers
