#include "kefu/json.hpp"

#include <nlohmann/json.hpp>

#include "kefu/error.hpp"

namespace kefu {

using nlohmann::json;

namespace {

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json analysis_object(const Analysis& a, std::size_t top) {
  json intents = json::array();
  for (std::size_t i = 0; i < a.intents.size() && i < top; ++i)
    intents.push_back({{"intent", to_string(a.intents[i].intent)}, {"score", a.intents[i].score}});
  return {{"intent", to_string(a.intent)},     {"confidence", a.confidence}, {"emotion", to_string(a.emotion)},
          {"emotion_score", a.emotion_score}, {"stage", to_string(a.stage)}, {"locale", locale_name(a.locale)},
          {"intents", intents}};
}

json parse(std::string_view text, const char* what) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    throw Error(ErrorCode::parse, std::string(what) + " is not valid JSON: " + e.what());
  }
}

std::string string_field(const json& j, const char* key, const char* where) {
  if (!j.contains(key) || j[key].is_null()) return {};
  if (!j[key].is_string()) throw Error(ErrorCode::parse, std::string(where) + "." + key + " must be a string");
  return j[key].get<std::string>();
}

}  // namespace

std::string analysis_to_json(const Analysis& a) {
  json j = analysis_object(a, 5);
  j["cues"] = a.cues;
  return dump(j);
}

std::string suggest_to_json(const SuggestResult& r) {
  json j = analysis_object(r.analysis, 3);
  json list = json::array();
  for (const auto& s : r.suggestions)
    list.push_back({{"template_id", s.template_id}, {"intent", to_string(s.intent)}, {"text", s.text},
                    {"score", s.score}, {"missing", s.missing}, {"shortcut", s.shortcut}, {"tags", s.tags}});
  j["suggestions"] = std::move(list);
  return dump(j);
}

std::string rendered_to_json(const std::string& id, const Rendered& r) {
  return dump(json{{"template_id", id}, {"text", r.text}, {"missing", r.missing}});
}

Variables variables_from_json(std::string_view text) {
  json j = parse(text, "variables");
  if (!j.is_object()) throw Error(ErrorCode::parse, "variables must be a JSON object of strings");
  Variables vars;
  for (auto& [k, v] : j.items()) {
    if (v.is_string()) vars[k] = v.get<std::string>();
    else if (v.is_number()) vars[k] = v.dump();
    else if (!v.is_null()) throw Error(ErrorCode::parse, "variable '" + k + "' must be a string");
  }
  return vars;
}

void apply_context_json(std::string_view text, SuggestRequest& req) {
  json j = parse(text, "context");
  if (!j.is_object()) throw Error(ErrorCode::parse, "context must be a JSON object");
  if (j.contains("customer") && j["customer"].is_string()) {
    // A stored customer, by kefu id or external id: the profile fills in the rest.
    req.customer_ref = j["customer"].get<std::string>();
  } else if (j.contains("customer") && !j["customer"].is_null()) {
    const json& c = j["customer"];
    if (!c.is_object()) throw Error(ErrorCode::parse, "context.customer must be an object or a customer id");
    if (c.contains("ref")) req.customer_ref = string_field(c, "ref", "customer");
    req.customer.name = string_field(c, "name", "customer");
    req.customer.title = string_field(c, "title", "customer");
    auto read_types = [&](const json& v) {
      auto one = [&](const json& t) {
        if (!t.is_string()) throw Error(ErrorCode::parse, "customer.types must be strings");
        auto ct = parse_customer_type(t.get<std::string>());
        if (!ct) throw Error(ErrorCode::parse, "unknown customer type '" + t.get<std::string>() +
                                                   "' (price_sensitive, quality_seeking, health_beauty)");
        req.customer.types.push_back(*ct);
      };
      if (v.is_array()) for (const auto& t : v) one(t);
      else one(v);
    };
    if (c.contains("types")) read_types(c["types"]);
    if (c.contains("type")) read_types(c["type"]);
    if (c.contains("tags")) {
      if (!c["tags"].is_array()) throw Error(ErrorCode::parse, "customer.tags must be a list");
      for (const auto& t : c["tags"])
        if (t.is_string()) req.customer.tags.push_back(t.get<std::string>());
    }
  }
  if (j.contains("vars") && !j["vars"].is_null()) {
    auto vars = variables_from_json(j["vars"].dump());
    for (auto& [k, v] : vars) req.vars[k] = v;
  }
  if (j.contains("locale") && j["locale"].is_string()) req.locale = parse_locale(j["locale"].get<std::string>());
  if (j.contains("channel") && j["channel"].is_string()) {
    auto ch = parse_channel(j["channel"].get<std::string>());
    if (!ch) throw Error(ErrorCode::parse, "unknown channel (plain, markdown, html)");
    req.channel = *ch;
  }
  if (j.contains("limit") && j["limit"].is_number_unsigned()) req.limit = j["limit"].get<std::size_t>();
}

}  // namespace kefu
