// Tone: compiling one locale's rules, exceptions, marker groups and negations into one PatternSet
// (one Hyperscan database, scanned once per draft).
#include <algorithm>
#include <map>

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

// Every locale starts with the text as written; CompiledPack::localize_for() converts zh-TW/zh-HK.
Localized localize(const std::string& text) {
  Localized out;
  out.by_locale.fill(text);
  return out;
}

LocalizedList localize(const std::vector<std::string>& list) {
  LocalizedList out;
  out.by_locale.fill(list);
  return out;
}

}  // namespace

void CompiledPack::localize_for(Locale locale) const {
  if (pack.locale != Locale::zh_CN || !chinese || (locale != Locale::zh_TW && locale != Locale::zh_HK)) return;
  std::call_once(locale == Locale::zh_TW ? localized_tw : localized_hk, [&] {
    // Every text of the locale in one OpenCC call, split on a record separator OpenCC leaves alone.
    const auto slot = static_cast<std::size_t>(locale);
    std::vector<std::string*> texts;
    for (auto& m : messages) texts.push_back(&m.by_locale[slot]);
    auto add_list = [&](LocalizedList& l) {
      for (auto& s : l.by_locale[slot]) texts.push_back(&s);
    };
    for (auto& s : suggestions) add_list(s);
    for (auto& per_rule : phrase_suggestions)
      for (auto& s : per_rule) add_list(s);
    std::string joined;
    for (const std::string* t : texts) joined += *t + "\n\x1e\n";
    const std::string converted = chinese->localize(joined, locale);
    std::size_t pos = 0;
    for (std::string* t : texts) {
      std::size_t end = converted.find("\n\x1e\n", pos);
      if (end == std::string::npos) break;  // cannot happen: OpenCC keeps the separators
      *t = converted.substr(pos, end - pos);
      pos = end + 3;
    }
    make_texts(locale);
  });
}

void CompiledPack::make_texts(Locale locale) const {
  const auto slot = static_cast<std::size_t>(locale);
  auto& by_rule = rule_texts[slot];
  auto& by_phrase = phrase_texts[slot];
  by_rule.clear();
  by_phrase.clear();
  for (std::size_t r = 0; r < pack.rules.size(); ++r) {
    const auto& rule = by_rule.emplace_back(std::make_shared<const FindingTexts>(
        FindingTexts{pack.rules[r].id, messages[r].get(locale), suggestions[r].get(locale)}));
    auto& phrases = by_phrase.emplace_back();
    for (const auto& own : phrase_suggestions[r]) {
      const auto& list = own.get(locale);
      phrases.push_back(list.empty() ? rule
                                     : std::make_shared<const FindingTexts>(
                                           FindingTexts{pack.rules[r].id, messages[r].get(locale), list}));
    }
  }
}

std::unique_ptr<CompiledPack> compile_pack(const LocalePack& pack, const ChineseConverters& chinese) {
  auto out = std::make_unique<CompiledPack>();
  out->pack = pack;
  out->chinese = &chinese;
  const LocalePack& p = out->pack;
  std::vector<PatternSet::Pattern> patterns;
  std::vector<std::vector<CompiledPack::PatternInfo>> infos;  // by pattern id
  std::map<std::pair<std::string, bool>, unsigned> ids;       // (expression, regex) → pattern id
  auto add = [&](std::string expr, bool regex, CompiledPack::PatternKind kind, std::uint32_t index,
                 std::uint32_t phrase) {
    if (expr.empty()) return;
    auto [it, added] = ids.emplace(std::make_pair(expr, regex), static_cast<unsigned>(patterns.size()));
    if (added) {
      PatternSet::Pattern pat;
      pat.whole_word = !regex && all_ascii(expr);
      pat.expression = std::move(expr);
      pat.regex = regex;
      pat.caseless = true;
      pat.id = it->second;
      patterns.push_back(std::move(pat));
      infos.emplace_back();
    }
    infos[it->second].push_back({kind, index, phrase});
  };

  for (const auto& [name, phrases] : p.markers) {
    auto g = static_cast<std::uint32_t>(out->marker_names.size());
    out->marker_names.push_back(name);
    if (name == "request") out->request_group = static_cast<int>(g);
    out->marker_phrases.emplace_back();
    for (const auto& ph : phrases) out->marker_phrases.back().push_back(normalize_text(ph).text);
    for (const auto& ph : phrases) add(fold(ph, chinese), false, CompiledPack::PatternKind::marker, g, 0);
  }
  for (const auto& n : p.negations) add(fold(n, chinese), false, CompiledPack::PatternKind::negation, 0, 0);

  out->absent_groups.resize(p.rules.size());
  out->unless_groups.resize(p.rules.size());
  for (std::uint32_t i = 0; i < p.rules.size(); ++i) {
    const Rule& r = p.rules[i];
    out->messages.push_back(localize(r.message));
    out->suggestions.push_back(localize(r.suggestions));
    out->phrase_suggestions.emplace_back();
    for (const auto& ph : r.phrases) out->phrase_suggestions.back().push_back(localize(ph.suggestions));
    if (!r.enabled) continue;
    if (r.kind == Kind::phrases)
      for (std::uint32_t k = 0; k < r.phrases.size(); ++k)
        add(fold(r.phrases[k].text, chinese), false, CompiledPack::PatternKind::rule, i, k);
    if (r.kind == Kind::regex) {
      for (const auto& re : r.regexes) {
        add(fold_regex(re, chinese), true, CompiledPack::PatternKind::rule, i, 0);
      }
    }
    if (r.kind == Kind::detector)
      if (auto d = find_detector(r.detector)) out->detectors.push_back({i, *d});
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
  for (std::size_t l = 0; l < out->rule_texts.size(); ++l) out->make_texts(static_cast<Locale>(l));
  for (const auto& c : p.caps_allow) out->caps_allow.push_back(normalize_text(c).text);
  for (const auto& per_id : infos) {
    out->first_info.push_back(static_cast<std::uint32_t>(out->infos.size()));
    out->infos.insert(out->infos.end(), per_id.begin(), per_id.end());
  }
  out->first_info.push_back(static_cast<std::uint32_t>(out->infos.size()));
  try {
    out->matcher = std::make_unique<PatternSet>(patterns);
  } catch (const Error&) {
    // Find the expression that does not compile, and report it at its rule's file:line.
    for (std::size_t k = 0; k < patterns.size(); ++k) {
      if (!patterns[k].regex) continue;
      try {
        PatternSet probe({patterns[k]});
      } catch (const Error& e) {
        const Rule& r = p.rules[infos[k].front().index];  // a regex belongs to one rule
        throw Error(ErrorCode::parse, r.file + ":" + std::to_string(r.line) + ": rule '" + r.id + "': " + e.what());
      }
    }
    throw;
  }
  return out;
}

}  // namespace kefu::tone
