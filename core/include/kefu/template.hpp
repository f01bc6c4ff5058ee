// kefu/template.hpp — reply templates: their fields and compiled text.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "kefu/locale.hpp"
#include "kefu/vocabulary.hpp"

namespace kefu {

/// Compiled template text: literal runs, {{var}}, {{var|fallback}}, {{#var}}..{{/var}}, {{^var}}..{{/var}}.
struct TextNode {
  enum class Kind { literal, variable, section, inverted } kind = Kind::literal;
  std::string text;       ///< literal text, or the variable name
  std::string fallback;   ///< {{var|fallback}}
  bool has_fallback = false;
  std::vector<TextNode> children;  ///< sections
};

struct Template {
  std::string id;
  std::string pack;
  Locale locale = Locale::zh_CN;     ///< zh_CN or en (data locales)
  std::vector<Intent> intents;
  std::vector<Stage> stages;
  std::vector<CustomerType> customer_types;
  std::vector<Emotion> emotions;
  std::string shortcut;
  std::vector<std::string> tags;
  std::string text;                  ///< source text as written
  std::vector<std::string> examples;
  bool outreach = false;
  std::string occasion;              ///< for outreach templates
  std::string file;                  ///< where it was defined
  int line = 0;
  std::vector<TextNode> nodes;       ///< compiled `text`
  std::string text_tw;               ///< zh-TW form of `text` (zh-CN templates, after localize)
  std::string text_hk;               ///< zh-HK form of `text`
  std::vector<TextNode> nodes_tw;    ///< compiled `text_tw`
  std::vector<TextNode> nodes_hk;    ///< compiled `text_hk`

  bool has_tag(std::string_view tag) const;
  bool has_intent(Intent intent) const;
  /// The compiled text for a requested locale (zh-TW/zh-HK forms of a zh-CN template).
  const std::vector<TextNode>& nodes_for(Locale requested) const;
};

/// The variables a template may use (see templates/README.md).
const std::vector<std::string>& known_variables();
bool is_known_variable(std::string_view name);

/// Compiles template text. Throws Error(parse) with `where` (file:line) on unbalanced sections or
/// an unknown variable.
std::vector<TextNode> compile_text(std::string_view text, const std::string& where);

}  // namespace kefu
