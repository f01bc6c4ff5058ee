#include "kefu/locale.hpp"

#include <algorithm>
#include <cctype>

#include "kefu/error.hpp"
#include "kefu/text.hpp"

namespace kefu {

Locale parse_locale(std::string_view name) {
  std::string n(name);
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return c == '_' ? '-' : std::tolower(c); });
  if (n == "zh-cn" || n == "zh" || n == "zh-hans" || n == "zh-hans-cn" || n == "zh-sg" || n == "cn") return Locale::zh_CN;
  if (n == "zh-tw" || n == "zh-hant" || n == "zh-hant-tw" || n == "tw") return Locale::zh_TW;
  if (n == "zh-hk" || n == "zh-mo" || n == "zh-hant-hk" || n == "hk") return Locale::zh_HK;
  if (n == "en" || n.rfind("en-", 0) == 0) return Locale::en;
  throw Error(ErrorCode::unsupported,
              "unsupported locale '" + std::string(name) + "': use zh-CN, zh-TW, zh-HK or en");
}

const char* locale_name(Locale locale) noexcept {
  switch (locale) {
    case Locale::zh_CN: return "zh-CN";
    case Locale::zh_TW: return "zh-TW";
    case Locale::zh_HK: return "zh-HK";
    case Locale::en: return "en";
  }
  return "en";
}

Locale guess_locale(std::string_view utf8_text) {
  if (!is_valid_utf8(utf8_text)) return Locale::en;
  for (char32_t cp : decode_utf8(utf8_text))
    if (is_han(cp)) return Locale::zh_CN;
  return Locale::en;
}

}  // namespace kefu
