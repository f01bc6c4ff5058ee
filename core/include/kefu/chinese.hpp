// kefu/chinese.hpp — Simplified/Traditional conversion through OpenCC.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kefu/locale.hpp"

namespace kefu {

/// One OpenCC conversion (thread-safe after construction). Configs are OpenCC's own
/// ("s2twp.json", "s2hk.json", "t2s.json") from Debian's libopencc-data.
class ChineseConverter {
 public:
  explicit ChineseConverter(const std::string& opencc_config);
  ~ChineseConverter();
  ChineseConverter(const ChineseConverter&) = delete;
  ChineseConverter& operator=(const ChineseConverter&) = delete;

  std::string convert(std::string_view utf8) const;
  /// Character-by-character conversion: keeps the code-point count, so offsets stay valid.
  std::u32string convert_chars(std::u32string_view text) const;
  /// One code point as convert_chars() converts it: a lookup in a table built once from OpenCC's data.
  char32_t convert_char(char32_t cp) const { return char_map()(cp); }

  /// That table: for loops that convert as they go, fetched once (it is built on the first call).
  struct CharMap {
    static constexpr char32_t kDenseFrom = 0x3400, kDenseTo = 0xA000;
    std::vector<char32_t> dense;                    ///< kDenseFrom..kDenseTo, by code point (or empty)
    std::vector<std::uint64_t> changes;             ///< one bit per code point of `dense`: it changes
    std::unordered_map<char32_t, char32_t> sparse;  ///< the other code points OpenCC changes
    char32_t operator()(char32_t cp) const {
      if (cp < kDenseFrom || dense.empty()) return cp;
      if (cp < kDenseTo) {
        // The bits (3 KB) stay in the L1 cache; the table (107 KB) is read only for what changes.
        const std::size_t k = cp - kDenseFrom;
        return (changes[k / 64] >> (k % 64)) & 1 ? dense[k] : cp;
      }
      if (sparse.empty()) return cp;
      auto it = sparse.find(cp);
      return it == sparse.end() ? cp : it->second;
    }
  };
  const CharMap& char_map() const;
  /// Fills the table convert_chars() uses from an OpenCC character dictionary (.ocd2) instead of
  /// deriving it through the config; must be called before the first convert_chars().
  void load_char_table(const std::string& ocd2_path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The converters an engine shares; created lazily on first use (OpenCC dictionaries take a few ms).
class ChineseConverters {
 public:
  ChineseConverters();
  ~ChineseConverters();
  /// Traditional (any variant) → Simplified.
  const ChineseConverter& to_simplified() const;
  /// Simplified → the script of `locale` (zh-TW: Taiwan phrases; zh-HK: Hong Kong forms); nullptr for zh-CN and en.
  const ChineseConverter* from_simplified(Locale locale) const;
  /// Converts zh-CN text for `locale`; returns it unchanged for zh-CN and en.
  std::string localize(std::string_view zh_cn_text, Locale locale) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kefu
