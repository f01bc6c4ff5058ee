#include "kefu/text.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <cstring>
#include <utility>
#include <string>

#include "kefu/chinese.hpp"
#include "kefu/error.hpp"

namespace kefu {
namespace {

// Returns the length of the valid sequence at s[i], or 0. Rejects overlongs, surrogates and > U+10FFFF.
inline std::size_t valid_sequence(std::string_view s, std::size_t i) noexcept {
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
    if (static_cast<unsigned char>(s[i]) < 0x80) {  // ASCII needs no further look
      ++i;
      continue;
    }
    std::size_t n = valid_sequence(s, i);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

// The code point at s[i], advancing i past it; a bad sequence reads as U+FFFD, one byte long.
inline char32_t next_code_point(std::string_view s, std::size_t& i) noexcept {
  const auto b = [&](std::size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[i + k])); };
  const char32_t c = b(0);
  if (c < 0x80) {
    ++i;
    return c;
  }
  char32_t cp;
  switch (valid_sequence(s, i)) {
    case 2: cp = ((c & 0x1F) << 6) | (b(1) & 0x3F); i += 2; return cp;
    case 3: cp = ((c & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F); i += 3; return cp;
    case 4: cp = ((c & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F); i += 4; return cp;
    default: ++i; return 0xFFFD;
  }
}

// Writes `c` as UTF-8 at `b` (room for 4 bytes); returns the number of bytes.
inline std::size_t put_utf8(char32_t c, char* b) noexcept {
  if (c < 0x80) {
    b[0] = static_cast<char>(c);
    return 1;
  }
  if (c < 0x800) {
    b[0] = static_cast<char>(0xC0 | (c >> 6));
    b[1] = static_cast<char>(0x80 | (c & 0x3F));
    return 2;
  }
  if (c < 0x10000) {
    b[0] = static_cast<char>(0xE0 | (c >> 12));
    b[1] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    b[2] = static_cast<char>(0x80 | (c & 0x3F));
    return 3;
  }
  b[0] = static_cast<char>(0xF0 | (c >> 18));
  b[1] = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
  b[2] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
  b[3] = static_cast<char>(0x80 | (c & 0x3F));
  return 4;
}

}  // namespace

bool is_valid_utf8(std::string_view utf8) noexcept { return first_invalid(utf8) == std::string_view::npos; }

std::size_t count_code_points(std::string_view s) noexcept {
  constexpr std::uint64_t kHigh = 0x8080808080808080ull;
  std::size_t continuation = 0, i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    // A continuation byte has its top bit set and the next one clear.
    const std::uint64_t ones = (w & ~(w << 1) & kHigh) >> 7;  // 1 in each byte that continues
    continuation += static_cast<std::size_t>((ones * 0x0101010101010101ull) >> 56);  // their sum
  }
  for (; i < s.size(); ++i) continuation += (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80;
  return s.size() - continuation;
}

void check_text(std::string_view utf8, std::size_t max_bytes, bool allow_empty, const char* what) {
  // Past the limit, the size is reported without reading the text.
  check_text(utf8, max_bytes, allow_empty, what, utf8.size() > max_bytes ? std::string_view::npos : first_invalid(utf8));
}

void check_text(std::string_view utf8, std::size_t max_bytes, bool allow_empty, const char* what, std::size_t bad) {
  if (utf8.size() > max_bytes)
    throw Error(ErrorCode::too_large, std::string(what) + " is " + std::to_string(utf8.size()) +
                                          " bytes; the limit is " + std::to_string(max_bytes) + " bytes");
  if (bad != std::string_view::npos)
    throw Error(ErrorCode::invalid_utf8,
                std::string(what) + " is not valid UTF-8 (bad byte at offset " + std::to_string(bad) + ")");
  if (!allow_empty) {
    bool blank = true;
    for (std::size_t i = 0; i < utf8.size();) {
      char32_t cp = next_code_point(utf8, i);
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
  for (std::size_t i = 0; i < s.size();) out.push_back(next_code_point(s, i));
  return out;
}

void append_utf8(std::string& out, char32_t cp) {
  char b[4];
  out.append(b, put_utf8(cp, b));
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
  if (cp < 0x80) return (cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z');
  if (cp >= 0x4E00 && cp <= 0x9FD5) return true;  // CJK Unified Ideographs assigned since Unicode 8: Lo
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

namespace {

constexpr utf8proc_option_t kFoldOptions =
    static_cast<utf8proc_option_t>(UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_DECOMPOSE);

// utf8proc's folding of the blocks drafts use most after ASCII and Han — general punctuation,
// CJK symbols and punctuation, full-width forms — looked up once: the code point it folds to when
// that is a single one, else 0 (fold it with utf8proc each time).
class CommonFolds {
 public:
  CommonFolds() {
    for (const auto& [from, to] : kBlocks)
      for (char32_t c = from; c < to; ++c) {
        utf8proc_int32_t buf[8];
        utf8proc_int32_t last = 0;
        auto n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c), buf, 8, kFoldOptions, &last);
        fold_[index(c)] = n == 1 ? static_cast<char32_t>(buf[0]) : 0;
      }
  }
  // The single code point `c` folds to, or 0.
  char32_t operator()(char32_t c) const {
    if (c >= 0x2000 && c < 0x2070) return fold_[c - 0x2000];
    if (c >= 0x3000 && c < 0x3040) return fold_[0x70 + (c - 0x3000)];
    if (c >= 0xFF00 && c < 0xFFF0) return fold_[0xB0 + (c - 0xFF00)];
    return 0;
  }

 private:
  static constexpr std::pair<char32_t, char32_t> kBlocks[] = {{0x2000, 0x2070}, {0x3000, 0x3040}, {0xFF00, 0xFFF0}};
  static std::size_t index(char32_t c) {
    return c < 0x3000 ? c - 0x2000 : c < 0xFF00 ? 0x70 + (c - 0x3000) : 0xB0 + (c - 0xFF00);
  }
  char32_t fold_[0x70 + 0x40 + 0xF0] = {};
};

const CommonFolds& common_folds() {
  static const CommonFolds folds;
  return folds;
}

// Eight bytes with 'A'..'Z' lowered, if all eight are ASCII (SWAR), adding the capitals to `capitals`;
// false otherwise.
inline bool fold_ascii8(const char* p, char* out, std::size_t& capitals) noexcept {
  constexpr std::uint64_t kHigh = 0x8080808080808080ull, kOnes = 0x0101010101010101ull;
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  if (w & kHigh) return false;
  const std::uint64_t upper = (w + (0x80 - 'A') * kOnes) & ~(w + (0x80 - 'Z' - 1) * kOnes) & kHigh;
  w |= upper >> 2;  // 0x80 >> 2 = 0x20: 'A' + 0x20 = 'a'
  capitals += static_cast<std::size_t>(((upper >> 7) * kOnes) >> 56);  // the sum of one per capital
  std::memcpy(out, &w, 8);
  return true;
}

// Makes room in the output buffers for `cps` code points and (kEncode) `bytes` bytes of UTF-8 with
// their byte → code point map; never shrinks them.
template <bool kEncode, bool kOrigins>
void grow(NormalizedText& out, std::vector<std::uint32_t>* origin_byte, std::string* utf8,
          std::vector<std::uint32_t>* cp_of_byte, std::size_t cps, std::size_t bytes) {
  if (out.text.size() < cps) {
    out.text.resize(cps);
    out.origin.resize(cps);
    if constexpr (kOrigins) origin_byte->resize(cps);
  }
  if constexpr (kEncode) {
    if (utf8->size() < bytes) {
      utf8->resize(bytes);
      cp_of_byte->resize(bytes + 1);
    }
  }
}

// One pass over `utf8`: decode, fold (NFKC, case folding, marks stripped; then Traditional →
// Simplified), and with kEncode encode, with the byte → code point map; with kOrigins, where each
// normalised code point's original starts in bytes.
//
// The state lives in locals, not in an object, so that the compiler keeps it in registers across
// the byte stores (a char store may alias anything whose address is known elsewhere). Invariant
// after room(left): space for `left` more input bytes folded 1:1 (ASCII, Han) plus kSlack, so those
// paths write without checks.
template <bool kEncode, bool kOrigins>
void normalize(std::string_view utf8, const ChineseConverter* to_simplified, NormalizedText& out,
               std::string* folded_utf8, std::vector<std::uint32_t>* cp_of_byte, Origins* origins) {
  constexpr std::size_t kSlack = 40;  // one code point's decomposition: 8 code points, 32 bytes
  const ChineseConverter::CharMap* t2s = to_simplified ? &to_simplified->char_map() : nullptr;
  const CommonFolds& folds = common_folds();
  std::vector<std::uint32_t>* origin_byte = kOrigins ? &origins->byte : nullptr;
  std::size_t n = 0, bytes = 0;
  char32_t* text = nullptr;
  std::uint32_t* origin = nullptr;
  std::uint32_t* at_byte = nullptr;
  char* out_bytes = nullptr;
  std::uint32_t* map = nullptr;
  // Room for `cps` more code points and `left` more bytes (each code point takes at least a byte).
  auto room = [&](std::size_t left, std::size_t cps) {
    grow<kEncode, kOrigins>(out, origin_byte, folded_utf8, cp_of_byte, n + cps + kSlack, bytes + left + kSlack);
    text = out.text.data();
    origin = out.origin.data();
    if constexpr (kOrigins) at_byte = origin_byte->data();
    if constexpr (kEncode) {
      out_bytes = folded_utf8->data();
      map = cp_of_byte->data();
    }
  };
  auto put = [&](char32_t c, std::uint32_t from, std::size_t at) {
    text[n] = c;
    origin[n] = from;
    if constexpr (kOrigins) at_byte[n] = static_cast<std::uint32_t>(at);
    if constexpr (kEncode) {
      const std::size_t len = put_utf8(c, out_bytes + bytes);
      const auto cp = static_cast<std::uint32_t>(n);
      map[bytes] = map[bytes + 1] = map[bytes + 2] = map[bytes + 3] = cp;  // the slack leaves room for four
      bytes += len;
    }
    ++n;
  };
  // Until the first code point that takes the slow path, every code point read is valid ASCII or
  // Han, one in and one out, and starts with a byte that is not a continuation byte: their count
  // bounds what those paths write. (Text that is mostly Chinese has a third as many code points as
  // bytes: the buffers are not cleared for three times what they hold.)
  room(utf8.size(), count_code_points(utf8));
  std::uint32_t index = 0;
  std::size_t bad = std::string_view::npos, astral = 0, capitals = 0;
  const char* data = utf8.data();
  for (std::size_t i = 0; i < utf8.size(); ++index) {
    char folded[8];
    if (i + 8 <= utf8.size() && fold_ascii8(data + i, folded, capitals)) {  // eight ASCII bytes: eight code points
      for (std::size_t k = 0; k < 8; ++k) {
        text[n + k] = static_cast<unsigned char>(folded[k]);
        origin[n + k] = index + static_cast<std::uint32_t>(k);
        if constexpr (kOrigins) at_byte[n + k] = static_cast<std::uint32_t>(i + k);
        if constexpr (kEncode) map[bytes + k] = static_cast<std::uint32_t>(n + k);
      }
      if constexpr (kEncode) {
        std::memcpy(out_bytes + bytes, folded, 8);
        bytes += 8;
      }
      n += 8;
      i += 8;
      index += 7;
      continue;
    }
    const std::size_t at = i;
    // Ideographs U+4E00..U+9FFF are E4 B8 80 .. E9 BF BF (never overlong or a surrogate).
    const auto b0 = static_cast<unsigned char>(data[i]);
    if (b0 >= 0xE4 && b0 <= 0xE9 && i + 3 <= utf8.size()) {
      const auto b1 = static_cast<unsigned char>(data[i + 1]), b2 = static_cast<unsigned char>(data[i + 2]);
      const char32_t cp = ((b0 & 0x0Fu) << 12) | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
      if ((b1 & 0xC0) == 0x80 && (b2 & 0xC0) == 0x80 && cp >= 0x4E00) {
        const char32_t c = t2s ? (*t2s)(cp) : cp;
        i += 3;
        if (c == cp) {  // the same three bytes
          text[n] = c;
          origin[n] = index;
          if constexpr (kOrigins) at_byte[n] = static_cast<std::uint32_t>(at);
          if constexpr (kEncode) {
            std::memcpy(out_bytes + bytes, data + at, 3);
            map[bytes] = map[bytes + 1] = map[bytes + 2] = static_cast<std::uint32_t>(n);
            bytes += 3;
          }
          ++n;
          continue;
        }
        put(c, index, at);
        if (c >= 0x10000) room(utf8.size() - i, utf8.size() - i);  // four bytes for three
        continue;
      }
    }
    const char32_t cp = next_code_point(utf8, i);
    if (cp < 0x80) {  // ASCII: one byte in, one out
      const bool capital = cp >= 'A' && cp <= 'Z';
      capitals += capital;
      put(capital ? cp + 32 : cp, index, at);
      continue;
    }
    if (cp >= 0x4E00 && cp <= 0x9FFF) {  // other Han (short input): no compatibility mapping
      const char32_t c = t2s ? (*t2s)(cp) : cp;
      put(c, index, at);
      if (c >= 0x10000) room(utf8.size() - i, utf8.size() - i);
      continue;
    }
    if (const char32_t c = folds(cp)) {  // punctuation and full-width forms folding to one code point
      const std::size_t before = bytes;
      put(t2s ? (*t2s)(c) : c, index, at);
      if (bytes - before > i - at) room(utf8.size() - i, utf8.size() - i);  // more bytes out than in
      continue;
    }
    astral += cp >= 0x10000;
    if (cp == 0xFFFD && bad == std::string_view::npos && valid_sequence(utf8, at) == 0) bad = at;
    utf8proc_int32_t buf[8];
    utf8proc_int32_t last = 0;
    auto count = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp), buf, 8, kFoldOptions, &last);
    if (count <= 0 || count > 8) {
      put(t2s ? (*t2s)(cp) : cp, index, at);
    } else {
      for (auto k = 0; k < count; ++k) {
        auto c = static_cast<char32_t>(buf[k]);
        put(t2s ? (*t2s)(c) : c, index, at);
      }
    }
    room(utf8.size() - i, utf8.size() - i);
  }
  out.text.resize(n);
  out.origin.resize(n);
  if constexpr (kOrigins) {
    origin_byte->resize(n);
    origins->first_invalid = bad;
    origins->astral = astral;
    origins->size = utf8.size();
    origins->capitals = capitals;
  }
  if constexpr (kEncode) {
    folded_utf8->resize(bytes);
    cp_of_byte->resize(bytes + 1);
    (*cp_of_byte)[bytes] = static_cast<std::uint32_t>(n);
  }
}

}  // namespace

NormalizedText normalize_text(std::string_view utf8, const ChineseConverter* to_simplified) {
  NormalizedText out;
  normalize<false, false>(utf8, to_simplified, out, nullptr, nullptr, nullptr);
  return out;
}

void normalize_text_into(std::string_view utf8, const ChineseConverter* to_simplified, NormalizedText& out,
                         std::string& folded_utf8, std::vector<std::uint32_t>& cp_of_byte, Origins* origins) {
  if (origins) normalize<true, true>(utf8, to_simplified, out, &folded_utf8, &cp_of_byte, origins);
  else normalize<true, false>(utf8, to_simplified, out, &folded_utf8, &cp_of_byte, nullptr);
}


void offset_table(std::string_view utf8, std::vector<TextOffsets>& table) {
  table.clear();
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
}

void offsets_of(std::string_view utf8, const std::vector<std::size_t>& cps, std::vector<TextOffsets>& into) {
  into.clear();
  std::size_t byte = 0, cp = 0, u16 = 0;
  for (std::size_t want : cps) {
    for (; cp < want && byte < utf8.size(); ++cp) {
      auto c = static_cast<unsigned char>(utf8[byte]);
      std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      u16 += n == 4 ? 2 : 1;
      byte += n;
    }
    into.push_back({std::min(byte, utf8.size()), u16});
  }
}

std::vector<TextOffsets> offset_table(std::string_view utf8) {
  std::vector<TextOffsets> table;
  offset_table(utf8, table);
  return table;
}

}  // namespace kefu
