// Internal: connection settings of the writer while an import runs, put back when it ends.
//
// - Checkpoints less often: each copies and syncs every page the last transactions touched, and
//   an import touches the same index pages again and again.
// - A bigger page cache: a transaction of an import inserts into indexes all over the file (notes
//   by customer, idempotence keys, identifiers); when their pages stay cached they are read once
//   and written to the log once per transaction instead of being spilled and read back. When the
//   import ends the cache shrinks back and the freed memory is returned to the system.
// Durability is unchanged: each committed transaction is in the write-ahead log with the
// connection's usual synchronous setting.
#pragma once
#include <cstdint>

#include "sqlite_store.hpp"

namespace kefu::customers {

class ImportSettings {
 public:
  explicit ImportSettings(SqliteCustomerStore& store);
  ~ImportSettings();
  ImportSettings(const ImportSettings&) = delete;
  ImportSettings& operator=(const ImportSettings&) = delete;

 private:
  SqliteCustomerStore& store_;
  std::int64_t cache_size_ = 0, autocheckpoint_ = 0;
};

}  // namespace kefu::customers
