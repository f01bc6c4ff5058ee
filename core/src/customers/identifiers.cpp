// Phone, email, external id, name and birthday folding. Width and compatibility forms
// (full-width digits "１３８", "＋８６", "＠") are folded by normalize_text (utf8proc NFKC).
#include "identifiers.hpp"

#include <cctype>

#include "kefu/text.hpp"

namespace kefu {

namespace {

std::string fold(std::string_view text) {
  if (!is_valid_utf8(text)) return {};
  return normalize_text(text).utf8();
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in(int y, int m) {
  static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2) return y == 0 || leap(y) ? 29 : 28;
  return d[m - 1];
}

std::string two(int v) { return (v < 10 ? "0" : "") + std::to_string(v); }

}  // namespace

std::string normalize_phone(std::string_view text) {
  std::string s(customers::trim(fold(text)));
  if (s.rfind("tel:", 0) == 0) s.erase(0, 4);
  bool plus = false, seen_digit = false;
  std::string digits;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
      seen_digit = true;
    } else if (c == '+' && !seen_digit && !plus && digits.empty()) {
      plus = true;
    } else if (is_space(c) || c == '-' || c == '.' || c == '(' || c == ')' || c == '/') {
      continue;
    } else {
      return {};  // letters, '@'...: not a phone number
    }
  }
  if (!plus && digits.rfind("00", 0) == 0) {  // international prefix
    digits.erase(0, 2);
    plus = true;
  }
  if (plus) {
    // "+86 (0)10 ..." : the trunk zero is not dialled after the country code.
    if (digits.rfind("860", 0) == 0) digits.erase(2, 1);
  } else if (digits.size() == 11 && digits[0] == '1') {  // mainland mobile
    digits.insert(0, "86");
    plus = true;
  } else if (digits.size() == 13 && digits.rfind("861", 0) == 0) {  // 86 without the plus
    plus = true;
  } else if (digits.size() >= 10 && digits.size() <= 12 && digits[0] == '0') {  // landline with area code
    digits.replace(0, 1, "86");
    plus = true;
  }
  if (digits.size() < 5 || digits.size() > 15) return {};
  return plus ? "+" + digits : digits;
}

std::string normalize_email(std::string_view text) {
  std::string s(customers::trim(fold(text)));
  if (s.rfind("mailto:", 0) == 0) s.erase(0, 7);
  auto at = s.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= s.size() || s.find('@', at + 1) != std::string::npos)
    return {};
  for (char c : s)
    if (is_space(c) || c == ',' || c == ';' || c == '<' || c == '>') return {};
  if (s.front() == '.' || s.back() == '.') return {};
  return s;
}

std::string normalize_birthday(std::string_view text) {
  std::string s(customers::trim(fold(text)));
  if (s.empty()) return {};
  // Numbers in order, and what separated them.
  int nums[3] = {0, 0, 0};
  int lens[3] = {0, 0, 0};
  int count = 0;
  bool leading_dashes = s.rfind("--", 0) == 0;
  std::size_t i = leading_dashes ? 2 : 0;
  while (i < s.size()) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      if (count == 3) return {};
      int v = 0, n = 0;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9' && n < 9) v = v * 10 + (s[i++] - '0'), ++n;
      nums[count] = v;
      lens[count] = n;
      ++count;
      continue;
    }
    if (c == '-' || c == '/' || c == '.' || is_space(c)) {
      ++i;
      continue;
    }
    // 年 月 日 号 (UTF-8, 3 bytes each)
    static const char* units[] = {"\xE5\xB9\xB4", "\xE6\x9C\x88", "\xE6\x97\xA5", "\xE5\x8F\xB7"};
    bool unit = false;
    for (const char* u : units)
      if (s.compare(i, 3, u) == 0) {
        i += 3;
        unit = true;
        break;
      }
    if (!unit) return {};
  }
  int y = 0, m = 0, d = 0;
  if (count == 1 && lens[0] == 8) {  // 19900503
    y = nums[0] / 10000;
    m = nums[0] / 100 % 100;
    d = nums[0] % 100;
  } else if (count == 3 && lens[0] == 4) {
    y = nums[0], m = nums[1], d = nums[2];
  } else if (count == 2 && lens[0] <= 2) {
    m = nums[0], d = nums[1];
  } else {
    return {};
  }
  if (y != 0 && (y < 1900 || y > 2100)) return {};
  if (m < 1 || m > 12 || d < 1 || d > days_in(y, m)) return {};
  return (y ? std::to_string(y) : "-") + "-" + two(m) + "-" + two(d);
}

namespace customers {

std::string_view trim(std::string_view s) {
  auto space_at = [&](std::size_t i, bool back) -> std::size_t {
    // ASCII white space, U+3000 ideographic space (E3 80 80), U+00A0 (C2 A0)
    if (back) {
      if (i >= 1 && is_space(s[i - 1])) return 1;
      if (i >= 3 && s.compare(i - 3, 3, "\xE3\x80\x80") == 0) return 3;
      if (i >= 2 && s.compare(i - 2, 2, "\xC2\xA0") == 0) return 2;
      return 0;
    }
    if (i < s.size() && is_space(s[i])) return 1;
    if (s.compare(i, 3, "\xE3\x80\x80") == 0) return 3;
    if (s.compare(i, 2, "\xC2\xA0") == 0) return 2;
    return 0;
  };
  std::size_t b = 0, e = s.size();
  while (b < e)
    if (auto n = space_at(b, false)) b += n;
    else break;
  while (e > b)
    if (auto n = space_at(e, true)) e -= n;
    else break;
  return s.substr(b, e - b);
}

std::optional<IdentifierKey> phone_key(std::string_view phone) {
  std::string p = normalize_phone(phone);
  if (p.empty()) return std::nullopt;
  return IdentifierKey{"phone:" + p, IdentifierKind::phone};
}

std::optional<IdentifierKey> email_key(std::string_view email) {
  std::string e = normalize_email(email);
  if (e.empty()) return std::nullopt;
  return IdentifierKey{"email:" + e, IdentifierKind::email};
}

std::optional<IdentifierKey> external_key(std::string_view external_id) {
  if (!is_valid_utf8(external_id)) return std::nullopt;
  std::string_view s = trim(external_id);
  if (s.empty() || s.size() > 512) return std::nullopt;
  auto colon = s.find(':');
  if (colon == std::string_view::npos) return IdentifierKey{std::string(s), IdentifierKind::external_id};
  std::string source(trim(s.substr(0, colon)));
  std::string_view value = trim(s.substr(colon + 1));
  for (char& c : source) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (value.empty()) return std::nullopt;
  if (source == "phone" || source == "tel" || source == "mobile") return phone_key(value);
  if (source == "email" || source == "mail") return email_key(value);
  if (source.empty()) return std::nullopt;
  return IdentifierKey{source + ":" + std::string(value), IdentifierKind::external_id};
}

IdentifierKind key_kind(std::string_view key) {
  if (key.rfind("phone:", 0) == 0) return IdentifierKind::phone;
  if (key.rfind("email:", 0) == 0) return IdentifierKind::email;
  return IdentifierKind::external_id;
}

std::string display_identifier(const std::string& key, IdentifierKind kind) {
  if (kind == IdentifierKind::phone && key.rfind("phone:", 0) == 0) return key.substr(6);
  if (kind == IdentifierKind::email && key.rfind("email:", 0) == 0) return key.substr(6);
  return key;
}

std::string name_key(std::string_view name, const ChineseConverter* to_simplified) {
  if (!is_valid_utf8(name)) return {};
  std::string folded = normalize_text(name, to_simplified).utf8();
  std::string out;
  out.reserve(folded.size());
  bool space = false;
  for (char c : trim(folded)) {
    if (is_space(c)) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string prefix_end(std::string_view prefix) {
  // Every UTF-8 string starting with `prefix` sorts below prefix + U+10FFFF's encoding.
  return std::string(prefix) + "\xF4\x8F\xBF\xBF";
}

std::optional<int> birthday_month_day(std::string_view b) {
  if (b.size() < 5) return std::nullopt;
  auto md = b.substr(b.size() - 5);
  if (md[2] != '-') return std::nullopt;
  int m = (md[0] - '0') * 10 + (md[1] - '0'), d = (md[3] - '0') * 10 + (md[4] - '0');
  return m * 100 + d;
}

std::optional<CustomerId> kefu_id(std::string_view ref) {
  ref = trim(ref);
  if (ref.rfind("kefu:", 0) == 0) ref.remove_prefix(5);
  if (ref.empty() || ref.size() > 18) return std::nullopt;
  CustomerId v = 0;
  for (char c : ref) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v > 0 ? std::optional<CustomerId>(v) : std::nullopt;
}

std::int64_t content_key(std::initializer_list<std::string_view> parts) {
  std::uint64_t h = 1469598103934665603ULL;
  for (auto p : parts) {
    for (unsigned char c : p) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0x1f;
    h *= 1099511628211ULL;
  }
  return static_cast<std::int64_t>(h >> 1);
}

}  // namespace customers
}  // namespace kefu
