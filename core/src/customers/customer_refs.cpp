// The import's cache of resolved customer references (see customer_refs.hpp).
#include "customer_refs.hpp"

namespace kefu::customers {

namespace {
// About 100 bytes an entry: a million customers' references cost some 100 MiB, then start over.
constexpr std::size_t kMaxEntries = 1 << 20;
}  // namespace

CustomerRefs::Mark CustomerRefs::mark(sql::Conn& c) {
  return {c.scalar("PRAGMA data_version"), static_cast<std::int64_t>(sqlite3_total_changes64(c.raw()))};
}

void CustomerRefs::begin(sql::Conn& c) {
  if (open_ || !(mark(c) == committed_)) ids_.clear();
  open_ = true;
}

void CustomerRefs::end(sql::Conn& c) {
  committed_ = mark(c);
  open_ = false;
}

std::optional<CustomerId> CustomerRefs::resolve(sql::Conn& c, const std::string& ref) {
  if (auto it = ids_.find(ref); it != ids_.end()) return it->second;
  auto id = store_.resolve_in(c, ref);
  if (id) {
    if (ids_.size() >= kMaxEntries) ids_.clear();
    ids_.emplace(ref, *id);
  }
  return id;
}

}  // namespace kefu::customers
