#include "kefu/template.hpp"

#include <algorithm>

#include "kefu/error.hpp"

namespace kefu {

const std::vector<std::string>& known_variables() {
  static const std::vector<std::string> vars = {
      "name",   "title",  "salutation", "agent",   "shop",     "order_id",    "product", "last_product", "size", "color",
      "tracking_no", "carrier", "amount", "coupon", "promotion", "deadline", "holiday", "new_arrival", "link"};
  return vars;
}

bool is_known_variable(std::string_view name) {
  const auto& v = known_variables();
  return std::find(v.begin(), v.end(), name) != v.end();
}

bool Template::has_tag(std::string_view tag) const { return std::find(tags.begin(), tags.end(), tag) != tags.end(); }
bool Template::has_intent(Intent intent) const {
  return std::find(intents.begin(), intents.end(), intent) != intents.end();
}

const std::vector<TextNode>& Template::nodes_for(Locale requested) const {
  if (requested == Locale::zh_TW && !nodes_tw.empty()) return nodes_tw;
  if (requested == Locale::zh_HK && !nodes_hk.empty()) return nodes_hk;
  return nodes;
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw Error(ErrorCode::parse, where + ": " + what);
}

void check_name(std::string_view name, const std::string& where) {
  if (name.empty()) fail(where, "empty variable name in {{ }}");
  if (!is_known_variable(name))
    fail(where, "unknown variable '" + std::string(name) + "' (known: see templates/README.md)");
}

}  // namespace

std::vector<TextNode> compile_text(std::string_view text, const std::string& where) {
  std::vector<TextNode> root;
  std::vector<std::vector<TextNode>*> stack{&root};
  std::vector<std::string> open;  // section names, innermost last
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t start = text.find("{{", pos);
    if (start == std::string_view::npos) start = text.size();
    if (start > pos) {
      TextNode lit;
      lit.text = std::string(text.substr(pos, start - pos));
      stack.back()->push_back(std::move(lit));
    }
    if (start == text.size()) break;
    std::size_t end = text.find("}}", start + 2);
    if (end == std::string_view::npos) fail(where, "'{{' without a closing '}}'");
    std::string_view tag = trim(text.substr(start + 2, end - start - 2));
    pos = end + 2;
    if (tag.empty()) fail(where, "empty {{ }}");
    char sigil = tag.front();
    if (sigil == '#' || sigil == '^') {
      std::string_view name = trim(tag.substr(1));
      check_name(name, where);
      TextNode sec;
      sec.kind = sigil == '#' ? TextNode::Kind::section : TextNode::Kind::inverted;
      sec.text = std::string(name);
      stack.back()->push_back(std::move(sec));
      stack.push_back(&stack.back()->back().children);
      open.emplace_back(name);
    } else if (sigil == '/') {
      std::string_view name = trim(tag.substr(1));
      if (open.empty()) fail(where, "{{/" + std::string(name) + "}} closes no section");
      if (open.back() != name) fail(where, "{{/" + std::string(name) + "}} closes section '" + open.back() + "'");
      open.pop_back();
      stack.pop_back();
    } else {
      TextNode var;
      var.kind = TextNode::Kind::variable;
      std::size_t bar = tag.find('|');
      var.text = std::string(trim(tag.substr(0, bar)));
      if (bar != std::string_view::npos) {
        var.has_fallback = true;
        var.fallback = std::string(tag.substr(bar + 1));
      }
      check_name(var.text, where);
      stack.back()->push_back(std::move(var));
    }
  }
  if (!open.empty()) fail(where, "section '" + open.back() + "' is not closed with {{/" + open.back() + "}}");
  return root;
}

}  // namespace kefu
