// Internal: the customer references an import has resolved ("taobao:nick", a phone, an email, a
// kefu id → the customer), so that the thousands of notes and orders of one file look each
// customer up once instead of once per row.
//
// An entry stays true while nobody else writes: this import only adds customers and identifiers,
// but between two of its transactions another process, or another thread through the same
// connection, may forget a customer. begin() therefore drops every entry when the database
// changed since the last end() (PRAGMA data_version for other connections, the connection's total
// changes for this one), and after a transaction that did not commit.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "sqlite_store.hpp"

namespace kefu::customers {

/// Numbers for the references of an import's rows, given on its reading thread: the same text
/// always gets the same number, the first 1, so that the writing thread finds a customer it has
/// resolved by position (CustomerRefs::resolve).
class RefNumbers {
 public:
  std::uint32_t of(const std::string& ref) {
    if (ref.empty()) return 0;
    return numbers_.try_emplace(ref, static_cast<std::uint32_t>(numbers_.size() + 1)).first->second;
  }

 private:
  absl::flat_hash_map<std::string, std::uint32_t> numbers_;
};

class CustomerRefs {
 public:
  explicit CustomerRefs(const SqliteCustomerStore& store) : store_(store) {}
  /// At the start of each write transaction.
  void begin(sql::Conn& c);
  /// After it committed.
  void end(sql::Conn& c);
  /// The customer `ref` names, or nullopt (not remembered: the import may create it later).
  /// `number`: the reference's number from RefNumbers (0: none), which finds a remembered
  /// customer by position instead of by hashing and comparing the text.
  std::optional<CustomerId> resolve(sql::Conn& c, const std::string& ref, std::uint32_t number = 0);

 private:
  struct Mark {
    std::int64_t data_version = -1, changes = -1;
    bool operator==(const Mark& o) const { return data_version == o.data_version && changes == o.changes; }
  };
  static Mark mark(sql::Conn& c);

  const SqliteCustomerStore& store_;
  absl::flat_hash_map<std::string, CustomerId> ids_;
  std::vector<CustomerId> by_number_;  // by RefNumbers number; 0: not remembered
  Mark committed_;     // the database as the last committed transaction left it
  bool open_ = false;  // begin() without end() yet
};

}  // namespace kefu::customers
