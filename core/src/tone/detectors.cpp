// Tone: the special detectors that phrases cannot express — Luhn-valid bank-card numbers, Chinese
// ID-card numbers with their checksum, ALL-CAPS shouting (product codes excepted), !!! / ？？？,
// run-on sentences and strings of direct questions.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "tone_internal.hpp"

namespace kefu::tone {
namespace {

// Names, in the order of enum Detector.
constexpr std::array<std::string_view, 6> kDetectors = {"bank_card", "cn_id_card", "caps",
                                                        "repeated_punct", "long_sentence", "question_run"};

bool digit(char32_t c) { return c >= '0' && c <= '9'; }
bool ascii_alnum(char32_t c) { return digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool space(char32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x3000 || c == 0xA0; }

bool any_masked(const Document& d, std::size_t a, std::size_t b) {
  if (!d.any_masked) return false;
  for (std::size_t i = a; i < b; ++i)
    if (d.masked[i]) return true;
  return false;
}

// True if a phrase of marker group `group` ends within `window` code points before `pos`.
bool context_before(const Document& d, const CompiledPack& pack, std::string_view group, std::size_t pos,
                    std::size_t window) {
  auto it = std::find(pack.marker_names.begin(), pack.marker_names.end(), group);
  if (it == pack.marker_names.end()) return false;
  std::size_t from = pos > window ? pos - window : 0;
  std::u32string_view before(d.norm.text.data() + from, pos - from);
  for (const auto& p : pack.marker_phrases[static_cast<std::size_t>(it - pack.marker_names.begin())]) {
    if (p.empty()) continue;
    // ASCII phrases match whole words only ("ref", not the "ref" of "refunded").
    for (auto at = before.find(p); at != std::u32string_view::npos; at = before.find(p, at + 1)) {
      std::size_t abs = from + at, end = abs + p.size();
      bool left = abs == 0 || !ascii_alnum(p.front()) || !ascii_alnum(d.norm.text[abs - 1]);
      bool right = end >= d.norm.text.size() || !ascii_alnum(p.back()) || !ascii_alnum(d.norm.text[end]);
      if (left && right) return true;
    }
  }
  return false;
}

// The byte where the first two capitals in a row at or after `from` start, or npos. Eight bytes at
// a time (SWAR): a high bit marks each byte 'A'..'Z'; a mark next to a mark is a pair. Words overlap
// by one byte so that no pair is missed at a boundary.
std::size_t capital_pair(std::string_view o, std::size_t from) {
  constexpr std::uint64_t kHigh = 0x8080808080808080ull, kOnes = 0x0101010101010101ull;
  std::size_t i = from;
  for (; i + 8 <= o.size(); i += 7) {
    std::uint64_t w;
    std::memcpy(&w, o.data() + i, 8);
    const std::uint64_t low = w & ~kHigh;
    const std::uint64_t caps = (low + (0x80 - 'A') * kOnes) & ~(low + (0x80 - 'Z' - 1) * kOnes) & ~w & kHigh;
    if (const std::uint64_t pairs = caps & (caps << 8))  // little-endian: byte k is bits 8k..8k+7
      return i + static_cast<std::size_t>(__builtin_ctzll(pairs)) / 8 - 1;
  }
  auto upper = [](char c) { return static_cast<unsigned char>(c - 'A') < 26; };
  for (std::size_t k = std::max(i, from + 1); k < o.size(); ++k)
    if (upper(o[k]) && upper(o[k - 1])) return k - 1;
  return std::string_view::npos;
}

bool luhn(const std::string& digits) {
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int v = *it - '0';
    if (twice) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
    sum += v;
    twice = !twice;
  }
  return sum % 10 == 0;
}

// Issuer prefixes of the card networks a Chinese or international shop meets.
bool card_prefix(const std::string& d) {
  auto pre = [&](int n) { return std::stoi(d.substr(0, static_cast<std::size_t>(n))); };
  if (d[0] == '4') return true;                                   // Visa
  int two = pre(2), four = pre(4);
  if (two >= 51 && two <= 55) return true;                        // Mastercard
  if (four >= 2221 && four <= 2720) return true;                  // Mastercard 2-series
  if (two == 62 || two == 81) return true;                        // UnionPay
  if (two == 34 || two == 37 || two == 35 || two == 36) return true;  // Amex, JCB, Diners
  if (four == 6011 || two == 65) return true;                     // Discover
  return false;
}

void bank_cards(const CompiledPack& pack, const Document& d, std::vector<Span>& out) {
  if (d.digits < 13) return;  // no card number is shorter
  const auto& t = d.norm.text;
  std::string digits;
  std::size_t done = 0;  // where the last number ended
  for (const std::uint32_t i : d.number_starts) {
    if (i < done) continue;  // a group of the number before ("6222 0212 ...")
    // Digits, optionally grouped by single spaces or hyphens ("6222 0212 3456 7890 123").
    digits.clear();
    std::size_t j = i, end = i;
    while (j < t.size()) {
      if (digit(t[j])) {
        digits.push_back(static_cast<char>(t[j]));
        end = ++j;
      } else if ((t[j] == ' ' || t[j] == '-') && j + 1 < t.size() && digit(t[j + 1])) {
        ++j;
      } else {
        break;
      }
    }
    done = end;
    bool bounded = end >= t.size() || !ascii_alnum(t[end]);
    if (bounded && digits.size() >= 13 && digits.size() <= 19 && card_prefix(digits) && luhn(digits) &&
        !any_masked(d, i, end) && !context_before(d, pack, "number_context", i, 20))
      out.push_back({i, static_cast<std::uint32_t>(end)});
  }
}

bool id_checksum(const std::u32string_view s) {
  static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static const char check[] = "10x98765432";
  int sum = 0;
  for (int k = 0; k < 17; ++k) sum += static_cast<int>(s[static_cast<std::size_t>(k)] - '0') * w[k];
  return static_cast<char32_t>(check[sum % 11]) == s[17];
}

void cn_id_cards(const Document& d, std::vector<Span>& out) {
  if (d.digits < 17) return;  // an ID number has 17 digits and a check character
  const auto& t = d.norm.text;
  for (const std::size_t i : d.number_starts) {
    if (i + 18 > t.size()) break;
    std::size_t n = 0;
    while (n < 17 && digit(t[i + n])) ++n;
    if (n < 17) continue;
    char32_t last = t[i + 17];
    bool bounded = i + 18 >= t.size() || !ascii_alnum(t[i + 18]);
    std::u32string_view s(t.data() + i, 18);
    if ((digit(last) || last == 'x') && bounded && s[0] >= '1' && s[0] <= '8') {
      auto num = [&](std::size_t a, std::size_t len) {
        int v = 0;
        for (std::size_t k = 0; k < len; ++k) v = v * 10 + static_cast<int>(s[a + k] - '0');
        return v;
      };
      int year = num(6, 4), month = num(10, 2), day = num(12, 2);
      if (year >= 1900 && year <= 2099 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && id_checksum(s) &&
          !any_masked(d, i, i + 18))
        out.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i + 18)});
    }
  }
}

// ALL-CAPS words, read from the original text (normalised text is case-folded). Words with digits
// (XL2, USB3), words in `caps_allow` (USB, XL, LED...) and single letters are fine. A run of two or
// more capital words, or one of at least `min` letters (default 4), is shouting.
void caps(const Rule& rule, const CompiledPack& pack, const Document& d, std::vector<Span>& out) {
  const std::string_view o = d.original;
  if (d.origins.capitals < 2) return;  // no two capitals at all
  std::size_t pair = capital_pair(o, 0);
  if (pair == std::string_view::npos) return;  // fast exit
  // Words are runs of ASCII letters and digits in the original bytes (every other code point is
  // neither). A shouting word is all capitals, so it has two in a row: only words around such a pair
  // are looked at. Shouting words are kept with their original code points [a, b), and whether they
  // join the shouting word before them (the word just before, separated by spaces, commas or apostrophes).
  auto ch = [&](std::size_t byte) { return static_cast<unsigned char>(o[byte]); };
  auto allowed = [&](std::size_t from, std::size_t to) {  // caps_allow holds lower-case words
    for (const auto& word : pack.caps_allow) {
      bool same = word.size() == to - from;
      for (std::size_t k = 0; same && k < word.size(); ++k) same = word[k] == static_cast<char32_t>(ch(from + k) + 32);
      if (same) return true;
    }
    return false;
  };
  const std::size_t min_letters = rule.min > 0 ? static_cast<std::size_t>(rule.min) : 4;
  struct Shout {
    std::size_t a, b;
    bool joins;
  };
  std::vector<Shout> shouts;
  std::size_t done = 0, cp = 0;               // bytes looked at, and the code points in them
  std::size_t last_shout = std::string_view::npos;  // byte after the last shouting word
  for (; pair != std::string_view::npos; pair = capital_pair(o, done)) {
    std::size_t i = pair, j = pair;
    while (i > done && ascii_alnum(ch(i - 1))) --i;
    while (j < o.size() && ascii_alnum(ch(j))) ++j;
    bool has_digit = false, has_lower = false;
    for (std::size_t k = i; k < j; ++k) {
      has_digit |= digit(ch(k));
      has_lower |= ch(k) >= 'a' && ch(k) <= 'z';
    }
    cp += count_code_points(o.substr(done, i - done));
    if (!has_digit && !has_lower && !allowed(i, j)) {
      bool close = last_shout != std::string_view::npos;
      for (std::size_t k = last_shout; close && k < i; ++k) close = o[k] == ' ' || o[k] == ',' || o[k] == '\'';
      shouts.push_back({cp, cp + (j - i), close});
      last_shout = j;
    }
    cp += j - i;
    done = j;
  }
  // Original code point → the first normalised code point made from it (each makes at least one).
  auto norm_of = [&](std::size_t cp) {
    return static_cast<std::uint32_t>(std::lower_bound(d.norm.origin.begin(), d.norm.origin.end(), cp) -
                                      d.norm.origin.begin());
  };
  for (std::size_t w = 0; w < shouts.size();) {
    std::size_t v = w;
    while (v + 1 < shouts.size() && shouts[v + 1].joins) ++v;
    std::size_t a = norm_of(shouts[w].a), b = norm_of(shouts[v].b);
    if ((v > w || shouts[w].b - shouts[w].a >= min_letters) && !any_masked(d, a, b))
      out.push_back({static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(b)});
    w = v + 1;
  }
}

void repeated_punct(const Rule& rule, const Document& d, std::vector<Span>& out) {
  const std::size_t min = rule.min > 0 ? static_cast<std::size_t>(rule.min) : 3;
  if (d.bangs < min) return;
  for (const Span& run : d.bang_runs) {
    const std::size_t n = run.end - run.start;
    bool within = n >= min && (rule.max <= 0 || n <= static_cast<std::size_t>(rule.max));
    if (within && !any_masked(d, run.start, run.end)) out.push_back(run);
  }
}

Span trimmed(const Document& d, std::pair<std::uint32_t, std::uint32_t> s) {
  while (s.first < s.second && space(d.norm.text[s.first])) ++s.first;
  while (s.second > s.first && space(d.norm.text[s.second - 1])) --s.second;
  return {s.first, s.second};
}

void long_sentences(const Rule& rule, const Document& d, std::vector<Span>& out) {
  const std::size_t max = rule.max > 0 ? static_cast<std::size_t>(rule.max) : 60;
  if (d.content <= max) return;  // a sentence has at most as many units as the draft has content
  for (std::size_t k = 0; k < d.sentences.size(); ++k) {
    if (d.sentence_units[k] <= max) continue;
    Span sp = trimmed(d, d.sentences[k]);
    if (sp.end > sp.start) out.push_back(sp);
  }
}

// The second, third... question in a row, each a finding: a string of bare questions reads as an
// interrogation.
void question_run(const Rule& rule, const Document& d, std::vector<Span>& out) {
  const std::size_t min = rule.min > 0 ? static_cast<std::size_t>(rule.min) : 2;
  std::size_t run = 0;
  for (const auto& s : d.sentences) {
    Span sp = trimmed(d, s);
    if (sp.end <= sp.start) continue;
    bool q = false;
    for (std::size_t i = sp.end; i-- > sp.start && (d.norm.text[i] == '?' || d.norm.text[i] == '!');)
      q |= d.norm.text[i] == '?';
    run = q ? run + 1 : 0;
    if (q && run >= min) out.push_back(sp);
  }
}

}  // namespace

std::optional<Detector> find_detector(std::string_view name) {
  auto it = std::find(kDetectors.begin(), kDetectors.end(), name);
  if (it == kDetectors.end()) return std::nullopt;
  return static_cast<Detector>(it - kDetectors.begin());
}

void run_detector(Detector detector, const Rule& rule, const CompiledPack& pack, const Document& doc,
                  std::vector<Span>& out) {
  switch (detector) {
    case Detector::bank_card: return bank_cards(pack, doc, out);
    case Detector::cn_id_card: return cn_id_cards(doc, out);
    case Detector::caps: return caps(rule, pack, doc, out);
    case Detector::repeated_punct: return repeated_punct(rule, doc, out);
    case Detector::long_sentence: return long_sentences(rule, doc, out);
    case Detector::question_run: return question_run(rule, doc, out);
  }
}

}  // namespace kefu::tone
