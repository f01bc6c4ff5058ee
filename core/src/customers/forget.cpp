// Forgetting a customer: every row and full-text entry goes, and the text does not linger in the
// file. secure_delete overwrites freed space with zeros; the full-text index is merged so that no
// segment still holds the customer's terms; the write-ahead log, which holds earlier copies of the
// pages, is checkpointed and truncated.
#include "sqlite_store.hpp"

namespace kefu::customers {

ForgetReport SqliteCustomerStore::do_forget(CustomerId id) {
  auto lock = lock_writer();
  sql::Conn& c = writer_conn();
  ForgetReport report = sql::retry(c, [&] {
    sql::Txn txn(c, true);
    ForgetReport r;
    {
      auto st = c.q("SELECT 1 FROM customers WHERE id = ?1");
      st->bind(1, id);
      if (!st->step()) throw Error(ErrorCode::not_found, "no customer " + std::to_string(id));
    }
    // The triggers on notes and consultations delete their full-text entries.
    r.notes = static_cast<std::size_t>(c.q("DELETE FROM notes WHERE customer_id = ?1")->bind(1, id).run());
    r.consultations = static_cast<std::size_t>(c.q("DELETE FROM consultations WHERE customer_id = ?1")->bind(1, id).run());
    r.purchases = static_cast<std::size_t>(c.q("DELETE FROM purchases WHERE customer_id = ?1")->bind(1, id).run());
    r.survey_answers = static_cast<std::size_t>(c.q("DELETE FROM survey_answers WHERE customer_id = ?1")->bind(1, id).run());
    c.q("DELETE FROM preferences WHERE customer_id = ?1")->bind(1, id).run();
    {
      std::vector<std::string> keys;
      {
        auto st = c.q("SELECT value FROM customers, json_each(customers.ids) WHERE customers.id = ?1");
        st->bind(1, id);
        while (st->step()) keys.push_back(st->str(0));
      }
      for (const auto& k : keys)
        r.identifiers += static_cast<std::size_t>(
            c.q("DELETE FROM identifiers WHERE key = ?1 AND customer_id = ?2")->bind(1, k).bind(2, id).run());
    }
    c.q("DELETE FROM customers WHERE id = ?1")->bind(1, id).run();
    txn.commit();
    return r;
  });
  // Merge the full-text segments: deleted entries are dropped only when the segments holding
  // them are rewritten (unless FTS5's secure-delete, SQLite 3.42+, removed them already). This
  // rewrites the whole index: seconds for a small shop, most of a minute for 5 million notes.
  if (!fts_secure_delete()) sql::retry(c, [&] {
    sql::Txn txn(c, true);
    if (report.notes) c.exec("INSERT INTO notes_fts(notes_fts) VALUES ('optimize')");
    if (report.consultations) c.exec("INSERT INTO consultations_fts(consultations_fts) VALUES ('optimize')");
    txn.commit();
    return 0;
  });
  // Copy everything into the database file and empty the log. Readers still on an older snapshot
  // keep the log alive; the busy handler waits for them up to the busy timeout.
  int busy = 1;
  try {
    sql::Stmt st(c.raw(), "PRAGMA wal_checkpoint(TRUNCATE)");
    if (st.step()) busy = st.i32(0);
  } catch (const sql::Busy&) {
    busy = 1;
  }
  report.purged = busy == 0;
  if (log()) log()->info("customer forgotten ({} notes); space overwritten: {}", report.notes, report.purged ? "yes" : "not yet");
  return report;
}

}  // namespace kefu::customers
