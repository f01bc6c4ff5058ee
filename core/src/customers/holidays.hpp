// Internal: the holidays of templates/care/holidays.yaml (embedded), for holiday greetings.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dates.hpp"
#include "kefu/locale.hpp"

namespace kefu::customers {

struct Holiday {
  std::string id;
  std::map<std::string, std::string> names;  ///< "zh-CN" / "en" → name
  std::vector<Locale> locales;
  std::string date;                          ///< "MM-DD" every year
  std::map<int, std::string> dates;          ///< year → "MM-DD"
  int nth_weekday[3] = {0, 0, 0};            ///< month, weekday, n (n = 0: unused)
  /// The holiday's day in `year`, if known.
  std::optional<Day> in_year(int year) const;
  bool for_locale(Locale l) const;
  /// The name in `l`'s data language (zh-CN for the Chinese locales; the caller converts).
  std::string name(Locale l) const;
};

/// The bundled holidays, parsed once. Throws Error(parse) naming file:line if the file is broken.
const std::vector<Holiday>& bundled_holidays();

}  // namespace kefu::customers
