#include "kefu/text.hpp"

#include <utf8proc.h>

#include <string>

#include "kefu/chinese.hpp"
#include "kefu/error.hpp"

namespace kefu {
namespace {

// Returns the length of the valid sequence at s[i], or 0. Rejects overlongs, surrogates and > U+10FFFF.
std::size_t valid_sequence(std::string_view s, std::size_t i) noexcept {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const std::size_t left = s.size() - i;
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return left >= 2 && (b(1) & 0xC0) == 0x80 ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3 || (b(1) & 0xC0) != 0x80 || (b(2) & 0xC0) != 0x80) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4 || (b(1) & 0xC0) != 0x80 || (b(2) & 0xC0) != 0x80 || (b(3) & 0xC0) != 0x80) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(1) >= 0x90) return 0;  // > U+10FFFF
    return 4;
  }
  return 0;
}

std::size_t first_invalid(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = valid_sequence(s, i);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

}  // namespace

bool is_valid_utf8(std::string_view utf8) noexcept { return first_invalid(utf8) == std::string_view::npos; }

void check_text(std::string_view utf8, std::size_t max_bytes, bool allow_empty, const char* what) {
  if (utf8.size() > max_bytes)
    throw Error(ErrorCode::too_large, std::string(what) + " is " + std::to_string(utf8.size()) +
                                          " bytes; the limit is " + std::to_string(max_bytes) + " bytes");
  std::size_t bad = first_invalid(utf8);
  if (bad != std::string_view::npos)
    throw Error(ErrorCode::invalid_utf8,
                std::string(what) + " is not valid UTF-8 (bad byte at offset " + std::to_string(bad) + ")");
  if (!allow_empty) {
    bool blank = true;
    for (char32_t cp : decode_utf8(utf8)) {
      auto cat = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
      if (cat != UTF8PROC_CATEGORY_ZS && cat != UTF8PROC_CATEGORY_CC && cat != UTF8PROC_CATEGORY_CF) {
        blank = false;
        break;
      }
    }
    if (blank) throw Error(ErrorCode::empty, std::string(what) + " is empty");
  }
}

std::u32string decode_utf8(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    utf8proc_int32_t cp = 0;
    auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                              static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (n <= 0) {  // callers validate first; be safe anyway
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    out.push_back(static_cast<char32_t>(cp));
    i += static_cast<std::size_t>(n);
  }
  return out;
}

void append_utf8(std::string& out, char32_t cp) {
  utf8proc_uint8_t buf[4];
  auto n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buf);
  out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
}

std::string encode_utf8(std::u32string_view cps) {
  std::string out;
  out.reserve(cps.size() * 3);
  for (char32_t cp : cps) append_utf8(out, cp);
  return out;
}

bool is_han(char32_t c) noexcept {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2EBEF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F) ||
         (c >= 0x30000 && c <= 0x3134F);
}

bool is_alnum(char32_t cp) noexcept {
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

NormalizedText normalize_text(std::string_view utf8, const ChineseConverter* to_simplified) {
  NormalizedText out;
  out.text.reserve(utf8.size());
  out.origin.reserve(utf8.size());
  std::uint32_t index = 0;
  utf8proc_int32_t buf[8];
  for (char32_t cp : decode_utf8(utf8)) {
    if (cp < 0x80) {  // ASCII fast path
      out.text.push_back(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
      out.origin.push_back(index++);
      continue;
    }
    if (cp >= 0x4E00 && cp <= 0x9FFF) {  // common Han fast path: no compatibility mapping
      out.text.push_back(cp);
      out.origin.push_back(index++);
      continue;
    }
    utf8proc_int32_t last = 0;
    auto n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp), buf, 8,
                                     static_cast<utf8proc_option_t>(UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                                                    UTF8PROC_STRIPMARK | UTF8PROC_DECOMPOSE),
                                     &last);
    if (n <= 0 || n > 8) {
      out.text.push_back(cp);
      out.origin.push_back(index);
    } else {
      for (auto k = 0; k < n; ++k) {
        out.text.push_back(static_cast<char32_t>(buf[k]));
        out.origin.push_back(index);
      }
    }
    ++index;
  }
  if (to_simplified) out.text = to_simplified->convert_chars(out.text);
  return out;
}

std::vector<TextOffsets> offset_table(std::string_view utf8) {
  std::vector<TextOffsets> table;
  table.reserve(utf8.size() + 1);
  std::size_t u16 = 0;
  for (std::size_t i = 0; i < utf8.size();) {
    table.push_back({i, u16});
    auto c = static_cast<unsigned char>(utf8[i]);
    std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    u16 += n == 4 ? 2 : 1;
    i += n;
  }
  table.push_back({utf8.size(), u16});
  return table;
}

}  // namespace kefu
