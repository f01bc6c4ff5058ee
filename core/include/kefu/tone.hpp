// kefu/tone.hpp — tone checks: an agent's draft against the customer-service standard, in context.
//
//   kefu::Engine engine;
//   kefu::ToneContext ctx;
//   ctx.locale = kefu::Locale::zh_CN;
//   ctx.customer_message = "质量太差了，我要投诉！";        // analysed by the engine: is the customer upset?
//   kefu::ToneReport r = engine.check_tone("不知道，你自己看吧", ctx);
//   // r.score == 49.1; r.findings: cold.dont_know [0,3) "不知道" → 我帮您查一下, politeness.ni …,
//   //                               apology.missing (the customer complains and the draft has no apology)
//
// Rules live in plain YAML rule packs, one per locale (templates/tone/zh-CN.yaml, en.yaml; format in
// templates/tone/README.md), embedded in the library. A shop layers its own files over them (add words,
// disable a rule, change a severity, add rules). Every rule carries examples that must fire and must not
// fire; lint_tone() checks the files (file:line) and runs those examples.
//
// Simplified and Traditional Chinese share the zh-CN rules: the draft is normalised (NFKC, case folding,
// full-width → ASCII, Traditional → Simplified through OpenCC) before matching, and every span is mapped
// back to the ORIGINAL draft, in code points, UTF-8 bytes and UTF-16 units.
#pragma once
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kefu/analysis.hpp"
#include "kefu/locale.hpp"
#include "kefu/template_library.hpp"
#include "kefu/vocabulary.hpp"

namespace kefu {

class ChineseConverters;

enum class Severity { info, warning, error };

/// The fixed categories of tone findings (names are stable: JSON, C ABI, rule packs).
enum class ToneCategory {
  cold,           ///< curt or indifferent: 不知道, 没办法, "whatever"
  impatience,     ///< 我已经说过了, "as I already said"
  blame,          ///< blaming the customer: 是你自己没看清楚, "you should have read"
  argue,          ///< contradicting the customer: 不可能, "that's wrong", rhetorical questions
  vague,          ///< hedging where a clear answer is due: 可能吧, "I guess"
  apology,        ///< the customer is upset and the draft does not apologise
  politeness,     ///< no polite marker where one is due, 你 for 您, bare imperatives, direct questions
  shouting,       ///< ALL-CAPS words, !!! / ？？？
  hostile,        ///< insults, sarcasm (呵呵), mockery, profanity
  compliance,     ///< Advertising-Law absolutes, cure claims, moving the deal off the platform, paid reviews
  privacy,        ///< ID-card or bank-card numbers, asking for passwords or verification codes
  long_sentence,  ///< a run-on sentence far past what a shopper reads on a phone
};
inline constexpr std::size_t kToneCategoryCount = 12;

std::string_view to_string(Severity v) noexcept;
std::string_view to_string(ToneCategory v) noexcept;
std::optional<Severity> parse_severity(std::string_view name) noexcept;
std::optional<ToneCategory> parse_tone_category(std::string_view name) noexcept;

/// What the draft answers. Everything is optional.
struct ToneContext {
  /// The customer's message. Engine::check_tone analyses it when `customer` is not set.
  std::string customer_message;
  /// The analysis of the customer's message (from Engine::analyze); decides context rules such as
  /// `apology` (fires only when the customer is upset: angry or negative, or complaining).
  std::optional<Analysis> customer;
  /// Locale of the draft; guessed from the draft when unset. zh-TW and zh-HK use the zh-CN rules.
  std::optional<Locale> locale;
  /// html: tags and entities are not checked; markdown: code spans and link targets are not checked.
  /// URLs and e-mail addresses are never checked.
  Channel channel = Channel::plain;
};

/// The texts a finding shares with every other finding of the same rule (and phrase) in the same
/// locale. A checker makes them once (zh-TW/zh-HK on the first draft in that locale) and its findings
/// point to them, so a finding costs no copies of them.
struct FindingTexts {
  std::string rule;                      ///< rule id, e.g. "cold.dont_know"
  std::string message;                   ///< why, in the draft's language (zh-TW/zh-HK converted)
  std::vector<std::string> suggestions;  ///< replacements for the span, best first (may be empty)
};

/// One problem in the draft. Spans are half-open [start, end) in the ORIGINAL draft.
struct Finding {
  ToneCategory category = ToneCategory::politeness;
  Severity severity = Severity::warning;
  std::size_t start = 0, end = 0;            ///< code points
  std::size_t start_byte = 0, end_byte = 0;  ///< UTF-8 bytes
  std::size_t start_utf16 = 0, end_utf16 = 0;  ///< UTF-16 code units (what browser hosts index by)
  std::string text;                       ///< the span's text, as written in the draft
  /// Rule id, message and suggestions, shared (read them through the accessors below). The finding
  /// owns its share: they stay valid after the checker or engine is gone. Null in a
  /// default-constructed Finding: the accessors then return empty values.
  std::shared_ptr<const FindingTexts> texts;

  const std::string& rule() const noexcept;                     ///< rule id, e.g. "cold.dont_know"
  const std::string& message() const noexcept;                  ///< why, in the draft's language
  const std::vector<std::string>& suggestions() const noexcept;  ///< replacements, best first (may be empty)
};

/// The result of a check.
struct ToneReport {
  /// 0..100, 100 = nothing found. score = 100 × 0.94^info × 0.85^warning × 0.60^error (one decimal):
  /// every finding lowers it, an error more than a warning, a warning more than an info.
  double score = 100;
  std::vector<Finding> findings;  ///< ordered by start, then rule id
  Locale locale = Locale::zh_CN;  ///< locale the draft was checked in
  /// Whether the customer was judged upset (nullopt: no customer message or analysis given).
  std::optional<bool> customer_upset;
};

/// The documented score of a set of findings (see ToneReport::score).
double tone_score(const std::vector<Finding>& findings) noexcept;

/// JSON form: {"score", "locale", "customer_upset", "counts": {category: n}, "findings": [{"rule",
/// "category", "severity", "start", "end", "start_byte", "end_byte", "start_utf16", "end_utf16", "text",
/// "message", "suggestions"}]}.
std::string tone_report_to_json(const ToneReport& report);

/// Analyses a customer message for context rules (Engine::analyze fits).
using ToneAnalyze = std::function<Analysis(std::string_view text, Locale locale)>;

/// Rule files: the bundled packs (templates/tone/*.yaml embedded in the library).
std::vector<SourceFile> bundled_tone_files();
/// A shop's rule files: `path` is one YAML file or a directory of them (recursively, sorted).
/// Throws Error(io) if it cannot be read.
std::vector<SourceFile> read_tone_path(const std::string& path);

/// Rules compiled once into one multi-pattern matcher per locale (Hyperscan, through PatternSet),
/// plus the special detectors (Luhn-valid bank cards, Chinese ID-card numbers, ALL-CAPS, !!!/？？？,
/// long sentences). Immutable and thread-safe after construction. A thread that checks keeps its
/// working buffers for the next check (they are dropped after a draft of over 64K code points).
class ToneChecker {
 public:
  /// Loads `packs` (bundled rules), then layers `overrides` (a shop's files) over them.
  /// Throws Error(parse) listing every problem as file:line: reason.
  ToneChecker(const std::vector<SourceFile>& packs, const std::vector<SourceFile>& overrides,
              const ChineseConverters& chinese);
  ~ToneChecker();
  ToneChecker(const ToneChecker&) = delete;
  ToneChecker& operator=(const ToneChecker&) = delete;

  /// Checks a draft. `ctx.customer` (not the raw message) drives context rules. Throws
  /// Error(invalid_utf8 | empty | too_large) for bad input (`max_bytes`: longest draft accepted).
  ToneReport check(std::string_view draft, const ToneContext& ctx, std::size_t max_bytes = 1 << 20) const;

  /// Runs every rule's examples ("fire" must produce a finding of that rule, "pass" must not);
  /// returns one Diagnostic (file:line of the example) per failure. Examples with a customer message
  /// need `analyze`; without it they are skipped.
  std::vector<Diagnostic> self_test(const ToneAnalyze& analyze = {}) const;

  struct RuleInfo {
    std::string id;
    Locale locale;
    ToneCategory category;
    Severity severity;
    bool enabled;
    std::string file;
    int line;
    std::size_t examples;
  };
  std::vector<RuleInfo> rules() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Lints rule files: YAML syntax, fields, categories, severities, duplicate ids, overrides of unknown
/// rules, expressions that do not compile, rules without examples, and examples that fail. `overrides`
/// are layered over `packs` as the engine does. Never throws for problems in the files.
std::vector<Diagnostic> lint_tone(const std::vector<SourceFile>& packs, const std::vector<SourceFile>& overrides,
                                  const ChineseConverters& chinese, const ToneAnalyze& analyze = {});

}  // namespace kefu
