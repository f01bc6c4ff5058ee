// Secondary indexes put off while an import fills a table from empty (see deferred_indexes.hpp).
#include "deferred_indexes.hpp"

#include <string>
#include <utility>
#include <vector>

namespace kefu::customers {

namespace {

constexpr std::string_view kPrefix = "deferred_index:";

bool index_exists(sql::Conn& c, const std::string& name) {
  auto st = c.q("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?1");
  st->bind(1, name);
  return st->step();
}

}  // namespace

bool defer_indexes(sql::Conn& c, std::initializer_list<const char*> names) {
  bool any = false;
  for (const char* name : names) {
    std::string create;
    {
      auto st = c.q("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1 AND sql IS NOT NULL");
      st->bind(1, name);
      if (!st->step()) continue;
      create = st->str(0);
    }
    auto st = c.q("INSERT OR REPLACE INTO kefu_meta(key, value) VALUES (?1, ?2)");
    st->bind(1, std::string(kPrefix) + name).bind(2, create).run();
    c.exec(std::string("DROP INDEX \"") + name + "\"");
    any = true;
  }
  return any;
}

int restore_deferred_indexes(sql::Conn& c) {
  std::vector<std::pair<std::string, std::string>> recorded;  // meta key, CREATE statement
  {
    auto st = c.q("SELECT key, value FROM kefu_meta WHERE key >= 'deferred_index:' AND key < 'deferred_index;'");
    while (st->step()) recorded.emplace_back(st->str(0), st->str(1));
  }
  int made = 0;
  for (const auto& [key, create] : recorded) {
    std::string name = key.substr(kPrefix.size());
    if (!index_exists(c, name)) {
      try {
        c.exec(create);
      } catch (const Error&) {
        // A unique idempotence key (source_key) that another writer repeated while the index was
        // missing: keep the first row with each key, as INSERT OR IGNORE would have, and try again.
        auto on = create.find(" ON ");
        auto paren = create.find('(', on == std::string::npos ? 0 : on);
        if (create.rfind("CREATE UNIQUE INDEX", 0) != 0 || create.find("(source_key)") == std::string::npos ||
            on == std::string::npos || paren == std::string::npos)
          throw;
        std::string table = create.substr(on + 4, paren - on - 4);
        c.exec("DELETE FROM " + table + " WHERE source_key IS NOT NULL AND id NOT IN (SELECT min(id) FROM " + table +
               " WHERE source_key IS NOT NULL GROUP BY source_key)");
        c.exec(create);
      }
      ++made;
    }
    c.q("DELETE FROM kefu_meta WHERE key = ?1")->bind(1, key).run();
  }
  return made;
}

bool has_deferred_indexes(sql::Conn& c) {
  auto st = c.q("SELECT 1 FROM kefu_meta WHERE key >= 'deferred_index:' AND key < 'deferred_index;' LIMIT 1");
  return st->step();
}

}  // namespace kefu::customers
