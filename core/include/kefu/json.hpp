// kefu/json.hpp — the JSON forms of kefu's results and requests, shared by the C ABI, the CLI,
// events and the local service. The shapes are documented in README.md ("JSON results").
#pragma once
#include <string>
#include <string_view>

#include "kefu/analysis.hpp"
#include "kefu/render.hpp"
#include "kefu/suggest.hpp"

namespace kefu {

std::string analysis_to_json(const Analysis& analysis);
std::string suggest_to_json(const SuggestResult& result);
std::string rendered_to_json(const std::string& template_id, const Rendered& rendered);

/// Reads the context object of a suggest or render request:
/// {"customer": {"name", "title", "types": [...], "tags": [...]}, "vars": {"order_id": ...}}.
/// Also accepts "locale", "channel" and "limit" at top level. Throws Error(parse) with the reason.
void apply_context_json(std::string_view json, SuggestRequest& request);
/// Reads {"k": "v", ...} into variables. Throws Error(parse).
Variables variables_from_json(std::string_view json);

}  // namespace kefu
