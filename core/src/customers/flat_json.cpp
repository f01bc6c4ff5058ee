// JSON Lines rows of scalars read with simdjson (see flat_json.hpp).
#include "flat_json.hpp"

#include <nlohmann/json.hpp>

namespace kefu::customers {

namespace {

// A scalar into `out`; false for an object, a list or a number nlohmann would keep unsigned.
bool scalar(simdjson::dom::element e, FlatValue::Type& type, bool& boolean, std::int64_t& integer, double& floating,
            std::string_view& string) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::NULL_VALUE: type = FlatValue::Type::null; return true;
    case element_type::BOOL: type = FlatValue::Type::boolean; boolean = e.get_bool().value_unsafe(); return true;
    case element_type::INT64: type = FlatValue::Type::integer; integer = e.get_int64().value_unsafe(); return true;
    case element_type::DOUBLE: type = FlatValue::Type::floating; floating = e.get_double().value_unsafe(); return true;
    case element_type::STRING: type = FlatValue::Type::string; string = e.get_string().value_unsafe(); return true;
    default: return false;  // UINT64, ARRAY, OBJECT
  }
}

}  // namespace

nlohmann::json FlatValue::to_json() const {
  switch (type_) {
    case Type::null: return nullptr;
    case Type::boolean: return boolean_;
    case Type::integer: return integer_;
    case Type::floating: return floating_;
    case Type::string: return std::string(string_);
    case Type::array: {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& v : items_) a.push_back(v.to_json());
      return a;
    }
  }
  return nullptr;
}

bool FlatRow::parse(const std::string& line) {
  fields_.clear();
  simdjson::dom::element doc;
  simdjson::dom::object object;
  if (parser_.parse(line).get(doc) != simdjson::SUCCESS || doc.get(object) != simdjson::SUCCESS) return false;
  for (simdjson::dom::key_value_pair field : object) {
    const simdjson::dom::element value = field.value;
    FlatValue v;
    simdjson::dom::array items;
    if (value.get(items) == simdjson::SUCCESS) {
      v.type_ = FlatValue::Type::array;
      for (const simdjson::dom::element item : items) {
        FlatValue x;
        if (!scalar(item, x.type_, x.boolean_, x.integer_, x.floating_, x.string_)) {
          fields_.clear();
          return false;
        }
        v.items_.push_back(std::move(x));
      }
    } else if (!scalar(value, v.type_, v.boolean_, v.integer_, v.floating_, v.string_)) {
      fields_.clear();
      return false;
    }
    fields_.emplace_back(field.key, std::move(v));
  }
  return true;
}

const FlatValue* FlatRow::find(std::string_view key) const {
  for (auto it = fields_.rbegin(); it != fields_.rend(); ++it)
    if (it->first == key) return &it->second;
  return nullptr;
}

const FlatValue& FlatRow::operator[](std::string_view key) const {
  static const FlatValue null;
  const FlatValue* v = find(key);
  return v ? *v : null;
}

}  // namespace kefu::customers
