// kefu/pattern_set.hpp — many patterns matched in one pass (Hyperscan), for lexicon cues and tone rules.
#pragma once
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kefu {

class PatternSet {
 public:
  struct Pattern {
    std::string expression;   ///< a literal phrase, or a regular expression when `regex` is set
    unsigned id = 0;          ///< reported with each match
    bool regex = false;
    bool caseless = true;
    bool whole_word = false;  ///< literal only: must not touch an ASCII letter or digit on either side
    bool word_start = false;  ///< literal only: must not follow an ASCII letter or digit ("pay" in "payment", not "repay")
  };
  struct Match {
    unsigned id;
    std::size_t from;  ///< byte offsets in the scanned text
    std::size_t to;
  };

  /// Compiles the patterns into one database. Throws Error(parse) naming the bad expression.
  explicit PatternSet(const std::vector<Pattern>& patterns);
  ~PatternSet();
  PatternSet(const PatternSet&) = delete;
  PatternSet& operator=(const PatternSet&) = delete;

  /// Every match of every pattern in `utf8`, ordered by end offset. Thread-safe.
  std::vector<Match> scan(std::string_view utf8) const;
  /// The same into `out`, which is cleared first (its storage is reused across scans).
  void scan(std::string_view utf8, std::vector<Match>& out) const;
  std::size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Databases compiled ahead of time. The build compiles the bundled lexicons' and tone rules'
/// patterns once (core/tools/patternc.cpp) and the engine registers them here; a PatternSet built
/// from exactly the same patterns (same Hyperscan version) then loads its database instead of
/// compiling it. Anything else — a shop's own rules — compiles as usual.
/// `blob` must outlive every PatternSet (it is embedded data); a blob of another format is ignored.
void add_precompiled_patterns(std::string_view blob);
/// For the build tool: keep a portable (generic x86-64) copy of every database compiled from now on.
void record_compiled_patterns(bool on);
/// The recorded databases, in the form add_precompiled_patterns() reads.
std::string recorded_patterns_blob();

}  // namespace kefu
