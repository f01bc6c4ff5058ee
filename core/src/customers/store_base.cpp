// CustomerStore's backend-independent part: argument checks, events, template choice for reminders.
#include <fstream>
#include <sys/stat.h>

#include "json_forms.hpp"
#include "kefu/customer_json.hpp"
#include "kefu/customer_store.hpp"
#include "kefu/error.hpp"

namespace kefu {

using nlohmann::json;

std::string_view to_string(CareKind kind) noexcept {
  switch (kind) {
    case CareKind::birthday: return "birthday";
    case CareKind::holiday: return "holiday";
    case CareKind::churn_risk: return "churn_risk";
    case CareKind::win_back: return "win_back";
    case CareKind::new_arrival: return "new_arrival";
  }
  return "birthday";
}

std::vector<CustomerType> Customer::types() const {
  std::vector<CustomerType> out;
  for (const auto& t : tags)
    if (auto ct = parse_customer_type(t)) out.push_back(*ct);
  return out;
}

CustomerStore::~CustomerStore() = default;

void CustomerStore::set_listener(Listener listener) { listener_ = std::move(listener); }
void CustomerStore::set_template_picker(TemplatePicker picker) { picker_ = std::move(picker); }

bool CustomerStore::wants(std::string_view event) const {
  if (!listener_.publish) return false;
  return !listener_.wants || listener_.wants(event);
}

void CustomerStore::publish(std::string_view event, const std::string& payload) const {
  if (listener_.publish) listener_.publish(event, payload);
}


CustomerId CustomerStore::require(std::string_view ref) const {
  auto id = resolve(ref);
  if (!id) throw Error(ErrorCode::not_found, "no such customer (give a kefu id, an external id, a phone or an email)");
  return *id;
}

CustomerId CustomerStore::upsert(const CustomerFields& fields) {
  bool created = false, changed = false;
  CustomerId id = do_upsert(fields, created, changed);
  if (changed && wants("customer_updated"))
    publish("customer_updated", customers::dump(json{{"customer_id", id}, {"action", created ? "created" : "updated"}}));
  return id;
}

void CustomerStore::update(CustomerId id, const CustomerFields& fields) {
  if (do_update(id, fields) && wants("customer_updated"))
    publish("customer_updated", customers::dump(json{{"customer_id", id}, {"action", "updated"}}));
}

Note CustomerStore::add_note(CustomerId id, const NewNote& note) {
  Note n = do_add_note(id, note);
  if (wants("note_added")) publish("note_added", customers::dump(customers::to_json_value(n)));
  return n;
}

void CustomerStore::set_note_pinned(std::int64_t note_id, bool pinned) {
  CustomerId owner = do_set_note_pinned(note_id, pinned);
  if (wants("customer_updated"))
    publish("customer_updated", customers::dump(json{{"customer_id", owner},
                                                     {"action", pinned ? "note_pinned" : "note_unpinned"},
                                                     {"note_id", note_id}}));
}

void CustomerStore::delete_note(std::int64_t note_id) {
  CustomerId owner = do_delete_note(note_id);
  if (wants("customer_updated"))
    publish("customer_updated",
            customers::dump(json{{"customer_id", owner}, {"action", "note_deleted"}, {"note_id", note_id}}));
}

Purchase CustomerStore::add_purchase(CustomerId id, const Purchase& purchase) {
  Purchase p = do_add_purchase(id, purchase);
  if (wants("customer_updated"))
    publish("customer_updated",
            customers::dump(json{{"customer_id", id}, {"action", "purchase_added"}, {"purchase", customers::to_json_value(p)}}));
  return p;
}

Consultation CustomerStore::add_consultation(CustomerId id, const Consultation& consultation) {
  Consultation v = do_add_consultation(id, consultation);
  if (wants("customer_updated"))
    publish("customer_updated", customers::dump(json{{"customer_id", id},
                                                     {"action", "consultation_added"},
                                                     {"consultation", customers::to_json_value(v)}}));
  return v;
}

SurveyAnswer CustomerStore::add_survey_answer(CustomerId id, const SurveyAnswer& answer) {
  SurveyAnswer a = do_add_survey_answer(id, answer);
  if (wants("customer_updated"))
    publish("customer_updated",
            customers::dump(json{{"customer_id", id}, {"action", "survey_added"}, {"answer", customers::to_json_value(a)}}));
  return a;
}

ImportReport CustomerStore::import_file(const std::string& path, const ImportOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::io, "cannot read " + path);
  struct stat st {};
  std::uint64_t size = ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
  auto format = options.format;
  if (format == ImportOptions::Format::automatic) {
    auto dot = path.rfind('.');
    std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
    for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext == "csv") format = ImportOptions::Format::csv;
    else if (ext == "jsonl" || ext == "ndjson" || ext == "json") format = ImportOptions::Format::jsonl;
  }
  ImportReport r = do_import(in, path, size, format, options);
  if (wants("customer_updated") && (r.customers_created || r.customers_updated || r.notes_added || r.purchases_added ||
                                    r.consultations_added || r.surveys_added))
    publish("customer_updated", customers::dump(json{{"action", "imported"},
                                                     {"customers_created", r.customers_created},
                                                     {"customers_updated", r.customers_updated},
                                                     {"notes_added", r.notes_added}}));
  return r;
}

ImportReport CustomerStore::import_stream(std::istream& in, const std::string& name, const ImportOptions& options) {
  ImportReport r = do_import(in, name, 0, options.format, options);
  if (wants("customer_updated") && (r.customers_created || r.customers_updated || r.notes_added))
    publish("customer_updated", customers::dump(json{{"action", "imported"},
                                                     {"customers_created", r.customers_created},
                                                     {"customers_updated", r.customers_updated},
                                                     {"notes_added", r.notes_added}}));
  return r;
}

ForgetReport CustomerStore::forget(CustomerId id) {
  ForgetReport r = do_forget(id);
  if (wants("customer_updated"))
    publish("customer_updated", customers::dump(json{{"customer_id", id}, {"action", "forgotten"}}));
  return r;
}

void CustomerStore::pick_templates(std::vector<CareReminder>& reminders, Locale) const {
  for (auto& r : reminders) {
    std::string id = picker_ ? picker_(r, r.locale) : std::string();
    r.template_id = id.empty() ? "care." + r.occasion : id;
  }
}

std::vector<CareReminder> CustomerStore::reminders(const ReminderOptions& options) const {
  auto list = do_reminders(options);
  pick_templates(list, options.locale);
  if (!list.empty() && wants("care_due")) publish("care_due", reminders_to_json(list));
  return list;
}

ProfileCard CustomerStore::profile(CustomerId id, const ReminderOptions& options) const {
  ProfileCard card = do_profile(id, options);
  pick_templates(card.reminders, options.locale);
  if (!card.reminders.empty() && wants("care_due")) publish("care_due", reminders_to_json(card.reminders));
  return card;
}

}  // namespace kefu
