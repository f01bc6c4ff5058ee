// Tone: names of severities and categories, the documented score, the JSON form of a report.
#include <nlohmann/json.hpp>

#include <array>
#include <cmath>

#include "kefu/tone.hpp"

namespace kefu {
namespace {

constexpr std::array<std::string_view, 3> kSeverities = {"info", "warning", "error"};
constexpr std::array<std::string_view, kToneCategoryCount> kCategories = {
    "cold", "impatience", "blame", "argue", "vague", "apology", "politeness", "shouting",
    "hostile", "compliance", "privacy", "long_sentence"};

// Factor each finding multiplies the score by. Documented in tone.hpp and templates/tone/README.md.
constexpr std::array<double, 3> kFactor = {0.94, 0.85, 0.60};

}  // namespace

std::string_view to_string(Severity v) noexcept { return kSeverities[static_cast<std::size_t>(v)]; }
std::string_view to_string(ToneCategory v) noexcept { return kCategories[static_cast<std::size_t>(v)]; }

std::optional<Severity> parse_severity(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kSeverities.size(); ++i)
    if (kSeverities[i] == name) return static_cast<Severity>(i);
  return std::nullopt;
}

std::optional<ToneCategory> parse_tone_category(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kCategories.size(); ++i)
    if (kCategories[i] == name) return static_cast<ToneCategory>(i);
  return std::nullopt;
}

namespace {
const FindingTexts& texts_of(const Finding& f) noexcept {
  static const FindingTexts none;
  return f.texts ? *f.texts : none;
}
}  // namespace

const std::string& Finding::rule() const noexcept { return texts_of(*this).rule; }
const std::string& Finding::message() const noexcept { return texts_of(*this).message; }
const std::vector<std::string>& Finding::suggestions() const noexcept { return texts_of(*this).suggestions; }

double tone_score(const std::vector<Finding>& findings) noexcept {
  double s = 100;
  for (const auto& f : findings) s *= kFactor[static_cast<std::size_t>(f.severity)];
  return std::round(s * 10) / 10;
}

std::string tone_report_to_json(const ToneReport& r) {
  using nlohmann::json;
  json findings = json::array();
  json counts = json::object();
  for (auto c : kCategories) counts[std::string(c)] = 0;
  for (const auto& f : r.findings) {
    counts[std::string(to_string(f.category))] = counts[std::string(to_string(f.category))].get<int>() + 1;
    findings.push_back({{"rule", f.rule()},
                        {"category", to_string(f.category)},
                        {"severity", to_string(f.severity)},
                        {"start", f.start},
                        {"end", f.end},
                        {"start_byte", f.start_byte},
                        {"end_byte", f.end_byte},
                        {"start_utf16", f.start_utf16},
                        {"end_utf16", f.end_utf16},
                        {"text", f.text},
                        {"message", f.message()},
                        {"suggestions", f.suggestions()}});
  }
  json out = {{"score", r.score}, {"locale", locale_name(r.locale)}, {"counts", counts}, {"findings", findings}};
  out["customer_upset"] = r.customer_upset ? json(*r.customer_upset) : json(nullptr);
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace kefu
