// Internal: how the "kefu" full-text tokenizer cuts folded text (fold_for_index) into runs, shared
// by the tokenizer (fts_tokenizer.cpp) and the search that builds its queries (search.cpp).
//
// Like Lucene's CJK analyzer: a run of Chinese (or Japanese, Korean) characters becomes its
// overlapping bigrams ("尺码偏小" → 尺码 码偏 偏小), a lone one its unigram; a run of letters and a
// run of digits each become one token (a word: "refund", "ticket", "31337"; "t12345" is "t" and
// "12345", so an order number is found by its digits). Everything else separates runs.
#pragma once
#include <cstddef>
#include <string_view>

#include "kefu/text.hpp"

namespace kefu::sql {

enum class RunKind { cjk, letters, digits };

/// One run of folded text: bytes [begin, end), `chars` code points.
struct FtsRun {
  RunKind kind;
  std::size_t begin, end, chars;
};

inline bool is_cjk(char32_t cp) noexcept {
  return is_han(cp) || (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x31F0 && cp <= 0x31FF) ||
         (cp >= 0xAC00 && cp <= 0xD7AF);
}

/// Calls fn(const FtsRun&) for each run of valid UTF-8 `s`, in order; stops early when fn returns
/// false. Returns false if it was stopped.
template <class Fn>
bool for_each_run(std::string_view s, Fn&& fn) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  bool open = false;
  FtsRun run{RunKind::cjk, 0, 0, 0};
  for (std::size_t i = 0; i < n;) {
    unsigned char c = p[i];
    char32_t cp;
    std::size_t len;
    if (c < 0x80) cp = c, len = 1;
    else if (c < 0xE0) cp = (c & 0x1Fu) << 6 | (p[i + 1] & 0x3Fu), len = 2;
    else if (c < 0xF0) cp = (c & 0x0Fu) << 12 | (p[i + 1] & 0x3Fu) << 6 | (p[i + 2] & 0x3Fu), len = 3;
    else cp = (c & 0x07u) << 18 | (p[i + 1] & 0x3Fu) << 12 | (p[i + 2] & 0x3Fu) << 6 | (p[i + 3] & 0x3Fu), len = 4;
    if (i + len > n) break;  // cut short: not valid UTF-8
    bool token = true;
    RunKind kind = RunKind::letters;
    if (c < 0x80) {
      if (c >= '0' && c <= '9') kind = RunKind::digits;
      else token = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    } else if (is_cjk(cp)) {
      kind = RunKind::cjk;
    } else {
      token = is_alnum(cp);
    }
    if (open && (!token || kind != run.kind)) {
      open = false;
      if (!fn(static_cast<const FtsRun&>(run))) return false;
    }
    if (token) {
      if (!open) run = FtsRun{kind, i, i, 0}, open = true;
      run.end = i + len;
      ++run.chars;
    }
    i += len;
  }
  if (open) return fn(static_cast<const FtsRun&>(run));
  return true;
}

/// Byte length of the UTF-8 sequence starting with byte c.
inline std::size_t utf8_seq_len(unsigned char c) noexcept { return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; }

/// Calls fn(begin, end) for each token of `run` of `s` (bigrams of a CJK run, else the run).
template <class Fn>
bool for_each_token(std::string_view s, const FtsRun& run, Fn&& fn) {
  if (run.kind != RunKind::cjk || run.chars < 2) return fn(run.begin, run.end);
  std::size_t a = run.begin, b = a + utf8_seq_len(static_cast<unsigned char>(s[a]));
  while (b < run.end) {
    std::size_t next = b + utf8_seq_len(static_cast<unsigned char>(s[b]));
    if (!fn(a, next)) return false;
    a = b, b = next;
  }
  return true;
}

}  // namespace kefu::sql
