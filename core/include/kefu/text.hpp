// kefu/text.hpp — UTF-8 checks and the normalised form every matcher works on.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kefu {

class ChineseConverter;

/// Throws Error(invalid_utf8) naming the byte offset of the first bad sequence,
/// Error(too_large) past `max_bytes`, Error(empty) for empty or blank text when `allow_empty` is false.
void check_text(std::string_view utf8, std::size_t max_bytes, bool allow_empty = false, const char* what = "text");
/// The same, for a caller that has already found the first bad byte (`first_invalid`, npos if none),
/// e.g. with normalize_text_into().
void check_text(std::string_view utf8, std::size_t max_bytes, bool allow_empty, const char* what,
                std::size_t first_invalid);

/// True if `utf8` is well-formed UTF-8.
bool is_valid_utf8(std::string_view utf8) noexcept;

/// Bytes that are not UTF-8 continuation bytes (10xxxxxx): the code points of valid UTF-8, counted
/// eight bytes at a time.
std::size_t count_code_points(std::string_view utf8) noexcept;

/// Decodes valid UTF-8 into code points (call check_text or is_valid_utf8 first).
std::u32string decode_utf8(std::string_view utf8);
/// Encodes code points as UTF-8.
std::string encode_utf8(std::u32string_view cps);
void append_utf8(std::string& out, char32_t cp);

/// Text folded for matching: NFKC, case-folded, full-width forms to ASCII, Traditional to Simplified
/// (when a converter is given). `origin[i]` is the code-point index in the original text of normalised
/// code point i, so spans found in `text` map back to the original.
struct NormalizedText {
  std::u32string text;
  std::vector<std::uint32_t> origin;
  std::string utf8() const { return encode_utf8(text); }
};
NormalizedText normalize_text(std::string_view utf8, const ChineseConverter* to_simplified = nullptr);

/// The same in one pass, into storage the caller reuses, with the UTF-8 of the normalised text
/// (`folded_utf8`) and, per byte of it, the index of its code point (`cp_of_byte`, plus one entry
/// for the end). For matchers that scan the UTF-8 and map byte offsets back to code points.
/// With `origins`, it also tells what a checker needs about the original text (below).
struct Origins;
void normalize_text_into(std::string_view utf8, const ChineseConverter* to_simplified, NormalizedText& out,
                         std::string& folded_utf8, std::vector<std::uint32_t>& cp_of_byte, Origins* origins = nullptr);

/// Offsets of code point `cp_index` of `utf8` in bytes and in UTF-16 units (one pass, for a span).
struct TextOffsets {
  std::size_t byte;
  std::size_t utf16;
};

/// What normalize_text_into() can tell about the original text, in the same pass.
struct Origins {
  std::size_t first_invalid = std::string_view::npos;  ///< first byte that is not valid UTF-8 (folded to U+FFFD)
  std::vector<std::uint32_t> byte;  ///< per normalised code point: where its original code point starts, in bytes
  std::size_t astral = 0;           ///< original code points above U+FFFF (two UTF-16 units each)
  std::size_t size = 0;             ///< bytes of the original
  std::size_t capitals = 0;         ///< ASCII capitals 'A'..'Z' in the original
  /// The offsets of original code point `cp`, where normalised code point `k` is the first made from
  /// it (k = the normalised size: cp is the end). Only when `astral` is 0: then UTF-16 offsets are
  /// code point offsets (otherwise offsets_of() counts them).
  TextOffsets at(std::size_t k, std::size_t cp) const { return {k < byte.size() ? byte[k] : size, cp}; }
};
std::vector<TextOffsets> offset_table(std::string_view utf8);  ///< size = code points + 1
void offset_table(std::string_view utf8, std::vector<TextOffsets>& into);  ///< the same, into reused storage
/// The offsets of just the code points `cps` (ascending), in one walk that stops at the last: `into[i]`
/// is the offset of `cps[i]`. For a few spans in a long text.
void offsets_of(std::string_view utf8, const std::vector<std::size_t>& cps, std::vector<TextOffsets>& into);

/// Han ideograph (CJK Unified Ideographs and extensions, compatibility ideographs).
bool is_han(char32_t cp) noexcept;
/// Letters and digits of any script (utf8proc categories L* and N*).
bool is_alnum(char32_t cp) noexcept;

}  // namespace kefu
