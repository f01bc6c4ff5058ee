// kefu/render.hpp — filling a template's variables for a channel.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "kefu/locale.hpp"
#include "kefu/template.hpp"
#include "kefu/vocabulary.hpp"

namespace kefu {

class ChineseConverters;
using Variables = std::map<std::string, std::string, std::less<>>;

struct Rendered {
  std::string text;
  std::vector<std::string> missing;  ///< required variables that had no value (shown as placeholders)
};

/// Renders compiled text. Values are escaped for `channel`; literal text is escaped for html only.
/// A missing required variable becomes a visible placeholder in the locale's language
/// (【订单号】, [order number]). `salutation` is derived from `name` and `title` when not given.
Rendered render(const std::vector<TextNode>& nodes, const Variables& vars, Locale locale, Channel channel,
                const ChineseConverters* chinese = nullptr);  ///< converts zh-TW/zh-HK placeholders

/// Derives the salutation: 王女士 from 王芳 + 女士, "Ms. Doe" from "Jane Doe" + "Ms.".
std::string make_salutation(const std::string& name, const std::string& title, Locale locale);

/// Escapes a value for a channel.
std::string escape_for(Channel channel, std::string_view value);

}  // namespace kefu
