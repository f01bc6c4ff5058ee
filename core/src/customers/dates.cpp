// Civil-date arithmetic (Howard Hinnant's days_from_civil algorithm) and time parsing.
#include "dates.hpp"

#include <cstdio>
#include <ctime>

#include "identifiers.hpp"

namespace kefu::customers {

Day days_from_civil(int y, int m, int d) noexcept {
  y -= m <= 2;
  const Day era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<Day>(doe) - 719468;
}

Ymd civil_from_days(Day z) noexcept {
  z += 719468;
  const Day era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const Day y = static_cast<Day>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

bool is_leap(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int weekday(Day day) noexcept {
  int w = static_cast<int>((day + 4) % 7);  // 1970-01-01 was a Thursday
  return w < 0 ? w + 7 : w;
}

namespace {

bool digits(std::string_view s, std::size_t from, std::size_t n, int& out) {
  if (from + n > s.size()) return false;
  out = 0;
  for (std::size_t i = from; i < from + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool valid(int y, int m, int d) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1) return false;
  return d <= (m == 2 && is_leap(y) ? 29 : days[m - 1]);
}

}  // namespace

std::optional<Day> parse_day(std::string_view s) {
  s = trim(s);
  int y, m, d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 0, 4, y) || !digits(s, 5, 2, m) ||
      !digits(s, 8, 2, d) || !valid(y, m, d))
    return std::nullopt;
  return days_from_civil(y, m, d);
}

std::string format_day(Day day) {
  Ymd c = civil_from_days(day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", c.y, c.m, c.d);
  return buf;
}

Day local_day(Timestamp t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  return days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

Day today_local() { return local_day(static_cast<Timestamp>(std::time(nullptr))); }

std::optional<Timestamp> parse_time(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  bool all_digits = true;
  for (char c : s) all_digits = all_digits && c >= '0' && c <= '9';
  if (all_digits) {
    if (s.size() > 15) return std::nullopt;
    Timestamp v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    return v > 100000000000LL ? v / 1000 : v;  // milliseconds
  }
  int y, mo, d, h = 0, mi = 0, se = 0;
  if (s.size() < 10 || !digits(s, 0, 4, y) || (s[4] != '-' && s[4] != '/') || !digits(s, 5, 2, mo) || s[7] != s[4] ||
      !digits(s, 8, 2, d) || !valid(y, mo, d))
    return std::nullopt;
  std::size_t i = 10;
  if (i < s.size()) {
    if (s[i] != 'T' && s[i] != ' ') return std::nullopt;
    if (!digits(s, i + 1, 2, h) || i + 3 >= s.size() || s[i + 3] != ':' || !digits(s, i + 4, 2, mi)) return std::nullopt;
    i += 6;
    if (i < s.size() && s[i] == ':') {
      if (!digits(s, i + 1, 2, se)) return std::nullopt;
      i += 3;
      if (i < s.size() && s[i] == '.') {  // fractions of a second
        ++i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      }
    }
    if (h > 23 || mi > 59 || se > 60) return std::nullopt;
  }
  Timestamp base = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
  if (i == s.size()) {  // no zone: local time
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    tm.tm_isdst = -1;
    return static_cast<Timestamp>(std::mktime(&tm));
  }
  if (s[i] == 'Z' && i + 1 == s.size()) return base;
  if ((s[i] == '+' || s[i] == '-') && (s.size() == i + 6 || s.size() == i + 5 || s.size() == i + 3)) {
    int oh, om = 0;
    if (!digits(s, i + 1, 2, oh)) return std::nullopt;
    if (s.size() == i + 6 && (s[i + 3] != ':' || !digits(s, i + 4, 2, om))) return std::nullopt;
    if (s.size() == i + 5 && !digits(s, i + 3, 2, om)) return std::nullopt;
    Timestamp off = oh * 3600 + om * 60;
    return s[i] == '+' ? base - off : base + off;
  }
  return std::nullopt;
}

std::string format_time(Timestamp t) {
  Day day = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  Timestamp rest = t - day * 86400;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02dZ", format_day(day).c_str(), static_cast<int>(rest / 3600),
                static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60));
  return buf;
}

}  // namespace kefu::customers
