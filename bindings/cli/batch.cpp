#include "batch.hpp"

#include <iostream>

#include "kefu/error.hpp"
#include "kefu/text.hpp"

namespace kefu::cli {

using nlohmann::json;

int run_batch(const std::function<std::string(const json&)>& one) {
  std::string line;
  std::size_t n = 0;
  int failures = 0;
  while (std::getline(std::cin, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      if (!is_valid_utf8(line)) throw Error(ErrorCode::invalid_utf8, "line " + std::to_string(n) + " is not valid UTF-8");
      json in;
      try {
        in = json::parse(line);
      } catch (const json::parse_error& e) {
        throw Error(ErrorCode::parse, "line " + std::to_string(n) + " is not valid JSON: " + e.what());
      }
      if (!in.is_object() || !in.contains("text") || !in["text"].is_string())
        throw Error(ErrorCode::parse, "line " + std::to_string(n) + " needs a \"text\" string");
      std::cout << one(in) << "\n";
    } catch (const std::exception& e) {
      ++failures;
      auto* ke = dynamic_cast<const Error*>(&e);
      json err = {{"error", {{"code", ke ? error_code_name(ke->code()) : "internal"}, {"message", e.what()}}},
                  {"line", n}};
      std::cout << err.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
    }
    std::cout.flush();
  }
  return failures ? 1 : 0;
}

std::string json_field(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

}  // namespace kefu::cli
