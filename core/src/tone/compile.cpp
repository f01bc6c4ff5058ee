// Tone: compiling one locale's rules, exceptions, marker groups and negations into one PatternSet
// (one Hyperscan database, scanned once per draft).
#include <algorithm>

#include "kefu/chinese.hpp"
#include "kefu/error.hpp"
#include "tone_internal.hpp"

namespace kefu::tone {
namespace {

bool all_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// Phrases are folded exactly as drafts are, so that "ＱＱ", "QQ" and 「微信」 in Traditional all match.
std::string fold(std::string_view phrase, const ChineseConverters& chinese) {
  return normalize_text(phrase, &chinese.to_simplified()).utf8();
}

// Regexes: Traditional ideographs become Simplified; the syntax is ASCII and stays as written.
std::string fold_regex(std::string_view re, const ChineseConverters& chinese) {
  return encode_utf8(chinese.to_simplified().convert_chars(decode_utf8(re)));
}

Localized localize(const std::string& text, Locale data_locale, const ChineseConverters& chinese) {
  Localized out;
  for (Locale l : {Locale::zh_CN, Locale::zh_TW, Locale::zh_HK, Locale::en})
    out.by_locale[static_cast<std::size_t>(l)] = data_locale == Locale::zh_CN ? chinese.localize(text, l) : text;
  return out;
}

LocalizedList localize(const std::vector<std::string>& list, Locale data_locale, const ChineseConverters& chinese) {
  LocalizedList out;
  for (const auto& s : list) {
    auto l = localize(s, data_locale, chinese);
    for (std::size_t i = 0; i < 4; ++i) out.by_locale[i].push_back(std::move(l.by_locale[i]));
  }
  return out;
}

}  // namespace

std::unique_ptr<CompiledPack> compile_pack(const LocalePack& pack, const ChineseConverters& chinese) {
  auto out = std::make_unique<CompiledPack>();
  out->pack = pack;
  const LocalePack& p = out->pack;
  std::vector<PatternSet::Pattern> patterns;
  auto add = [&](std::string expr, bool regex, CompiledPack::PatternKind kind, std::uint32_t index,
                 std::uint32_t phrase) {
    if (expr.empty()) return;
    PatternSet::Pattern pat;
    pat.whole_word = !regex && all_ascii(expr);
    pat.expression = std::move(expr);
    pat.regex = regex;
    pat.caseless = true;
    pat.id = static_cast<unsigned>(patterns.size());
    patterns.push_back(std::move(pat));
    out->patterns.push_back({kind, index, phrase});
  };

  for (const auto& [name, phrases] : p.markers) {
    auto g = static_cast<std::uint32_t>(out->marker_names.size());
    out->marker_names.push_back(name);
    if (name == "request") out->request_group = static_cast<int>(g);
    for (const auto& ph : phrases) add(fold(ph, chinese), false, CompiledPack::PatternKind::marker, g, 0);
  }
  for (const auto& n : p.negations) add(fold(n, chinese), false, CompiledPack::PatternKind::negation, 0, 0);

  out->absent_groups.resize(p.rules.size());
  out->unless_groups.resize(p.rules.size());
  for (std::uint32_t i = 0; i < p.rules.size(); ++i) {
    const Rule& r = p.rules[i];
    out->messages.push_back(localize(r.message, p.locale, chinese));
    out->suggestions.push_back(localize(r.suggestions, p.locale, chinese));
    out->phrase_suggestions.emplace_back();
    for (const auto& ph : r.phrases) out->phrase_suggestions.back().push_back(localize(ph.suggestions, p.locale, chinese));
    if (!r.enabled) continue;
    if (r.kind == Kind::phrases)
      for (std::uint32_t k = 0; k < r.phrases.size(); ++k)
        add(fold(r.phrases[k].text, chinese), false, CompiledPack::PatternKind::rule, i, k);
    if (r.kind == Kind::regex) {
      for (const auto& re : r.regexes) {
        add(fold_regex(re, chinese), true, CompiledPack::PatternKind::rule, i, 0);
      }
    }
    if (r.kind == Kind::near) {
      for (const auto& ph : r.near_first) add(fold(ph, chinese), false, CompiledPack::PatternKind::near_first, i, 0);
      for (const auto& ph : r.near_then) add(fold(ph, chinese), false, CompiledPack::PatternKind::near_then, i, 0);
    }
    for (const auto& ex : r.except) add(fold(ex, chinese), false, CompiledPack::PatternKind::except, i, 0);
    auto groups = [&](const std::vector<std::string>& names, std::vector<std::uint32_t>& to) {
      for (const auto& g : names) {
        auto it = std::find(out->marker_names.begin(), out->marker_names.end(), g);
        if (it != out->marker_names.end()) to.push_back(static_cast<std::uint32_t>(it - out->marker_names.begin()));
      }
    };
    if (r.kind == Kind::absent) groups(r.absent, out->absent_groups[i]);
    groups(r.unless, out->unless_groups[i]);
  }
  for (const auto& c : p.caps_allow) out->caps_allow.push_back(normalize_text(c).text);
  try {
    out->matcher = std::make_unique<PatternSet>(patterns);
  } catch (const Error&) {
    // Find the expression that does not compile, and report it at its rule's file:line.
    for (std::size_t k = 0; k < patterns.size(); ++k) {
      if (!patterns[k].regex) continue;
      try {
        PatternSet probe({patterns[k]});
      } catch (const Error& e) {
        const Rule& r = p.rules[out->patterns[k].index];
        throw Error(ErrorCode::parse, r.file + ":" + std::to_string(r.line) + ": rule '" + r.id + "': " + e.what());
      }
    }
    throw;
  }
  return out;
}

}  // namespace kefu::tone
