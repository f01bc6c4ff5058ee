// The import's cache of resolved customer references (see customer_refs.hpp).
#include "customer_refs.hpp"

#include <algorithm>

namespace kefu::customers {

namespace {
// By text: about 100 bytes an entry, a million customers' references cost some 100 MiB, then start
// over. By number: 8 bytes an entry, up to 16M references (a file with more looks the rest up).
constexpr std::size_t kMaxEntries = 1 << 20;
constexpr std::size_t kMaxNumber = 1 << 24;
}  // namespace

CustomerRefs::Mark CustomerRefs::mark(sql::Conn& c) {
  return {c.scalar("PRAGMA data_version"), static_cast<std::int64_t>(sqlite3_total_changes64(c.raw()))};
}

void CustomerRefs::begin(sql::Conn& c) {
  if (open_ || !(mark(c) == committed_)) {
    ids_.clear();
    by_number_.clear();
  }
  open_ = true;
}

void CustomerRefs::end(sql::Conn& c) {
  committed_ = mark(c);
  open_ = false;
}

std::optional<CustomerId> CustomerRefs::resolve(sql::Conn& c, const std::string& ref, std::uint32_t number) {
  if (number && number < by_number_.size() && by_number_[number]) return by_number_[number];
  if (number && number < kMaxNumber) {  // by number only
    auto id = store_.resolve_in(c, ref);
    if (id) {
      if (number >= by_number_.size()) by_number_.resize(std::max<std::size_t>(number + 1, by_number_.size() * 2), 0);
      by_number_[number] = *id;
    }
    return id;
  }
  if (auto it = ids_.find(ref); it != ids_.end()) return it->second;
  auto id = store_.resolve_in(c, ref);
  if (id) {
    if (ids_.size() >= kMaxEntries) ids_.clear();
    ids_.emplace(ref, *id);
  }
  return id;
}

}  // namespace kefu::customers
