// Internal: secondary indexes (and per-customer aggregates) put off while an import fills a table
// from empty.
//
// Inserting a million rows one by one into indexes on random keys (notes by customer, the
// idempotence keys) costs a b-tree descent and a dirty page per row per index, and every
// transaction writes most of those pages to the log again; CREATE INDEX over the finished table
// sorts once. So an import that finds a table empty drops that table's secondary indexes in its
// first transaction that writes to it, and makes them again at its end (import.cpp). Until then
// the rows of the import itself are kept unique by their keys in memory. Likewise each order and
// consultation updates its customer's row (purchase count, last contact...), a random page each;
// into an empty table, these are counted once at the end instead.
//
// Crash safety: the dropping and its record in kefu_meta ("deferred_index:NAME" → the index's
// CREATE statement; "deferred_aggregates:TABLE"; "deferred_merging:FTS_TABLE") commit together,
// and so do the re-creation (or the count, or FTS5's defaults) and the record's removal. A killed
// import leaves the records behind; opening the store makes the indexes again before anything
// else runs. A unique index that cannot be made because another writer added a row with the same
// key meanwhile (which the missing index could not refuse) is made after removing the later
// copies (the first row with a key is kept, as INSERT OR IGNORE would have).
#pragma once
#include <initializer_list>

#include "sqlite_db.hpp"

namespace kefu::customers {

/// Inside a write transaction: drops the indexes `names` (those that exist) and records them.
/// Returns whether any was dropped.
bool defer_indexes(sql::Conn& c, std::initializer_list<const char*> names);

/// Inside a write transaction: records that the per-customer aggregates of `table` ("purchases":
/// purchase count, first and last purchase; "consultations": last contact, last complaint, last
/// satisfaction score) are not kept up to date row by row: the import that fills the table from
/// empty counts them once at its end, for every customer with rows in it.
void defer_aggregates(sql::Conn& c, const char* table);

/// Inside a write transaction: stops FTS5's merging of index segments in `fts_table` (notes_fts or
/// consultations_fts) while an import fills its table from empty, and records it. Every batch's
/// new rows then stay a segment of their own (up to 200 a level), instead of being merged again and
/// again as the index grows; the import's final 'optimize' merges them once (1M notes: 1 s of
/// 7 s less, measured). restore_deferred() sets FTS5's defaults (automerge 4, crisismerge 16) again.
void defer_merging(sql::Conn& c, const char* fts_table);

/// Inside a write transaction: makes every recorded index again, counts every recorded aggregate,
/// sets FTS5's merging back, and removes the records. Returns how many things it did.
int restore_deferred(sql::Conn& c);

/// Whether indexes, aggregates or merging are recorded as put off (by this or a killed import, or
/// another process's).
bool has_deferred(sql::Conn& c);

}  // namespace kefu::customers
