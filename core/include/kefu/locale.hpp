// kefu/locale.hpp — the locales kefu serves and how names map onto them.
#pragma once
#include <string>
#include <string_view>

namespace kefu {

/// zh_TW and zh_HK are served from zh_CN data through OpenCC; en has its own data.
enum class Locale { zh_CN, zh_TW, zh_HK, en };

/// Parses "zh-CN", "zh_cn", "zh", "zh-Hans", "zh-TW", "zh-Hant", "zh-HK", "en", "en-US"...
/// Throws Error(unsupported) for anything else.
Locale parse_locale(std::string_view name);
/// Canonical name: "zh-CN", "zh-TW", "zh-HK", "en".
const char* locale_name(Locale locale) noexcept;
/// True for the Chinese locales.
inline bool is_chinese(Locale l) noexcept { return l != Locale::en; }
/// The locale whose data serves `l` (zh-TW and zh-HK → zh-CN).
inline Locale data_locale(Locale l) noexcept { return is_chinese(l) ? Locale::zh_CN : Locale::en; }
/// Best guess from the text itself: Chinese if it holds Han characters, else English.
Locale guess_locale(std::string_view utf8_text);

}  // namespace kefu
