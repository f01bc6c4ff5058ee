// Internal: a JSON Lines row of an import read with simdjson, for the rows that are plain objects
// of scalars and lists of scalars (notes, orders, consultations). It answers the few questions the
// import asks of nlohmann::json (contains, operator[], is_string, get<std::string>, dump...) the
// same way, so that the import's readers of fields (import.cpp) serve both. A line it does not take
// (not such an object, or anything simdjson refuses) goes through nlohmann::json as before, which
// also words the errors.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <simdjson.h>

namespace kefu::customers {

class FlatValue {
 public:
  enum class Type { null, boolean, integer, floating, string, array };

  bool is_null() const { return type_ == Type::null; }
  bool is_boolean() const { return type_ == Type::boolean; }
  bool is_number_integer() const { return type_ == Type::integer; }
  bool is_number() const { return type_ == Type::integer || type_ == Type::floating; }
  bool is_string() const { return type_ == Type::string; }
  bool is_array() const { return type_ == Type::array; }
  bool is_object() const { return false; }

  template <class T>
  T get() const;

  /// The value as nlohmann::json::dump() writes it (the import dumps numbers and booleans only;
  /// an integer, such as every note's time, without building a JSON value).
  std::string dump() const { return type_ == Type::integer ? std::to_string(integer_) : to_json().dump(); }
  nlohmann::json to_json() const;

  std::vector<FlatValue>::const_iterator begin() const { return items_.begin(); }
  std::vector<FlatValue>::const_iterator end() const { return items_.end(); }

 private:
  friend class FlatRow;
  Type type_ = Type::null;
  bool boolean_ = false;
  std::int64_t integer_ = 0;
  double floating_ = 0;
  std::string_view string_;      // into the parser's buffer: valid until its next line
  std::vector<FlatValue> items_;  // a list's
};

template <>
inline std::string FlatValue::get<std::string>() const { return std::string(string_); }
template <>
inline bool FlatValue::get<bool>() const { return boolean_; }
template <>
inline std::int64_t FlatValue::get<std::int64_t>() const { return integer_; }
template <>
inline double FlatValue::get<double>() const {
  return type_ == Type::integer ? static_cast<double>(integer_) : floating_;
}

class FlatRow {
 public:
  /// Reads `line` (valid UTF-8). False when it is not an object of scalars and lists of scalars,
  /// or not JSON as simdjson reads it; the row is then empty.
  bool parse(const std::string& line);

  bool contains(std::string_view key) const { return find(key) != nullptr; }
  /// The value of `key` (the last one, as nlohmann keeps a repeated key's last value); a null
  /// value when there is none.
  const FlatValue& operator[](std::string_view key) const;

 private:
  const FlatValue* find(std::string_view key) const;

  simdjson::dom::parser parser_;
  std::vector<std::pair<std::string_view, FlatValue>> fields_;
};

}  // namespace kefu::customers
