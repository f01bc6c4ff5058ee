// Internal: civil dates (days since 1970-01-01) and timestamps as the customer store reads and
// writes them. Dates a user sees are local; stored times are UTC seconds.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kefu/customer_store.hpp"

namespace kefu::customers {

using Day = std::int64_t;  ///< days since 1970-01-01

struct Ymd {
  int y, m, d;
};

Day days_from_civil(int y, int m, int d) noexcept;
Ymd civil_from_days(Day day) noexcept;
bool is_leap(int y) noexcept;
/// 0 = Sunday.
int weekday(Day day) noexcept;

/// "YYYY-MM-DD" → day; nullopt when malformed or out of range.
std::optional<Day> parse_day(std::string_view text);
std::string format_day(Day day);
/// The local calendar day of a timestamp.
Day local_day(Timestamp t);
/// Today, local time.
Day today_local();

/// Reads a time as import files carry it: Unix seconds (or milliseconds), "YYYY-MM-DD",
/// "YYYY-MM-DD HH:MM[:SS]", ISO 8601 with "T", "Z" or "+08:00". Times without a zone are local.
std::optional<Timestamp> parse_time(std::string_view text);
/// ISO 8601, UTC: "2025-03-01T10:00:00Z".
std::string format_time(Timestamp t);

}  // namespace kefu::customers
