// The --batch mode every kefu subcommand shares: JSON Lines in, one JSON result per line out.
#pragma once
#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace kefu::cli {

/// Reads JSON Lines from stdin and prints `one(line)` for each, in order. A line that is not valid
/// UTF-8, not JSON, has no "text" string, or makes `one` throw gets {"error": {"code", "message"},
/// "line": N} and the rest go on. Blank lines are skipped. Returns 1 if any line failed, else 0.
int run_batch(const std::function<std::string(const nlohmann::json&)>& one);

/// The string at `key`, or "" when it is missing or not a string.
std::string json_field(const nlohmann::json& j, const char* key);

}  // namespace kefu::cli
