// Internal: nlohmann::json forms behind kefu/customer_json.hpp, shared with import and export.
#pragma once
#include <nlohmann/json.hpp>

#include "kefu/customer_store.hpp"

namespace kefu::customers {

nlohmann::json to_json_value(const Customer& c);
nlohmann::json to_json_value(const Note& n);
nlohmann::json to_json_value(const Purchase& p);
nlohmann::json to_json_value(const Consultation& v);
nlohmann::json to_json_value(const SurveyAnswer& a);
nlohmann::json to_json_value(const SearchHit& h);
nlohmann::json to_json_value(const CareReminder& r);
nlohmann::json to_json_value(const Preferences& p);

/// Reads customer fields from a JSON object (import lines, the C ABI, Python). `where` prefixes
/// error messages. Throws Error(parse).
CustomerFields customer_fields(const nlohmann::json& j, const std::string& where);
Preferences preferences_from(const nlohmann::json& j, const std::string& where);
/// A list written as one text: "vip;student" → {"vip", "student"} (empty items dropped).
std::vector<std::string> split_semicolons(const std::string& s);
Arrival arrival_from(const nlohmann::json& j, const std::string& where);

/// Serialises without throwing on bad UTF-8 (replaced).
std::string dump(const nlohmann::json& j);

}  // namespace kefu::customers
