// JSON forms of the customer archive.
#include "json_forms.hpp"

#include "dates.hpp"
#include "kefu/customer_json.hpp"
#include "kefu/error.hpp"

namespace kefu {
namespace customers {

using nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json to_json_value(const Preferences& p) {
  return {{"sizes", p.sizes}, {"colours", p.colours}, {"brands", p.brands}, {"categories", p.categories}};
}

json to_json_value(const Customer& c) {
  json types = json::array();
  for (auto t : c.types()) types.push_back(std::string(to_string(t)));
  return {{"id", c.id},
          {"name", c.name},
          {"title", c.title},
          {"external_ids", c.external_ids},
          {"phone", c.phones.empty() ? json(nullptr) : json(c.phones.front())},
          {"email", c.emails.empty() ? json(nullptr) : json(c.emails.front())},
          {"phones", c.phones},
          {"emails", c.emails},
          {"birthday", c.birthday.empty() ? json(nullptr) : json(c.birthday)},
          {"tags", c.tags},
          {"types", types},
          {"preferences", to_json_value(c.preferences)},
          {"locale", c.locale.empty() ? json(nullptr) : json(c.locale)},
          {"created_at", format_time(c.created_at)},
          {"updated_at", format_time(c.updated_at)}};
}

json to_json_value(const Note& n) {
  return {{"id", n.id},       {"customer_id", n.customer_id}, {"author", n.author},
          {"created_at", format_time(n.created_at)}, {"text", n.text}, {"pinned", n.pinned}};
}

json to_json_value(const Purchase& p) {
  return {{"id", p.id},
          {"customer_id", p.customer_id},
          {"order_id", p.order_id},
          {"items", p.items},
          {"amount", p.amount ? json(*p.amount) : json(nullptr)},
          {"currency", p.currency},
          {"time", format_time(p.time)},
          {"status", p.status}};
}

json to_json_value(const Consultation& v) {
  return {{"id", v.id},
          {"customer_id", v.customer_id},
          {"time", format_time(v.time)},
          {"channel", v.channel},
          {"intent", std::string(to_string(v.intent))},
          {"summary", v.summary},
          {"satisfaction", v.satisfaction ? json(*v.satisfaction) : json(nullptr)},
          {"resolved", v.resolved}};
}

json to_json_value(const SurveyAnswer& a) {
  return {{"id", a.id},         {"customer_id", a.customer_id}, {"time", format_time(a.time)},
          {"survey", a.survey}, {"question", a.question},       {"answer", a.answer},
          {"score", a.score ? json(*a.score) : json(nullptr)}};
}

json to_json_value(const SearchHit& h) {
  return {{"kind", h.kind == SearchHit::Kind::note ? "note" : "consultation"},
          {"id", h.id},
          {"customer_id", h.customer_id},
          {"text", h.text},
          {"author", h.author},
          {"time", format_time(h.time)},
          {"pinned", h.pinned},
          {"score", h.score}};
}

json to_json_value(const CareReminder& r) {
  json vars = json::object();
  for (const auto& [k, v] : r.vars) vars[k] = v;
  return {{"customer_id", r.customer_id},
          {"customer_name", r.customer_name},
          {"kind", std::string(to_string(r.kind))},
          {"occasion", r.occasion},
          {"due", r.due},
          {"days", r.days},
          {"reason", r.reason},
          {"detail", r.detail},
          {"hints", r.hints},
          {"template_id", r.template_id},
          {"locale", locale_name(r.locale)},
          {"vars", vars}};
}

namespace {

std::vector<std::string> strings(const json& j, const std::string& where, bool split) {
  std::vector<std::string> out;
  if (j.is_null()) return out;
  if (j.is_string()) {
    std::string s = j.get<std::string>();
    if (split) return split_semicolons(s);
    out.push_back(s);
    return out;
  }
  if (!j.is_array()) throw Error(ErrorCode::parse, where + " must be a string or a list of strings");
  for (const auto& v : j) {
    if (v.is_string()) out.push_back(v.get<std::string>());
    else if (v.is_number()) out.push_back(v.dump());
    else if (!v.is_null()) throw Error(ErrorCode::parse, where + " must be a list of strings");
  }
  return out;
}

std::string text(const json& j, const char* key, const std::string& where) {
  if (!j.contains(key) || j[key].is_null()) return {};
  const json& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return v.dump();
  throw Error(ErrorCode::parse, where + "." + key + " must be a string");
}

}  // namespace

std::vector<std::string> split_semicolons(const std::string& s) {
  std::vector<std::string> out;
  for (std::size_t from = 0; from <= s.size();) {
    auto to = s.find(';', from);
    if (to == std::string::npos) to = s.size();
    if (to > from) out.push_back(s.substr(from, to - from));
    from = to + 1;
  }
  return out;
}

Preferences preferences_from(const json& j, const std::string& where) {
  Preferences p;
  if (j.is_null()) return p;
  if (!j.is_object()) throw Error(ErrorCode::parse, where + " must be an object");
  for (const auto& [k, v] : j.items()) {
    auto list = strings(v, where + "." + k, true);
    if (k == "sizes" || k == "size") p.sizes = list;
    else if (k == "colours" || k == "colors" || k == "colour" || k == "color") p.colours = list;
    else if (k == "brands" || k == "brand") p.brands = list;
    else if (k == "categories" || k == "category") p.categories = list;
    else throw Error(ErrorCode::parse, where + ": unknown preference '" + k + "' (sizes, colours, brands, categories)");
  }
  return p;
}

CustomerFields customer_fields(const json& j, const std::string& where) {
  if (!j.is_object()) throw Error(ErrorCode::parse, where + " must be a JSON object");
  CustomerFields f;
  f.name = text(j, "name", where);
  f.title = text(j, "title", where);
  f.birthday = text(j, "birthday", where);
  f.locale = text(j, "locale", where);
  for (const char* k : {"external_id", "external_ids"})
    if (j.contains(k))
      for (auto& v : strings(j[k], where + "." + k, false)) f.external_ids.push_back(v);
  for (const char* k : {"phone", "phones"})
    if (j.contains(k))
      for (auto& v : strings(j[k], where + "." + k, false)) f.phones.push_back(v);
  for (const char* k : {"email", "emails"})
    if (j.contains(k))
      for (auto& v : strings(j[k], where + "." + k, false)) f.emails.push_back(v);
  if (j.contains("tags") && !j["tags"].is_null()) f.tags = strings(j["tags"], where + ".tags", true);
  for (const char* k : {"types", "type"})
    if (j.contains(k) && !j[k].is_null()) {
      if (std::string(k) == "type" && j[k].is_string() && j[k].get<std::string>() == "customer") continue;  // the line's kind
      if (!f.tags) f.tags = std::vector<std::string>();
      for (auto& t : strings(j[k], where + "." + k, true)) {
        if (!parse_customer_type(t))
          throw Error(ErrorCode::parse, where + ": unknown customer type '" + t +
                                            "' (price_sensitive, quality_seeking, health_beauty)");
        f.tags->push_back(t);
      }
    }
  if (j.contains("preferences") && !j["preferences"].is_null())
    f.preferences = preferences_from(j["preferences"], where + ".preferences");
  return f;
}

Arrival arrival_from(const json& j, const std::string& where) {
  if (!j.is_object()) throw Error(ErrorCode::parse, where + " must be a JSON object");
  Arrival a;
  a.product = text(j, "product", where);
  a.brand = text(j, "brand", where);
  a.category = text(j, "category", where);
  for (const char* k : {"colours", "colors", "colour", "color"})
    if (j.contains(k)) a.colours = strings(j[k], where + "." + k, true);
  for (const char* k : {"sizes", "size"})
    if (j.contains(k)) a.sizes = strings(j[k], where + "." + k, true);
  if (a.product.empty()) throw Error(ErrorCode::parse, where + " needs a \"product\"");
  return a;
}

}  // namespace customers

using customers::dump;
using customers::to_json_value;
using nlohmann::json;

namespace {
json parse_json(std::string_view text, const char* what) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    throw Error(ErrorCode::parse, std::string(what) + " is not valid JSON: " + e.what());
  }
}
}  // namespace

std::string customer_to_json(const Customer& c) { return dump(to_json_value(c)); }

std::string customers_to_json(const std::vector<Customer>& list) {
  json a = json::array();
  for (const auto& c : list) a.push_back(to_json_value(c));
  return dump(json{{"customers", a}});
}

std::string note_to_json(const Note& n) { return dump(to_json_value(n)); }
std::string purchase_to_json(const Purchase& p) { return dump(to_json_value(p)); }
std::string consultation_to_json(const Consultation& v) { return dump(to_json_value(v)); }

std::string search_to_json(const std::vector<SearchHit>& hits) {
  json a = json::array();
  for (const auto& h : hits) a.push_back(to_json_value(h));
  return dump(json{{"notes", a}});
}

std::string profile_to_json(const ProfileCard& card) {
  json types = json::array();
  for (auto t : card.types) types.push_back(std::string(to_string(t)));
  json problems = json::array(), pinned = json::array(), recent = json::array(), reminders = json::array();
  for (const auto& v : card.open_problems) problems.push_back(to_json_value(v));
  for (const auto& n : card.pinned_notes) pinned.push_back(to_json_value(n));
  for (const auto& n : card.recent_notes) recent.push_back(to_json_value(n));
  for (const auto& r : card.reminders) reminders.push_back(to_json_value(r));
  json j = to_json_value(card.customer);
  return dump(json{
      {"id", card.customer.id},
      {"name", card.customer.name},
      {"customer", j},
      {"types", types},
      {"tags", card.customer.tags},
      {"purchase_count", card.purchase_count},
      {"last_purchase", card.last_purchase ? to_json_value(*card.last_purchase) : json(nullptr)},
      {"open_problems", problems},
      {"last_complaint", card.last_complaint ? to_json_value(*card.last_complaint) : json(nullptr)},
      {"satisfaction",
       {{"scores", card.satisfaction},
        {"average", card.satisfaction_average ? json(*card.satisfaction_average) : json(nullptr)},
        {"trend", card.satisfaction_trend.empty() ? json(nullptr) : json(card.satisfaction_trend)}}},
      {"pinned_notes", pinned},
      {"recent_notes", recent},
      {"reminders", reminders}});
}

std::string reminder_to_json(const CareReminder& r) { return dump(to_json_value(r)); }

std::string reminders_to_json(const std::vector<CareReminder>& list) {
  json a = json::array();
  for (const auto& r : list) a.push_back(to_json_value(r));
  return dump(json{{"reminders", a}});
}

std::string import_report_to_json(const ImportReport& r) {
  json problems = json::array();
  for (const auto& p : r.problems) problems.push_back({{"line", p.line}, {"message", p.message}});
  return dump(json{{"rows", r.rows},
                   {"customers_created", r.customers_created},
                   {"customers_updated", r.customers_updated},
                   {"unchanged", r.unchanged},
                   {"notes_added", r.notes_added},
                   {"purchases_added", r.purchases_added},
                   {"consultations_added", r.consultations_added},
                   {"surveys_added", r.surveys_added},
                   {"failed", r.failed},
                   {"problems", problems}});
}

std::string forget_report_to_json(const ForgetReport& r) {
  return dump(json{{"forgotten", true},
                   {"notes", r.notes},
                   {"purchases", r.purchases},
                   {"consultations", r.consultations},
                   {"survey_answers", r.survey_answers},
                   {"identifiers", r.identifiers},
                   {"purged", r.purged}});
}

CustomerFields customer_fields_from_json(std::string_view text) {
  return customers::customer_fields(parse_json(text, "customer"), "customer");
}

std::vector<Arrival> arrivals_from_json(std::string_view text) {
  json j = parse_json(text, "arrivals");
  std::vector<Arrival> out;
  if (j.is_object()) {
    out.push_back(customers::arrival_from(j, "arrival"));
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i)
      out.push_back(customers::arrival_from(j[i], "arrivals[" + std::to_string(i) + "]"));
  } else {
    throw Error(ErrorCode::parse, "arrivals must be a list of {\"product\", \"brand\", ...}");
  }
  return out;
}

void apply_reminder_options_json(std::string_view text, ReminderOptions& o) {
  json j = parse_json(text, "reminder options");
  if (!j.is_object()) throw Error(ErrorCode::parse, "reminder options must be a JSON object");
  auto integer = [&](const char* key, int& out) {
    if (!j.contains(key) || j[key].is_null()) return;
    if (!j[key].is_number_integer()) throw Error(ErrorCode::parse, std::string(key) + " must be a whole number");
    out = j[key].get<int>();
  };
  integer("birthday_days", o.birthday_days);
  integer("holiday_days", o.holiday_days);
  integer("churn_after_days", o.churn_after_days);
  integer("win_back_days", o.win_back_days);
  integer("quiet_factor", o.quiet_factor);
  if (j.contains("today") && j["today"].is_string()) o.today = j["today"].get<std::string>();
  if (j.contains("locale") && j["locale"].is_string()) o.locale = parse_locale(j["locale"].get<std::string>());
  if (j.contains("limit") && j["limit"].is_number_unsigned()) o.limit = j["limit"].get<std::size_t>();
  if (j.contains("customer_id") && j["customer_id"].is_number_integer()) o.customer = j["customer_id"].get<CustomerId>();
  if (j.contains("arrivals") && !j["arrivals"].is_null()) o.arrivals = arrivals_from_json(j["arrivals"].dump());
}

}  // namespace kefu
