// Export as JSON Lines: one line per customer holding all their records, in the form import reads
// back (records carry their idempotence "key", so exporting and importing again adds nothing).
#include <ostream>

#include "dates.hpp"
#include "json_forms.hpp"
#include "sqlite_store.hpp"

namespace kefu::customers {

using nlohmann::json;

namespace {

json customer_line(sql::Conn& c, const Customer& cu) {
  json j = {{"type", "customer"}, {"kefu_id", cu.id}, {"name", cu.name}};
  if (!cu.title.empty()) j["title"] = cu.title;
  if (!cu.external_ids.empty()) j["external_ids"] = cu.external_ids;
  if (!cu.phones.empty()) j["phones"] = cu.phones;
  if (!cu.emails.empty()) j["emails"] = cu.emails;
  if (!cu.birthday.empty()) j["birthday"] = cu.birthday;
  if (!cu.locale.empty()) j["locale"] = cu.locale;
  j["tags"] = cu.tags;
  if (!cu.preferences.empty()) j["preferences"] = to_json_value(cu.preferences);
  j["created_at"] = format_time(cu.created_at);

  json notes = json::array(), orders = json::array(), consultations = json::array(), answers = json::array();
  {
    auto st = c.q("SELECT author, created_at, text, pinned, source_key FROM notes WHERE customer_id = ?1 ORDER BY id");
    st->bind(1, cu.id);
    while (st->step()) {
      json n = {{"created_at", format_time(st->i64(1))}, {"text", st->str(2)}, {"pinned", st->i64(3) != 0}};
      if (!st->view(0).empty()) n["author"] = st->str(0);
      if (!st->is_null(4)) n["key"] = st->i64(4);
      notes.push_back(std::move(n));
    }
  }
  {
    auto st = c.q(
        "SELECT order_id, items, amount, currency, time, status FROM purchases WHERE customer_id = ?1 ORDER BY id");
    st->bind(1, cu.id);
    while (st->step()) {
      auto items = st->view(1);
      json o = {{"order_id", st->str(0)},
                {"items", json::parse(items.begin(), items.end(), nullptr, false)},
                {"time", format_time(st->i64(4))}};
      if (!st->is_null(2)) o["amount"] = st->dbl(2);
      if (!st->view(3).empty()) o["currency"] = st->str(3);
      if (!st->view(5).empty()) o["status"] = st->str(5);
      orders.push_back(std::move(o));
    }
  }
  {
    auto st = c.q(
        "SELECT time, channel, intent, summary, satisfaction, resolved, source_key FROM consultations "
        "WHERE customer_id = ?1 ORDER BY id");
    st->bind(1, cu.id);
    while (st->step()) {
      json v = {{"time", format_time(st->i64(0))}, {"channel", st->str(1)}, {"intent", st->str(2)},
                {"summary", st->str(3)}, {"resolved", st->i64(5) != 0}};
      if (!st->is_null(4)) v["satisfaction"] = st->i64(4);
      if (!st->is_null(6)) v["key"] = st->i64(6);
      consultations.push_back(std::move(v));
    }
  }
  {
    auto st = c.q(
        "SELECT time, survey, question, answer, score, source_key FROM survey_answers WHERE customer_id = ?1 ORDER BY id");
    st->bind(1, cu.id);
    while (st->step()) {
      json a = {{"time", format_time(st->i64(0))}, {"survey", st->str(1)}, {"question", st->str(2)},
                {"answer", st->str(3)}};
      if (!st->is_null(4)) a["score"] = st->i64(4);
      if (!st->is_null(5)) a["key"] = st->i64(5);
      answers.push_back(std::move(a));
    }
  }
  if (!notes.empty()) j["notes"] = std::move(notes);
  if (!orders.empty()) j["orders"] = std::move(orders);
  if (!consultations.empty()) j["consultations"] = std::move(consultations);
  if (!answers.empty()) j["survey_answers"] = std::move(answers);
  return j;
}

std::vector<std::pair<CustomerId, std::string>> page(const SqliteCustomerStore& store, CustomerId after,
                                                     std::size_t limit) {
  return store.read([&](sql::Conn& c) {
    std::vector<CustomerId> ids;
    {
      auto st = c.q("SELECT id FROM customers WHERE id > ?1 ORDER BY id LIMIT ?2");
      st->bind(1, after).bind(2, limit ? limit : 1000);
      while (st->step()) ids.push_back(st->i64(0));
    }
    std::vector<std::pair<CustomerId, std::string>> lines;
    for (auto id : ids)
      if (auto cu = store.load_customer(c, id)) lines.emplace_back(id, dump(customer_line(c, *cu)));
    return lines;
  });
}

}  // namespace

std::vector<std::string> SqliteCustomerStore::export_page(CustomerId after, std::size_t limit) const {
  std::vector<std::string> out;
  for (auto& [id, line] : page(*this, after, limit)) out.push_back(std::move(line));
  return out;
}

std::size_t SqliteCustomerStore::export_jsonl(std::ostream& out) const {
  std::size_t rows = 0;
  CustomerId after = 0;
  for (;;) {
    auto lines = page(*this, after, 1000);
    if (lines.empty()) break;
    for (const auto& [id, line] : lines) {
      out << line << '\n';
      after = id;
    }
    rows += lines.size();
    if (!out) throw Error(ErrorCode::io, "writing the export failed");
  }
  if (log()) log()->info("exported {} customers", rows);
  return rows;
}

}  // namespace kefu::customers
