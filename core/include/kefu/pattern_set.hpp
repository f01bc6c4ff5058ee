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
  std::size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kefu
