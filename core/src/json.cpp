#include "kefu/json.hpp"

#include <array>
#include <cmath>

#include <nlohmann/json.hpp>

#include "kefu/error.hpp"
#include "kefu/text.hpp"

namespace kefu {

using nlohmann::json;

namespace {

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// The result objects are written straight into a string, in the bytes json::dump printed for them
// (keys in sorted order, numbers as nlohmann writes them, UTF-8 kept, invalid UTF-8 replaced): building
// a json tree first (a std::map node and a copy per field) took about as long as ranking.
class Writer {
 public:
  std::string out;
  Writer() { out.reserve(2048); }
  Writer& raw(std::string_view s) {
    out += s;
    return *this;
  }
  Writer& key(std::string_view k) {  // k: a plain ASCII name
    out += '"';
    out += k;
    out += "\":";
    return *this;
  }
  Writer& str(std::string_view s) {
    if (is_plain(s)) {
      out += '"';
      out += s;
      out += '"';
    } else {
      out += dump(json(std::string(s)));  // escapes and invalid UTF-8: nlohmann's own rules
    }
    return *this;
  }
  Writer& num(double x) {
    if (!std::isfinite(x)) return raw("null");
    std::array<char, 64> buf;
    char* end = nlohmann::detail::to_chars(buf.data(), buf.data() + buf.size(), x);
    out.append(buf.data(), end);
    return *this;
  }
  Writer& strs(const std::vector<std::string>& v) {
    out += '[';
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i) out += ',';
      str(v[i]);
    }
    out += ']';
    return *this;
  }

 private:
  // Nothing to escape (control characters, quote, backslash) and well-formed UTF-8.
  static bool is_plain(std::string_view s) {
    for (char c : s)
      if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\') return false;
    return is_valid_utf8(s);
  }
};

// The analysis fields, in key order, without the braces; `cues` (analyze only) sorts between
// "confidence" and "emotion".
void analysis_fields(Writer& w, const Analysis& a, std::size_t top, bool cues) {
  w.key("confidence").num(a.confidence);
  if (cues) w.raw(",").key("cues").strs(a.cues);
  w.raw(",").key("emotion").str(to_string(a.emotion));
  w.raw(",").key("emotion_score").num(a.emotion_score);
  w.raw(",").key("intent").str(to_string(a.intent));
  w.raw(",").key("intents").raw("[");
  for (std::size_t i = 0; i < a.intents.size() && i < top; ++i) {
    if (i) w.raw(",");
    w.raw("{").key("intent").str(to_string(a.intents[i].intent)).raw(",").key("score").num(a.intents[i].score).raw("}");
  }
  w.raw("]");
  w.raw(",").key("locale").str(locale_name(a.locale));
  w.raw(",").key("stage").str(to_string(a.stage));
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
  Writer w;
  w.raw("{");
  analysis_fields(w, a, 5, true);
  w.raw("}");
  return std::move(w.out);
}

std::string suggest_to_json(const SuggestResult& r) {
  Writer w;
  w.raw("{");
  analysis_fields(w, r.analysis, 3, false);
  w.raw(",").key("suggestions").raw("[");
  for (std::size_t i = 0; i < r.suggestions.size(); ++i) {
    const Suggestion& s = r.suggestions[i];
    if (i) w.raw(",");
    w.raw("{").key("intent").str(to_string(s.intent));
    w.raw(",").key("missing").strs(s.missing);
    w.raw(",").key("score").num(s.score);
    w.raw(",").key("shortcut").str(s.shortcut);
    w.raw(",").key("tags").strs(s.tags);
    w.raw(",").key("template_id").str(s.template_id);
    w.raw(",").key("text").str(s.text);
    w.raw("}");
  }
  w.raw("]}");
  return std::move(w.out);
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
