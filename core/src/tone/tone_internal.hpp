// Internal: the data model of tone rule packs, shared by the loader, the compiler, the detectors and
// the checker (core/src/tone/*.cpp).
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kefu/pattern_set.hpp"
#include "kefu/text.hpp"
#include "kefu/tone.hpp"

namespace kefu::tone {

/// How a rule finds its spans.
enum class Kind { phrases, regex, absent, detector, near };

/// Special detectors, for the rules of Kind::detector (core/src/tone/detectors.cpp).
enum class Detector : std::uint8_t { bank_card, cn_id_card, caps, repeated_punct, long_sentence, question_run };

struct Example {
  std::string text;
  std::string customer;  ///< the customer's message, for context rules
  bool fire = true;
  int line = 0;
};

struct Phrase {
  std::string text;
  std::vector<std::string> suggestions;  ///< phrase-specific replacements (else the rule's)
};

/// Conditions of a rule (all that are set must hold).
struct When {
  bool customer_upset = false;  ///< only when the customer is angry, negative or complaining
  bool asks = false;            ///< only when the draft asks something (a question or a request marker)
  int min_chars = 0;            ///< only for drafts of at least this many letters/ideographs
};

struct Rule {
  std::string id;
  Locale locale = Locale::zh_CN;  ///< data locale: zh_CN or en
  ToneCategory category = ToneCategory::politeness;
  Severity severity = Severity::warning;
  bool enabled = true;
  std::string message;
  std::vector<std::string> suggestions;
  Kind kind = Kind::phrases;
  std::vector<Phrase> phrases;          ///< Kind::phrases
  std::vector<std::string> regexes;     ///< Kind::regex
  std::vector<std::string> absent;      ///< Kind::absent: marker groups, fires when none is present
  std::vector<std::string> near_first;  ///< Kind::near: a phrase of `near_first`, then within `near_within`
  std::vector<std::string> near_then;   ///< code points in the same sentence a phrase of `near_then`
  int near_within = 20;
  bool near_ordered = true;             ///< false: the `then` phrase may also come first
  std::string detector;                 ///< Kind::detector
  double min = 0, max = 0;              ///< detector parameters
  std::vector<std::string> except;      ///< longer phrases that, covering a match, make it fine
  bool negatable = false;               ///< a negation or warning just before cancels the match
  bool start = false;                   ///< only at the start of a sentence
  bool question = false;                ///< only in a sentence that is a question
  std::vector<std::string> unless;      ///< marker groups: a marker of one in the same sentence makes it fine
  When when;
  std::vector<Example> examples;
  std::string file;
  int line = 0;
};

/// Everything of one data locale after all files are layered.
struct LocalePack {
  Locale locale = Locale::zh_CN;
  std::vector<Rule> rules;
  std::map<std::string, std::vector<std::string>> markers;
  std::vector<std::string> negations;
  int negation_window = 10;             ///< code points between a negation and what it negates
  std::vector<std::string> caps_allow;  ///< ALL-CAPS words that are fine (product codes, acronyms)
};

struct RuleSet {
  std::map<Locale, LocalePack> packs;  ///< keyed by data locale
};

/// Parses `files` into `set`. With `layer` set, files may override rules already in `set`
/// (a shop's files over the bundled ones); ids must be new otherwise. Problems go to `diags`.
void load_rule_files(const std::vector<SourceFile>& files, bool layer, RuleSet& set, std::vector<Diagnostic>& diags);

/// Checks a loaded set: marker groups exist, detectors are known, every rule has examples.
void validate_rule_set(const RuleSet& set, std::vector<Diagnostic>& diags);

/// Text in every locale served from one data locale (zh-CN text converted for zh-TW and zh-HK).
struct Localized {
  std::array<std::string, 4> by_locale;
  const std::string& get(Locale l) const { return by_locale[static_cast<std::size_t>(l)]; }
};
struct LocalizedList {
  std::array<std::vector<std::string>, 4> by_locale;
  const std::vector<std::string>& get(Locale l) const { return by_locale[static_cast<std::size_t>(l)]; }
};

/// One locale's rules compiled into one PatternSet.
struct CompiledPack {
  enum class PatternKind : std::uint8_t { rule, except, marker, negation, near_first, near_then };
  struct PatternInfo {
    PatternKind kind;
    std::uint32_t index;   ///< rule index, or marker group index
    std::uint32_t phrase;  ///< phrase index within the rule (phrases rules)
  };
  LocalePack pack;
  std::unique_ptr<PatternSet> matcher;
  /// What each pattern stands for. A phrase listed in several places (您 is courtesy, softener and
  /// request) is one pattern, matched once: pattern id k stands for infos[first_info[k]..first_info[k+1]).
  std::vector<PatternInfo> infos;
  std::vector<std::uint32_t> first_info;    ///< by pattern id, plus one entry for the end
  std::vector<std::string> marker_names;    ///< marker group index → name
  std::vector<std::vector<std::u32string>> marker_phrases;  ///< marker group index → phrases, folded (no OpenCC)
  std::vector<std::vector<std::uint32_t>> absent_groups;  ///< per rule: marker group indexes
  std::vector<std::vector<std::uint32_t>> unless_groups;  ///< per rule: marker group indexes
  // Messages and suggestions per locale. The zh-TW and zh-HK forms of a zh-CN pack are made with
  // OpenCC on the first draft checked in that locale (localize_for), not at start-up.
  mutable std::vector<Localized> messages;          ///< per rule
  mutable std::vector<LocalizedList> suggestions;   ///< per rule
  mutable std::vector<std::vector<LocalizedList>> phrase_suggestions;  ///< per rule, per phrase
  /// What findings point to, per locale: the rule id, message and suggestions of each rule, and of
  /// each phrase (the rule's own when the phrase has no suggestions of its own). Made from the above.
  mutable std::array<std::vector<std::shared_ptr<const FindingTexts>>, 4> rule_texts;  ///< per rule
  mutable std::array<std::vector<std::vector<std::shared_ptr<const FindingTexts>>>, 4> phrase_texts;
  /// Remakes rule_texts and phrase_texts of one locale from messages and suggestions.
  void make_texts(Locale locale) const;
  /// The texts of a finding of `rule` (from `phrase` when `from_phrase`) in `locale` (ready: localize_for).
  const std::shared_ptr<const FindingTexts>& texts(std::uint32_t rule, std::uint32_t phrase, bool from_phrase,
                                                   Locale locale) const {
    const auto slot = static_cast<std::size_t>(locale);
    return from_phrase ? phrase_texts[slot][rule][phrase] : rule_texts[slot][rule];
  }
  const ChineseConverters* chinese = nullptr;
  mutable std::once_flag localized_tw, localized_hk;
  /// Makes the texts of `locale` ready; thread-safe, cheap after the first call.
  void localize_for(Locale locale) const;
  std::vector<std::u32string> caps_allow;   ///< lowercase
  int request_group = -1;                   ///< marker group "request" (for when.asks), or -1
  std::vector<std::pair<std::uint32_t, Detector>> detectors;  ///< enabled detector rules: (rule index, detector)
};

/// Compiles a pack. Throws Error(parse) naming file:line of a rule whose expression does not compile.
std::unique_ptr<CompiledPack> compile_pack(const LocalePack& pack, const ChineseConverters& chinese);

// What one pass over the normalised text needs to know of a code point.
constexpr std::uint8_t kAlnum = 1;    ///< is_alnum(): content
constexpr std::uint8_t kWord = 2;     ///< ASCII letter or digit
constexpr std::uint8_t kSpecial = 4;  ///< a digit, or may end a sentence: worth a closer look
constexpr std::array<std::uint8_t, 128> ascii_classes() {
  std::array<std::uint8_t, 128> of{};
  for (int c = 0; c < 128; ++c) {
    const bool digit = c >= '0' && c <= '9', letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    of[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(
        (digit || letter ? kAlnum | kWord : 0) |
        (digit || c == '!' || c == '?' || c == ';' || c == '\n' || c == '.' ? kSpecial : 0));
  }
  return of;
}
inline constexpr std::array<std::uint8_t, 128> kAsciiClasses = ascii_classes();
inline std::uint8_t char_class(char32_t c) {
  if (c < 0x80) return kAsciiClasses[c];
  if (c >= 0x4E00 && c <= 0x9FD5) return kAlnum;  // common ideographs (as is_alnum)
  if (c == U'。' || c == U'｡') return kSpecial;
  return is_alnum(c) ? kAlnum : 0;
}

/// A span in normalised code points.
struct Span {
  std::uint32_t start, end;
};

/// A draft prepared for matching: normalised text, its UTF-8 with a byte → code point map, masked
/// regions and sentences, and what the detectors look for, gathered in the same pass. A checker
/// reuses one per thread, so its storage outlives a check (prepare_document() overwrites every field).
struct Document {
  std::string_view original;
  NormalizedText norm;
  Origins origins;                        ///< bad bytes, and where each normalised code point comes from
  std::string utf8;                       ///< UTF-8 of norm.text
  std::vector<std::uint32_t> cp_of_byte;  ///< size utf8.size() + 1
  std::vector<std::uint8_t> masked;       ///< per normalised code point: URL, markup... not checked
  bool any_masked = false;                ///< some code point is masked
  std::size_t content = 0;  ///< code points that are content: letters, digits, ideographs, not masked
  std::size_t digits = 0;   ///< ASCII digits (detectors of long numbers skip drafts with too few)
  std::size_t bangs = 0;    ///< '!' and '?'
  std::vector<std::pair<std::uint32_t, std::uint32_t>> sentences;  ///< [start, end) in norm.text, covering it
  std::vector<std::uint32_t> sentence_units;  ///< per sentence: reading units (ideographs, ASCII words), unmasked
  std::vector<std::uint32_t> number_starts;   ///< where runs of ASCII digits start that follow no letter or digit
  std::vector<Span> bang_runs;                ///< runs of '!' and '?'

  /// The sentence that normalised code point `k` is in. Asked mostly in text order: the sentence
  /// last found, or the next, is tried before a binary search.
  std::uint32_t sentence_of(std::uint32_t k) const {
    for (std::uint32_t s = last_sentence; s < last_sentence + 2 && s < sentences.size(); ++s)
      if (sentences[s].first <= k && k < sentences[s].second) return last_sentence = s;
    auto it = std::upper_bound(sentences.begin(), sentences.end(), k,
                               [](std::uint32_t v, const std::pair<std::uint32_t, std::uint32_t>& s) { return v < s.second; });
    return last_sentence = static_cast<std::uint32_t>(it - sentences.begin());
  }
  /// Normalised code point `k` is content: a letter, digit or ideograph (is_alnum()).
  bool alnum(std::uint32_t k) const { return char_class(norm.text[k]) & kAlnum; }
  mutable std::uint32_t last_sentence = 0;  ///< sentence_of()'s hint (one Document serves one thread)
};
void prepare_document(std::string_view draft, Channel channel, const ChineseConverters& chinese, Document& into);

/// The detector called `name`, if there is one.
std::optional<Detector> find_detector(std::string_view name);
inline bool is_known_detector(std::string_view name) { return find_detector(name).has_value(); }
/// Appends the spans (normalised code points) that `detector`, with the parameters of `rule`, finds.
void run_detector(Detector detector, const Rule& rule, const CompiledPack& pack, const Document& doc,
                  std::vector<Span>& out);


}  // namespace kefu::tone
