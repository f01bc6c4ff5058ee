// Tone: ToneChecker — one scan of the compiled patterns over the normalised draft, then exceptions,
// negations, sentence conditions, context rules (apology only when the customer is upset), detectors,
// and spans mapped back to the original draft.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "kefu/chinese.hpp"
#include "kefu/error.hpp"
#include "tone_internal.hpp"
#include "tone_checker_impl.hpp"

namespace kefu {

using namespace tone;

namespace {

bool is_question_sentence(const Document& d, std::uint32_t sentence) {
  auto [a, b] = d.sentences[sentence];
  for (std::uint32_t i = b; i-- > a;) {
    char32_t c = d.norm.text[i];
    if (c == '?') return true;
    if (c == '!' || c == ' ' || c == '\n' || c == '\t' || c == '.' || c == U'。' || c == ';') continue;
    // A Chinese question without a question mark: ends in 吗 / 么.
    return c == U'吗' || c == U'么';
  }
  return false;
}

bool upset(const Analysis& a) {
  return a.emotion == Emotion::angry || a.emotion == Emotion::negative ||
         (is_complaint(a.intent) && a.confidence >= 0.3);
}

struct Candidate {
  std::uint32_t rule;
  std::uint32_t phrase;
  bool from_phrase;
  Span span;
};

// A kept match placed in the original draft, for ordering the findings.
struct Placed {
  std::size_t start, end;  ///< original code points
  std::uint32_t kept;      ///< index in Workspace::kept
};

// What one check works in. One per thread, reused: a check allocates only for its report.
struct Workspace {
  Document doc;
  std::vector<PatternSet::Match> matches;
  std::vector<Candidate> candidates, kept;
  std::vector<std::pair<std::uint32_t, Span>> exceptions, near_first, near_then;  // (rule, span)
  std::vector<std::uint32_t> negation_ends;
  std::vector<Span> spans;                    // of one detector
  std::vector<std::uint8_t> present;          // per marker group
  std::vector<std::uint8_t> sentence_groups;  // per sentence × marker group: a marker of it is there
  std::vector<Placed> placed;
  std::vector<std::size_t> positions;      // original code points where findings start or end
  std::vector<TextOffsets> position_offsets;

  // A huge draft should not keep its buffers alive in every thread that checked one.
  static constexpr std::size_t kKeepCodePoints = 1 << 16;
  bool oversized() const { return doc.norm.text.capacity() > kKeepCodePoints; }
};

Workspace& workspace() {
  thread_local Workspace w;
  if (w.oversized()) w = Workspace{};
  return w;
}

}  // namespace

ToneChecker::ToneChecker(const std::vector<SourceFile>& packs, const std::vector<SourceFile>& overrides,
                         const ChineseConverters& chinese)
    : impl_(std::make_unique<Impl>(chinese)) {
  std::vector<Diagnostic> diags;
  RuleSet set;
  load_rule_files(packs, false, set, diags);
  load_rule_files(overrides, true, set, diags);
  validate_rule_set(set, diags);
  if (!diags.empty()) {
    std::string msg = "tone rules have " + std::to_string(diags.size()) + " problem(s):";
    for (const auto& d : diags) msg += "\n  " + d.to_string();
    throw Error(ErrorCode::parse, msg);
  }
  chinese.to_simplified().convert_chars(U"\u4e00");  // builds OpenCC's character table now, not on first check
  for (const auto& [locale, pack] : set.packs) impl_->packs[locale] = compile_pack(pack, chinese);
}

ToneChecker::~ToneChecker() = default;

ToneReport ToneChecker::check(std::string_view draft, const ToneContext& ctx, std::size_t max_bytes) const {
  if (draft.size() > max_bytes) check_text(draft, max_bytes, false, "draft");  // too large: not read
  Workspace& w = workspace();
  Document& doc = w.doc;
  prepare_document(draft, ctx.channel, impl_->chinese, doc);  // finds the first bad byte on the way
  check_text(draft, max_bytes, false, "draft", doc.origins.first_invalid);
  ToneReport report;
  report.locale = ctx.locale ? *ctx.locale : guess_locale(draft);
  if (ctx.customer) report.customer_upset = upset(*ctx.customer);
  auto it = impl_->packs.find(data_locale(report.locale));
  if (it == impl_->packs.end()) return report;  // no rules for this locale
  const CompiledPack& pack = *it->second;
  const auto& rules = pack.pack.rules;
  const auto& text = doc.norm.text;

  // One pass of the matcher: rule matches, exceptions, marker groups, negations.
  auto& candidates = w.candidates;
  auto& exceptions = w.exceptions;
  auto& negation_ends = w.negation_ends;
  auto& near_first = w.near_first;
  auto& near_then = w.near_then;
  candidates.clear();
  exceptions.clear();
  negation_ends.clear();
  near_first.clear();
  near_then.clear();
  const std::size_t groups = pack.marker_names.size();
  w.present.assign(groups, 0);
  w.sentence_groups.assign(doc.sentences.size() * groups, 0);
  pack.matcher->scan(doc.utf8, w.matches);
  for (const auto& m : w.matches) {
    Span s{doc.cp_of_byte[m.from], doc.cp_of_byte[m.to]};
    if (s.end <= s.start) continue;
    bool masked = false;
    for (auto i = s.start; doc.any_masked && i < s.end && !masked; ++i) masked = doc.masked[i];
    if (masked) continue;
    for (auto k = pack.first_info[m.id]; k < pack.first_info[m.id + 1]; ++k) {
      const auto& info = pack.infos[k];
      switch (info.kind) {
        case CompiledPack::PatternKind::rule:
          candidates.push_back({info.index, info.phrase, rules[info.index].kind == Kind::phrases, s});
          break;
        case CompiledPack::PatternKind::except:
          exceptions.push_back({info.index, s});
          break;
        case CompiledPack::PatternKind::marker:
          w.present[info.index] = 1;
          w.sentence_groups[doc.sentence_of(s.start) * groups + info.index] = 1;
          break;
        case CompiledPack::PatternKind::negation:
          negation_ends.push_back(s.end);
          break;
        case CompiledPack::PatternKind::near_first:
          near_first.push_back({info.index, s});
          break;
        case CompiledPack::PatternKind::near_then:
          near_then.push_back({info.index, s});
          break;
      }
    }
  }
  // "near" rules: a first phrase, then within N code points in the same sentence a second one.
  // First phrases grouped by rule (in the order found), so that a long text pairs only those.
  std::stable_sort(near_first.begin(), near_first.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [rule, then] : near_then) {
    const Rule& r = rules[rule];
    const auto within = static_cast<std::uint32_t>(r.near_within);
    bool found = false;
    Span best{0, 0};
    auto from = std::lower_bound(near_first.begin(), near_first.end(), rule,
                                 [](const auto& f, std::uint32_t v) { return f.first < v; });
    for (auto it = from; it != near_first.end() && it->first == rule; ++it) {
      const Span& first = it->second;
      const bool before = first.end <= then.start && then.start - first.end <= within;
      const bool after = !r.near_ordered && then.end <= first.start && first.start - then.end <= within;
      if ((!before && !after) || doc.sentence_of(first.start) != doc.sentence_of(then.start)) continue;
      if (before) {
        if (!found || first.start > best.start) best = {first.start, then.end};
      } else {
        best = {then.start, first.end};
      }
      found = true;
    }
    if (found) candidates.push_back({rule, 0, false, best});
  }
  for (const auto& [r, detector] : pack.detectors) {
    w.spans.clear();
    run_detector(detector, rules[r], pack, doc, w.spans);
    for (const Span& s : w.spans) candidates.push_back({r, 0, false, s});
  }

  // Exceptions grouped by rule; negation ends are in text order already (matches come by end).
  std::stable_sort(exceptions.begin(), exceptions.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  auto keep = [&](const Candidate& c) {
    const Rule& r = rules[c.rule];
    for (auto it = std::lower_bound(exceptions.begin(), exceptions.end(), c.rule,
                                    [](const auto& e, std::uint32_t v) { return e.first < v; });
         it != exceptions.end() && it->first == c.rule; ++it)
      if (it->second.start <= c.span.start && it->second.end >= c.span.end) return false;
    std::uint32_t sentence = doc.sentence_of(c.span.start);
    if (r.start) {
      for (auto i = doc.sentences[sentence].first; i < c.span.start; ++i)
        if (doc.alnum(i)) return false;
    }
    if (r.question && !is_question_sentence(doc, sentence)) return false;
    for (auto g : pack.unless_groups[c.rule])
      if (w.sentence_groups[sentence * groups + g]) return false;
    if (r.negatable) {
      const auto window = static_cast<std::uint32_t>(pack.pack.negation_window);
      const std::uint32_t lowest = c.span.start > window ? c.span.start - window : 0;
      for (auto it = std::lower_bound(negation_ends.begin(), negation_ends.end(), lowest);
           it != negation_ends.end() && *it <= c.span.start; ++it)
        if (*it == 0 || doc.sentence_of(*it - 1) == sentence) return false;
    }
    return true;
  };

  // Per rule, overlapping matches collapse to the first, longest one.
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.rule != b.rule) return a.rule < b.rule;
    if (a.span.start != b.span.start) return a.span.start < b.span.start;
    return a.span.end > b.span.end;
  });
  auto& kept = w.kept;
  kept.clear();
  for (const auto& c : candidates) {
    if (!keep(c)) continue;
    if (!kept.empty() && kept.back().rule == c.rule && c.span.start < kept.back().span.end) {
      kept.back().span.end = std::max(kept.back().span.end, c.span.end);  // overlapping matches: their union
      continue;
    }
    kept.push_back(c);
  }

  // Rules about what is missing: span = the first sentence.
  bool asks = pack.request_group >= 0 && w.present[static_cast<std::size_t>(pack.request_group)];
  for (std::uint32_t i = 0; i < doc.sentences.size() && !asks; ++i) asks = is_question_sentence(doc, i);
  for (std::uint32_t r = 0; r < rules.size(); ++r) {
    const Rule& rule = rules[r];
    if (!rule.enabled || rule.kind != Kind::absent) continue;
    if (rule.when.customer_upset && !(report.customer_upset && *report.customer_upset)) continue;
    if (rule.when.asks && !asks) continue;
    if (doc.content < static_cast<std::size_t>(std::max(rule.when.min_chars, 0))) continue;
    bool any = false;
    for (auto g : pack.absent_groups[r]) any |= w.present[g] != 0;
    if (any || doc.sentences.empty()) continue;
    Span s{doc.sentences[0].first, doc.sentences[0].second};
    for (const auto& sent : doc.sentences) {  // the first sentence with content
      s = {sent.first, sent.second};
      bool has = false;
      for (auto i = s.start; i < s.end && !has; ++i) has = doc.alnum(i) && !doc.masked[i];
      if (has) break;
    }
    while (s.start < s.end && !doc.alnum(s.start)) ++s.start;
    while (s.end > s.start && (text[s.end - 1] == ' ' || text[s.end - 1] == '\n')) --s.end;
    if (s.end > s.start) kept.push_back({r, 0, false, s});
  }
  // Findings, with spans in the original draft, ordered by start, longest first, then rule id.
  pack.localize_for(report.locale);
  const bool upset_customer = report.customer_upset && *report.customer_upset;
  auto& placed = w.placed;
  placed.clear();
  for (std::uint32_t k = 0; k < kept.size(); ++k) {
    const Candidate& c = kept[k];
    const Rule& rule = rules[c.rule];
    if (rule.when.customer_upset && rule.kind != Kind::absent && !upset_customer) continue;
    placed.push_back({doc.norm.origin[c.span.start], doc.norm.origin[c.span.end - 1] + 1, k});
  }
  std::sort(placed.begin(), placed.end(), [&](const Placed& a, const Placed& b) {
    if (a.start != b.start) return a.start < b.start;
    if (a.end != b.end) return a.end > b.end;
    return rules[kept[a.kept].rule].id < rules[kept[b.kept].rule].id;
  });
  // Byte and UTF-16 offsets of the findings' ends: from where their code points came from, or (with
  // code points above U+FFFF, which take two UTF-16 units) in one walk over the draft.
  auto& positions = w.positions;
  positions.clear();
  const bool walk = doc.origins.astral > 0;
  if (walk) {
    for (const Placed& p : placed) positions.insert(positions.end(), {p.start, p.end});
    std::sort(positions.begin(), positions.end());
    positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
    offsets_of(draft, positions, w.position_offsets);
  }
  // Without the walk: the normalised code point that starts original code point `cp`, looked for
  // from `near` (one that came from it, or the first after it).
  const auto& origin = doc.norm.origin;
  auto offset = [&](std::size_t cp, std::size_t near) {
    if (walk)
      return w.position_offsets[static_cast<std::size_t>(std::lower_bound(positions.begin(), positions.end(), cp) -
                                                         positions.begin())];
    std::size_t k = near;
    while (k < origin.size() && origin[k] < cp) ++k;
    while (k > 0 && origin[k - 1] >= cp) --k;
    return doc.origins.at(k, cp);
  };
  report.findings.reserve(placed.size());
  for (const Placed& p : placed) {
    const Candidate& c = kept[p.kept];
    const Rule& rule = rules[c.rule];
    Finding& f = report.findings.emplace_back();
    f.category = rule.category;
    f.severity = rule.severity;
    f.start = p.start;
    f.end = p.end;
    const TextOffsets from = offset(f.start, c.span.start), to = offset(f.end, c.span.end);
    f.start_byte = from.byte;
    f.end_byte = to.byte;
    f.start_utf16 = from.utf16;
    f.end_utf16 = to.utf16;
    f.text = std::string(draft.substr(f.start_byte, f.end_byte - f.start_byte));
    f.texts = pack.texts(c.rule, c.phrase, c.from_phrase, report.locale);
  }
  report.score = tone_score(report.findings);
  return report;
}

std::vector<ToneChecker::RuleInfo> ToneChecker::rules() const {
  std::vector<RuleInfo> out;
  for (const auto& [locale, pack] : impl_->packs)
    for (const auto& r : pack->pack.rules)
      out.push_back({r.id, locale, r.category, r.severity, r.enabled, r.file, r.line, r.examples.size()});
  return out;
}

}  // namespace kefu
