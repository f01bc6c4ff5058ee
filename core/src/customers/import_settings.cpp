// The writer's settings while importing (see import_settings.hpp).
#include "import_settings.hpp"

#include <algorithm>
#include <string>

namespace kefu::customers {

namespace {
constexpr std::int64_t kImportCacheKib = 256 * 1024;
constexpr std::int64_t kImportAutocheckpointPages = 16384;  // 64 MiB of log at 4 KiB pages

void set_merging(sql::Conn& c, int automerge) {
  auto st = c.q("INSERT INTO notes_fts(notes_fts, rank) VALUES ('automerge', ?1)");
  st->bind(1, automerge).run();
  auto st2 = c.q("INSERT INTO consultations_fts(consultations_fts, rank) VALUES ('automerge', ?1)");
  st2->bind(1, automerge).run();
}
}  // namespace

void ImportSettings::restore_merging(sql::Conn& c) { set_merging(c, 4); }  // FTS5's default

ImportSettings::ImportSettings(SqliteCustomerStore& store) : store_(store) {
  store_.write([](sql::Conn& w) {  // first: if it throws, nothing else was changed
    set_merging(w, 0);
    return 0;
  });
  auto lock = store_.lock_writer();
  sql::Conn& c = store_.writer_conn();
  cache_size_ = c.scalar("PRAGMA cache_size");
  autocheckpoint_ = c.scalar("PRAGMA wal_autocheckpoint");
  // A negative cache_size is KiB; keep whichever is bigger.
  std::int64_t kib = cache_size_ < 0 ? -cache_size_ : cache_size_ * 4;
  c.exec("PRAGMA cache_size=-" + std::to_string(std::max(kib, kImportCacheKib)));
  c.exec("PRAGMA wal_autocheckpoint=" + std::to_string(std::max(autocheckpoint_, kImportAutocheckpointPages)));
}

ImportSettings::~ImportSettings() {
  try {
    store_.write([](sql::Conn& w) {
      restore_merging(w);
      return 0;
    });
  } catch (...) {
  }
  try {
    auto lock = store_.lock_writer();
    sql::Conn& c = store_.writer_conn();
    c.exec("PRAGMA cache_size=" + std::to_string(cache_size_));
    c.exec("PRAGMA wal_autocheckpoint=" + std::to_string(autocheckpoint_));
  } catch (...) {
  }
}

}  // namespace kefu::customers
