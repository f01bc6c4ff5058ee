// Internal: the customer database's schema, its versions (PRAGMA user_version) and migrations.
#pragma once
#include "sqlite_db.hpp"

namespace kefu::customers {

/// The version this build writes.
constexpr int kSchemaVersion = 3;

/// Version 1, the first layout (one phone and email column per customer, tags as "a;b", a plain
/// trigram index over notes). Kept to migrate old files and to test that migration.
extern const char* const kSchemaV1;

/// Creates the schema in an empty database or migrates an older one, in one transaction; rebuilds
/// the full-text index when the tokenizer's folding changed. Throws Error(unsupported) for a
/// database of a newer kefu.
void migrate(sql::Conn& c, const ChineseConverter* to_simplified);

}  // namespace kefu::customers
