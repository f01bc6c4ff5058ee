// kefu/analysis.hpp — what a customer's message says: intent, emotion, purchase stage.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kefu/locale.hpp"
#include "kefu/vocabulary.hpp"

namespace kefu {

struct Scored {
  Intent intent;
  double score;  ///< probability-like, 0..1, the list sums to about 1
};

struct Analysis {
  Intent intent = Intent::other;
  double confidence = 0;              ///< score of `intent`
  std::vector<Scored> intents;        ///< every intent, best first
  Emotion emotion = Emotion::neutral;
  double emotion_score = 0;           ///< strength of the emotion cues, 0..1
  Stage stage = Stage::pre_sale;
  Locale locale = Locale::zh_CN;      ///< locale of the message (given, or guessed)
  std::vector<std::string> cues;      ///< the lexicon cues that fired, for explanations
  /// Topics the message touches (the `topics:` section of the lexicon, e.g. "delay", "lost_parcel").
  /// A topic is named like the template tags it calls for: the ranker prefers templates so tagged.
  std::vector<std::string> topics;
};

class ChineseConverters;
class TemplateLibrary;

/// Analyses a message with the lexicons in templates/analysis/ (format: templates/analysis/README.md)
/// plus a naive Bayes model trained at load time from the example messages of the template packs.
/// The text is folded once (NFKC, case, Traditional → Simplified); cues are weighed by clause (the
/// clause that asks counts most; focus markers such as "就问下" move the weight), negations turn
/// cues around, English cue words are repaired when misspelt by one letter. Thread-safe after
/// construction; both locales' models are built in parallel.
class Analyzer {
 public:
  struct Lexicon;  // defined in the implementation
  /// `lexicon_files`: (path, content) of the analysis YAML files, or of their compiled form (see
  /// compile_lexicons); `library` provides training examples. A bad file throws Error(parse) naming
  /// `path:line`.
  Analyzer(const std::vector<std::pair<std::string, std::string>>& lexicon_files,
           const TemplateLibrary& library, const ChineseConverters& chinese);
  ~Analyzer();
  /// The lexicon files, checked and compiled into one blob that the constructor accepts in their
  /// place without parsing YAML (the build compiles the bundled lexicons this way).
  static std::string compile_lexicons(const std::vector<std::pair<std::string, std::string>>& lexicon_files);
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  /// `text` must be valid UTF-8 (the engine checks). `locale` as given by the caller.
  Analysis analyze(std::string_view text, Locale locale) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kefu
