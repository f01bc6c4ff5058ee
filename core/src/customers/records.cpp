// Notes, orders, consultations and survey answers: adding and reading them, and keeping the
// per-customer aggregates (purchase count, last purchase, last complaint...) that reminders use.
#include <nlohmann/json.hpp>

#include "identifiers.hpp"
#include "kefu/text.hpp"
#include "sqlite_store.hpp"

namespace kefu::customers {

using nlohmann::json;

namespace {

void require_customer(sql::Conn& c, CustomerId id) {
  auto st = c.q("SELECT 1 FROM customers WHERE id = ?1");
  st->bind(1, id);
  if (!st->step()) throw Error(ErrorCode::not_found, "no customer " + std::to_string(id));
}

std::string checked(const std::string& v, const char* what, std::size_t max) {
  if (!is_valid_utf8(v)) throw Error(ErrorCode::invalid_utf8, std::string(what) + " is not valid UTF-8");
  if (v.size() > max) throw Error(ErrorCode::too_large, std::string(what) + " is longer than " + std::to_string(max) + " bytes");
  return std::string(trim(v));
}

void check_score(const std::optional<int>& s, const char* what) {
  if (s && (*s < 1 || *s > 5)) throw Error(ErrorCode::invalid_argument, std::string(what) + " must be 1 to 5");
}

Note note_row(const sql::Stmt& st) {
  Note n;
  n.id = st.i64(0);
  n.customer_id = st.i64(1);
  n.author = st.str(2);
  n.created_at = st.i64(3);
  n.text = st.str(4);
  n.pinned = st.i64(5) != 0;
  return n;
}

Purchase purchase_row(const sql::Stmt& st) {
  Purchase p;
  p.id = st.i64(0);
  p.customer_id = st.i64(1);
  p.order_id = st.str(2);
  auto items = st.view(3);
  json j = json::parse(items.begin(), items.end(), nullptr, false);
  if (j.is_array())
    for (const auto& v : j)
      if (v.is_string()) p.items.push_back(v.get<std::string>());
  if (!st.is_null(4)) p.amount = st.dbl(4);
  p.currency = st.str(5);
  p.time = st.i64(6);
  p.status = st.str(7);
  return p;
}

Consultation consultation_row(const sql::Stmt& st) {
  Consultation v;
  v.id = st.i64(0);
  v.customer_id = st.i64(1);
  v.time = st.i64(2);
  v.channel = st.str(3);
  v.intent = parse_intent(st.view(4)).value_or(Intent::other);
  v.summary = st.str(5);
  if (!st.is_null(6)) v.satisfaction = st.i32(6);
  v.resolved = st.i64(7) != 0;
  return v;
}

// The latest satisfaction score of a customer, from consultations and survey answers.
void refresh_satisfaction(sql::Conn& c, CustomerId id) {
  auto st = c.q(
      "UPDATE customers SET last_satisfaction = (SELECT s FROM ("
      "  SELECT satisfaction AS s, time FROM consultations WHERE customer_id = ?1 AND satisfaction IS NOT NULL"
      "  UNION ALL SELECT score, time FROM survey_answers WHERE customer_id = ?1 AND score IS NOT NULL)"
      " ORDER BY time DESC LIMIT 1) WHERE id = ?1");
  st->bind(1, id).run();
}

// A new order of `id` at `time`: the aggregates move without counting the customer's orders again.
void count_new_purchase(sql::Conn& c, CustomerId id, Timestamp time) {
  auto st = c.q(
      "UPDATE customers SET purchase_count = purchase_count + 1, first_purchase_at = min(coalesce(first_purchase_at, ?2), ?2), "
      "last_purchase_at = max(coalesce(last_purchase_at, ?2), ?2) WHERE id = ?1");
  st->bind(1, id).bind(2, time).run();
}

void refresh_purchases(sql::Conn& c, CustomerId id) {
  auto st = c.q(
      "UPDATE customers SET (purchase_count, first_purchase_at, last_purchase_at) = "
      "(SELECT count(*), min(time), max(time) FROM purchases WHERE customer_id = ?1) WHERE id = ?1");
  st->bind(1, id).run();
}

}  // namespace

// ---- notes ----

Note SqliteCustomerStore::add_note_in(sql::Conn& c, CustomerId id, const NewNote& note,
                                      std::optional<std::int64_t> source_key, bool* inserted, bool index) {
  check_text(note.text, max_text_bytes(), false, "note");
  std::string author = checked(note.author, "author", 200);
  Note n;
  n.customer_id = id;
  n.author = author;
  n.created_at = note.created_at ? *note.created_at : now_seconds();
  n.text = note.text;
  n.pinned = note.pinned;
  auto st = c.q(
      "INSERT OR IGNORE INTO notes(customer_id, author, created_at, text, pinned, source_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!source_key)
    source_key = content_key({"note", std::to_string(id), std::to_string(n.created_at), n.author, n.text});
  st->bind(1, id).bind(2, n.author).bind(3, n.created_at).bind(4, n.text).bind(5, n.pinned).bind(6, source_key);
  bool added = st->run() > 0;
  if (inserted) *inserted = added;
  if (added) {
    n.id = c.last_id();
    if (index) c.q("INSERT INTO notes_fts(rowid, text) VALUES (?1, ?2)")->bind(1, n.id).bind(2, n.text).run();
  } else {
    auto again = c.q("SELECT id FROM notes WHERE source_key = ?1");
    again->bind(1, source_key);
    if (again->step()) n.id = again->i64(0);
  }
  return n;
}

Note SqliteCustomerStore::do_add_note(CustomerId id, const NewNote& note) {
  Note n = write([&](sql::Conn& c) {
    require_customer(c, id);
    return add_note_in(c, id, note, std::nullopt, nullptr);
  });
  if (log()) log()->debug("note {} added for customer {}: {}", n.id, id, n.text);
  return n;
}

CustomerId SqliteCustomerStore::do_set_note_pinned(std::int64_t note_id, bool pinned) {
  return write([&](sql::Conn& c) {
    auto st = c.q("SELECT customer_id FROM notes WHERE id = ?1");
    st->bind(1, note_id);
    if (!st->step()) throw Error(ErrorCode::not_found, "no note " + std::to_string(note_id));
    CustomerId owner = st->i64(0);
    c.q("UPDATE notes SET pinned = ?2 WHERE id = ?1")->bind(1, note_id).bind(2, pinned).run();
    return owner;
  });
}

CustomerId SqliteCustomerStore::do_delete_note(std::int64_t note_id) {
  return write([&](sql::Conn& c) {
    auto st = c.q("SELECT customer_id FROM notes WHERE id = ?1");
    st->bind(1, note_id);
    if (!st->step()) throw Error(ErrorCode::not_found, "no note " + std::to_string(note_id));
    CustomerId owner = st->i64(0);
    c.q("DELETE FROM notes WHERE id = ?1")->bind(1, note_id).run();
    return owner;
  });
}

std::vector<Note> SqliteCustomerStore::load_notes(sql::Conn& c, CustomerId id, std::size_t limit, int pinned) const {
  std::vector<Note> out;
  // pinned: -1 all, 0 not pinned, 1 pinned only
  auto st = c.q(
      "SELECT id, customer_id, author, created_at, text, pinned FROM notes WHERE customer_id = ?1 "
      "AND (?3 < 0 OR pinned = ?3) ORDER BY created_at DESC, id DESC LIMIT ?2");
  st->bind(1, id).bind(2, limit).bind(3, pinned);
  while (st->step()) out.push_back(note_row(*st));
  return out;
}

std::vector<Note> SqliteCustomerStore::notes(CustomerId id, std::size_t limit) const {
  return read([&](sql::Conn& c) { return load_notes(c, id, limit, -1); });
}

void SqliteCustomerStore::index_new(sql::Conn& c, std::int64_t notes_after, std::int64_t consultations_after) {
  c.q("INSERT INTO notes_fts(rowid, text) SELECT id, text FROM notes WHERE id > ?1")->bind(1, notes_after).run();
  c.q("INSERT INTO consultations_fts(rowid, summary) SELECT id, summary FROM consultations WHERE id > ?1")
      ->bind(1, consultations_after)
      .run();
}

void SqliteCustomerStore::tidy_index(std::size_t notes_added, std::size_t consultations_added) {
  write([&](sql::Conn& c) {
    auto tidy = [&](const char*, const char* id_sql, std::size_t added, const char* optimize, const char* merge) {
      if (!added) return;
      auto total = static_cast<std::size_t>(c.scalar(id_sql));
      c.exec(added * 4 >= total ? optimize : merge);
    };
    tidy("notes", "SELECT coalesce(max(id), 0) FROM notes", notes_added,
         "INSERT INTO notes_fts(notes_fts) VALUES ('optimize')",
         "INSERT INTO notes_fts(notes_fts, rank) VALUES ('merge', 4000)");
    tidy("consultations", "SELECT coalesce(max(id), 0) FROM consultations", consultations_added,
         "INSERT INTO consultations_fts(consultations_fts) VALUES ('optimize')",
         "INSERT INTO consultations_fts(consultations_fts, rank) VALUES ('merge', 4000)");
    return 0;
  });
  // A merge rewrites much of the index through the write-ahead log: copy it back and shrink the log
  // now (best effort: a reader on an old snapshot may keep it until later).
  auto lock = lock_writer();
  try {
    sql::Stmt st(writer_conn().raw(), "PRAGMA wal_checkpoint(TRUNCATE)");
    st.step();
  } catch (const sql::Busy&) {
  }
}

// ---- orders ----

Purchase SqliteCustomerStore::add_purchase_in(sql::Conn& c, CustomerId id, const Purchase& in, bool* inserted,
                                              bool aggregates, bool likely_new) {
  Purchase p = in;
  p.order_id = checked(in.order_id, "order id", 200);
  if (p.order_id.empty()) throw Error(ErrorCode::invalid_argument, "an order needs an order id");
  for (auto& item : p.items) item = checked(item, "an item", 1000);
  p.currency = checked(in.currency, "currency", 16);
  p.status = checked(in.status, "status", 100);
  if (p.time == 0) p.time = now_seconds();
  p.customer_id = id;
  std::string items = json(p.items).dump();
  auto insert = [&](bool or_ignore) {
    auto st = c.q(or_ignore ? "INSERT OR IGNORE INTO purchases(customer_id, order_id, items, amount, currency, time, status) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                            : "INSERT INTO purchases(customer_id, order_id, items, amount, currency, time, status) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    st->bind(1, id).bind(2, p.order_id).bind(3, items).bind(4, p.amount).bind(5, p.currency).bind(6, p.time).bind(7, p.status);
    if (st->run() == 0) return false;  // INSERT OR IGNORE: the order id is taken
    p.id = c.last_id();
    if (inserted) *inserted = true;
    if (aggregates) count_new_purchase(c, id, p.time);
    return true;
  };
  if (likely_new && insert(true)) return p;
  std::optional<CustomerId> previous_owner;
  bool changed = true;
  {
    auto st = c.q("SELECT id, customer_id, items, amount, currency, time, status FROM purchases WHERE order_id = ?1");
    st->bind(1, p.order_id);
    if (st->step()) {
      p.id = st->i64(0);
      previous_owner = st->i64(1);
      std::optional<double> amount;
      if (!st->is_null(3)) amount = st->dbl(3);
      changed = *previous_owner != id || st->view(2) != items || amount != p.amount || st->view(4) != p.currency ||
                st->i64(5) != p.time || st->view(6) != p.status;
    }
  }
  if (inserted) *inserted = !previous_owner;
  if (!changed) return p;
  if (previous_owner) {
    auto st = c.q(
        "UPDATE purchases SET customer_id = ?2, items = ?3, amount = ?4, currency = ?5, time = ?6, status = ?7 WHERE id = ?1");
    st->bind(1, p.id).bind(2, id).bind(3, items).bind(4, p.amount).bind(5, p.currency).bind(6, p.time).bind(7, p.status);
    st->run();
  } else {
    insert(false);
    return p;
  }
  if (!aggregates) return p;
  refresh_purchases(c, id);
  if (*previous_owner != id) refresh_purchases(c, *previous_owner);
  return p;
}

Purchase SqliteCustomerStore::do_add_purchase(CustomerId id, const Purchase& purchase) {
  return write([&](sql::Conn& c) {
    require_customer(c, id);
    return add_purchase_in(c, id, purchase, nullptr);
  });
}

std::vector<Purchase> SqliteCustomerStore::load_purchases(sql::Conn& c, CustomerId id, std::size_t limit) const {
  std::vector<Purchase> out;
  auto st = c.q(
      "SELECT id, customer_id, order_id, items, amount, currency, time, status FROM purchases WHERE customer_id = ?1 "
      "ORDER BY time DESC, id DESC LIMIT ?2");
  st->bind(1, id).bind(2, limit);
  while (st->step()) out.push_back(purchase_row(*st));
  return out;
}

std::vector<Purchase> SqliteCustomerStore::purchases(CustomerId id, std::size_t limit) const {
  return read([&](sql::Conn& c) { return load_purchases(c, id, limit); });
}

// ---- consultations ----

Consultation SqliteCustomerStore::add_consultation_in(sql::Conn& c, CustomerId id, const Consultation& in,
                                                      std::optional<std::int64_t> source_key, bool* inserted, bool index,
                                                      bool aggregates) {
  Consultation v = in;
  v.channel = checked(in.channel, "channel", 100);
  if (!is_valid_utf8(in.summary)) throw Error(ErrorCode::invalid_utf8, "summary is not valid UTF-8");
  if (in.summary.size() > max_text_bytes()) throw Error(ErrorCode::too_large, "summary is too long");
  check_score(in.satisfaction, "satisfaction");
  if (v.time == 0) v.time = now_seconds();
  v.customer_id = id;
  if (!source_key)
    source_key = content_key({"consultation", std::to_string(id), std::to_string(v.time), v.channel,
                              std::string(to_string(v.intent)), v.summary});
  auto st = c.q(
      "INSERT OR IGNORE INTO consultations(customer_id, time, channel, intent, summary, satisfaction, resolved, source_key) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  st->bind(1, id).bind(2, v.time).bind(3, v.channel).bind(4, to_string(v.intent)).bind(5, v.summary);
  st->bind(6, v.satisfaction).bind(7, v.resolved).bind(8, source_key);
  bool added = st->run() > 0;
  if (inserted) *inserted = added;
  if (!added) return v;
  v.id = c.last_id();
  if (index)
    c.q("INSERT INTO consultations_fts(rowid, summary) VALUES (?1, ?2)")->bind(1, v.id).bind(2, v.summary).run();
  if (!aggregates) return v;
  auto up = c.q(
      "UPDATE customers SET last_contact_at = max(coalesce(last_contact_at, 0), ?2), "
      "last_complaint_at = CASE WHEN ?3 THEN max(coalesce(last_complaint_at, 0), ?2) ELSE last_complaint_at END "
      "WHERE id = ?1");
  up->bind(1, id).bind(2, v.time).bind(3, is_complaint(v.intent)).run();
  if (v.satisfaction) refresh_satisfaction(c, id);
  return v;
}

Consultation SqliteCustomerStore::do_add_consultation(CustomerId id, const Consultation& consultation) {
  return write([&](sql::Conn& c) {
    require_customer(c, id);
    return add_consultation_in(c, id, consultation, std::nullopt, nullptr);
  });
}

std::vector<Consultation> SqliteCustomerStore::load_consultations(sql::Conn& c, CustomerId id, std::size_t limit) const {
  std::vector<Consultation> out;
  auto st = c.q(
      "SELECT id, customer_id, time, channel, intent, summary, satisfaction, resolved FROM consultations "
      "WHERE customer_id = ?1 ORDER BY time DESC, id DESC LIMIT ?2");
  st->bind(1, id).bind(2, limit);
  while (st->step()) out.push_back(consultation_row(*st));
  return out;
}

std::vector<Consultation> SqliteCustomerStore::consultations(CustomerId id, std::size_t limit) const {
  return read([&](sql::Conn& c) { return load_consultations(c, id, limit); });
}

// ---- survey answers ----

SurveyAnswer SqliteCustomerStore::add_survey_answer_in(sql::Conn& c, CustomerId id, const SurveyAnswer& in,
                                                       std::optional<std::int64_t> source_key, bool* inserted) {
  SurveyAnswer a = in;
  a.survey = checked(in.survey, "survey", 200);
  a.question = checked(in.question, "question", 2000);
  a.answer = checked(in.answer, "answer", max_text_bytes());
  check_score(in.score, "score");
  if (a.answer.empty() && !a.score) throw Error(ErrorCode::empty, "a survey answer needs an answer or a score");
  if (a.time == 0) a.time = now_seconds();
  a.customer_id = id;
  if (!source_key) source_key = content_key({"survey", std::to_string(id), std::to_string(a.time), a.survey, a.question});
  auto st = c.q(
      "INSERT OR IGNORE INTO survey_answers(customer_id, time, survey, question, answer, score, source_key) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  st->bind(1, id).bind(2, a.time).bind(3, a.survey).bind(4, a.question).bind(5, a.answer).bind(6, a.score).bind(7, source_key);
  bool added = st->run() > 0;
  if (inserted) *inserted = added;
  if (!added) return a;
  a.id = c.last_id();
  auto up = c.q("UPDATE customers SET last_contact_at = max(coalesce(last_contact_at, 0), ?2) WHERE id = ?1");
  up->bind(1, id).bind(2, a.time).run();
  if (a.score) refresh_satisfaction(c, id);
  return a;
}

SurveyAnswer SqliteCustomerStore::do_add_survey_answer(CustomerId id, const SurveyAnswer& answer) {
  return write([&](sql::Conn& c) {
    require_customer(c, id);
    return add_survey_answer_in(c, id, answer, std::nullopt, nullptr);
  });
}

std::vector<SurveyAnswer> SqliteCustomerStore::load_survey_answers(sql::Conn& c, CustomerId id, std::size_t limit) const {
  std::vector<SurveyAnswer> out;
  auto st = c.q(
      "SELECT id, customer_id, time, survey, question, answer, score FROM survey_answers WHERE customer_id = ?1 "
      "ORDER BY time DESC, id DESC LIMIT ?2");
  st->bind(1, id).bind(2, limit);
  while (st->step()) {
    SurveyAnswer a;
    a.id = st->i64(0);
    a.customer_id = st->i64(1);
    a.time = st->i64(2);
    a.survey = st->str(3);
    a.question = st->str(4);
    a.answer = st->str(5);
    if (!st->is_null(6)) a.score = st->i32(6);
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<SurveyAnswer> SqliteCustomerStore::survey_answers(CustomerId id, std::size_t limit) const {
  return read([&](sql::Conn& c) { return load_survey_answers(c, id, limit); });
}

}  // namespace kefu::customers
