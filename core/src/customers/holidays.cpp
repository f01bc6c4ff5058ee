// Reads templates/care/holidays.yaml (embedded at build time).
#include "holidays.hpp"
#include "yaml_source.hpp"

#include <yaml-cpp/yaml.h>

#include <mutex>

#include "embedded.hpp"
#include "kefu/error.hpp"

namespace kefu::customers {

namespace {

std::optional<Day> month_day(int year, const std::string& md) {
  return parse_day(std::to_string(year) + "-" + md);
}

std::vector<Holiday> load(const std::vector<SourceFile>& files) {
  std::vector<Holiday> out;
  for (const auto& f : files) {
    auto parsed = load_yaml_mapping(f, "a holiday file is a mapping with a 'holidays' list");
    if (!parsed.ok()) throw Error(ErrorCode::parse, parsed.where(f));
    const YAML::Node& root = parsed.node;
    auto fail = [&](const YAML::Node& n, const std::string& why) {
      throw Error(ErrorCode::parse, f.path + ":" + std::to_string(n.Mark().line + 1) + ": " + why);
    };
    if (!root["holidays"] || !root["holidays"].IsSequence()) fail(root, "expected a 'holidays' list");
    for (const auto& n : root["holidays"]) {
      Holiday h;
      try {
        h.id = n["id"].as<std::string>();
        for (const auto& kv : n["name"]) h.names[kv.first.as<std::string>()] = kv.second.as<std::string>();
        for (const auto& l : n["locales"]) h.locales.push_back(parse_locale(l.as<std::string>()));
        if (n["date"]) h.date = n["date"].as<std::string>();
        if (n["dates"])
          for (const auto& kv : n["dates"]) h.dates[kv.first.as<int>()] = kv.second.as<std::string>();
        if (n["nth_weekday"])
          for (int i = 0; i < 3; ++i) h.nth_weekday[i] = n["nth_weekday"][i].as<int>();
      } catch (const YAML::Exception& e) {
        fail(n, "holiday: " + e.msg);
      } catch (const Error& e) {
        fail(n, e.what());
      }
      if (h.id.empty() || h.names.empty()) fail(n, "a holiday needs an id and a name");
      if (!h.date.empty() && !month_day(2024, h.date)) fail(n, "date must be \"MM-DD\"");
      for (const auto& [y, md] : h.dates)
        if (!month_day(y, md)) fail(n, "dates must be {YEAR: \"MM-DD\"}");
      out.push_back(std::move(h));
    }
  }
  return out;
}

}  // namespace

std::optional<Day> Holiday::in_year(int year) const {
  if (!date.empty()) {
    if (date == "02-29" && !is_leap(year)) return days_from_civil(year, 2, 28);
    return month_day(year, date);
  }
  if (auto it = dates.find(year); it != dates.end()) return month_day(year, it->second);
  if (int n = nth_weekday[2]; n != 0) {
    int month = nth_weekday[0], wd = nth_weekday[1];
    if (month < 1 || month > 12 || wd < 0 || wd > 6) return std::nullopt;
    if (n > 0) {
      Day first = days_from_civil(year, month, 1);
      Day d = first + (wd - weekday(first) + 7) % 7 + 7 * (n - 1);
      return civil_from_days(d).m == month ? std::optional<Day>(d) : std::nullopt;
    }
    Day last = days_from_civil(month == 12 ? year + 1 : year, month == 12 ? 1 : month + 1, 1) - 1;
    return last - (weekday(last) - wd + 7) % 7;
  }
  return std::nullopt;
}

bool Holiday::for_locale(Locale l) const {
  for (Locale x : locales)
    if (x == l) return true;
  return false;
}

std::string Holiday::name(Locale l) const {
  auto it = names.find(locale_name(data_locale(l)));
  if (it != names.end()) return it->second;
  return names.begin()->second;
}

const std::vector<Holiday>& bundled_holidays() {
  static std::once_flag once;
  static std::vector<Holiday> list;
  std::call_once(once, [] { list = load(embedded_under("care/")); });
  return list;
}

}  // namespace kefu::customers
