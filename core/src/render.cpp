#include "kefu/render.hpp"

#include <array>
#include <map>

#include "kefu/chinese.hpp"
#include "kefu/text.hpp"

namespace kefu {
namespace {

struct Label {
  const char* var;
  const char* zh;
  const char* en;
};
constexpr std::array<Label, 19> kLabels = {{
    {"name", "姓名", "name"},           {"title", "称谓", "title"},
    {"salutation", "称呼", "name"},     {"agent", "客服名", "agent name"},
    {"shop", "店铺名", "shop name"},    {"order_id", "订单号", "order number"},
    {"product", "商品", "product"},     {"last_product", "上次购买的商品", "last purchase"},
    {"size", "尺码", "size"},           {"color", "颜色", "colour"},
    {"tracking_no", "快递单号", "tracking number"}, {"carrier", "快递公司", "carrier"},
    {"amount", "金额", "amount"},       {"coupon", "优惠券", "coupon"},
    {"promotion", "活动", "promotion"}, {"deadline", "截止时间", "deadline"},
    {"holiday", "节日", "holiday"},     {"new_arrival", "新品", "new arrival"},
    {"link", "链接", "link"},
}};

std::string placeholder(const std::string& var, Locale locale, const ChineseConverters* chinese) {
  for (const auto& l : kLabels)
    if (var == l.var) {
      if (locale == Locale::en) return std::string("[") + l.en + "]";
      std::string zh = std::string("【") + l.zh + "】";
      return chinese ? chinese->localize(zh, locale) : zh;
    }
  return "[" + var + "]";
}

bool blank(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
  return true;
}

const char* const kCompoundSurnames[] = {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容",
                                         "长孙", "宇文", "司徒", "夏侯", "令狐", "歐陽", "諸葛", "東方", "慕容"};

std::string han_surname(const std::string& name) {
  for (const char* s : kCompoundSurnames)
    if (name.rfind(s, 0) == 0 && name.size() > std::string_view(s).size()) return s;
  std::u32string cps = decode_utf8(name);
  return cps.empty() ? "" : encode_utf8(cps.substr(0, 1));
}

// Maps a title into the output language: 女士 ↔ Ms., 先生 ↔ Mr.
std::string localized_title(std::string title, Locale locale) {
  static const std::map<std::string, std::pair<std::string, std::string>> map = {
      {"女士", {"女士", "Ms."}}, {"小姐", {"小姐", "Ms."}}, {"先生", {"先生", "Mr."}},
      {"ms", {"女士", "Ms."}},   {"ms.", {"女士", "Ms."}},   {"mrs", {"女士", "Mrs."}},
      {"mrs.", {"女士", "Mrs."}}, {"miss", {"小姐", "Miss"}}, {"mr", {"先生", "Mr."}},
      {"mr.", {"先生", "Mr."}},   {"mx", {"", "Mx."}},        {"mx.", {"", "Mx."}},
      {"dr", {"博士", "Dr."}},    {"dr.", {"博士", "Dr."}},   {"亲", {"亲", ""}},
      {"親", {"親", ""}},          {"亲爱的", {"亲爱的", ""}}};
  std::string key = title;
  for (auto& c : key) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  auto it = map.find(key);
  if (it == map.end()) return title;
  return locale == Locale::en ? it->second.second : it->second.first;
}

bool is_han_text(const std::string& s) {
  auto cps = decode_utf8(s);
  return !cps.empty() && is_han(cps.front());
}

}  // namespace

std::string make_salutation(const std::string& name_in, const std::string& title_in, Locale locale) {
  std::string name = blank(name_in) ? "" : name_in;
  std::string title = blank(title_in) ? "" : localized_title(title_in, locale);
  if (locale == Locale::en) {
    if (!name.empty() && !title.empty()) {
      auto sp = name.find_last_of(' ');
      return title + " " + (sp == std::string::npos ? name : name.substr(sp + 1));
    }
    return name;  // a bare "Ms." is no way to address anyone
  }
  if (title == "亲" || title == "親" || title == "亲爱的") return title;
  if (!name.empty() && !title.empty()) return (is_han_text(name) ? han_surname(name) : name) + title;
  if (!name.empty()) return name;
  return title;
}

std::string escape_for(Channel channel, std::string_view value) {
  std::string out;
  out.reserve(value.size() + 8);
  switch (channel) {
    case Channel::plain:
      return std::string(value);
    case Channel::html:
      for (char c : value) {
        switch (c) {
          case '&': out += "&amp;"; break;
          case '<': out += "&lt;"; break;
          case '>': out += "&gt;"; break;
          case '"': out += "&quot;"; break;
          case '\'': out += "&#39;"; break;
          default: out += c;
        }
      }
      return out;
    case Channel::markdown:
      for (char c : value) {
        if (std::string_view("\\`*_{}[]()#+-.!|<>~").find(c) != std::string_view::npos) out += '\\';
        out += c;
      }
      return out;
  }
  return out;
}

namespace {

struct Renderer {
  const Variables& vars;
  Locale locale;
  Channel channel;
  const ChineseConverters* chinese;
  std::string salutation;
  Rendered result;

  const std::string* value(const std::string& name) const {
    if (name == "salutation" && !salutation.empty()) return &salutation;
    auto it = vars.find(name);
    if (it == vars.end() || blank(it->second)) return nullptr;
    return &it->second;
  }

  void literal(std::string_view text) {
    if (channel != Channel::html) {
      result.text += text;
      return;
    }
    std::string escaped = escape_for(Channel::html, text);
    for (char c : escaped) {
      if (c == '\n')
        result.text += "<br>";
      else
        result.text += c;
    }
  }

  void walk(const std::vector<TextNode>& nodes) {
    for (const auto& n : nodes) {
      switch (n.kind) {
        case TextNode::Kind::literal:
          literal(n.text);
          break;
        case TextNode::Kind::variable:
          if (const std::string* v = value(n.text)) {
            result.text += escape_for(channel, *v);
          } else if (n.has_fallback) {
            literal(n.fallback);
          } else {
            result.missing.push_back(n.text);
            literal(placeholder(n.text, locale, chinese));
          }
          break;
        case TextNode::Kind::section:
          if (value(n.text)) walk(n.children);
          break;
        case TextNode::Kind::inverted:
          if (!value(n.text)) walk(n.children);
          break;
      }
    }
  }
};

}  // namespace

Rendered render(const std::vector<TextNode>& nodes, const Variables& vars, Locale locale, Channel channel,
                const ChineseConverters* chinese) {
  Renderer r{vars, locale, channel, chinese, {}, {}};
  auto given = vars.find("salutation");
  if (given == vars.end() || blank(given->second)) {
    auto name = vars.find("name");
    auto title = vars.find("title");
    r.salutation = make_salutation(name == vars.end() ? "" : name->second, title == vars.end() ? "" : title->second,
                                   locale);
  }
  r.walk(nodes);
  // Collapse what YAML folding leaves at the ends.
  while (!r.result.text.empty() && (r.result.text.back() == '\n' || r.result.text.back() == ' '))
    r.result.text.pop_back();
  return std::move(r.result);
}

}  // namespace kefu
