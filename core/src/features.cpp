#include "features.hpp"

#include "kefu/text.hpp"

namespace kefu {
namespace {

constexpr Feature kFnvOffset = 1469598103934665603ull;
constexpr Feature kFnvPrime = 1099511628211ull;

Feature hash_bytes(std::string_view s, Feature h = kFnvOffset) {
  for (unsigned char c : s) h = (h ^ c) * kFnvPrime;
  return h;
}
Feature hash_cp(char32_t a, char32_t b = 0) {
  Feature h = kFnvOffset;
  h = (h ^ a) * kFnvPrime;
  h = (h ^ (b + 0x9e3779b9u)) * kFnvPrime;
  return h;
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string stem_word(std::string w) {
  if (w.size() <= 3) return w;
  if (ends_with(w, "'s")) w.resize(w.size() - 2);
  if (ends_with(w, "ies") && w.size() > 4) return w.substr(0, w.size() - 3) + "y";
  if (ends_with(w, "ing") && w.size() > 5) {
    w.resize(w.size() - 3);
    if (w.size() > 2 && w[w.size() - 1] == w[w.size() - 2] && w.back() != 's') w.pop_back();  // cancelling
    return w;
  }
  if (ends_with(w, "ed") && w.size() > 4) {
    w.resize(w.size() - 2);
    if (w.size() > 2 && w[w.size() - 1] == w[w.size() - 2] && w.back() != 's') w.pop_back();
    return w;
  }
  if (ends_with(w, "es") && (ends_with(w, "sses") || ends_with(w, "shes") || ends_with(w, "ches") || ends_with(w, "xes")))
    return w.substr(0, w.size() - 2);
  if (ends_with(w, "s") && !ends_with(w, "ss") && !ends_with(w, "us")) w.pop_back();
  return w;
}

void text_features(std::u32string_view t, std::vector<Feature>& out, std::vector<std::uint32_t>* at) {
  out.reserve(out.size() + t.size() * 2);
  Feature prev_word = 0;
  char32_t prev_han = 0;
  std::string word;
  std::uint32_t pos = 0;
  auto push = [&](Feature f) {
    out.push_back(f);
    if (at) at->push_back(pos);
  };
  auto flush_word = [&] {
    if (word.empty()) return;
    std::string s = stem_word(word);
    Feature w = hash_bytes(s, hash_bytes("w:"));
    push(w);
    if (prev_word) push((prev_word * 31) ^ w ^ 0x5bd1e995u);
    prev_word = w;
    word.clear();
  };
  for (; pos < t.size(); ++pos) {
    char32_t c = t[pos];
    if (is_han(c)) {
      flush_word();
      prev_word = 0;
      ++pos;  // a Han feature ends after its character
      push(hash_cp(c));
      if (prev_han) push(hash_cp(prev_han, c));
      --pos;
      prev_han = c;
    } else if (c < 0x80 && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '\'' && !word.empty()))) {
      prev_han = 0;
      word.push_back(static_cast<char>(c));
    } else if (c >= 0x80 && is_alnum(c)) {
      prev_han = 0;
      append_utf8(word, c);
    } else {
      flush_word();
      prev_han = 0;
      if (c != ' ') prev_word = 0;  // punctuation ends a phrase; a space does not
    }
  }
  flush_word();
}

std::vector<Feature> text_features(std::u32string_view t) {
  std::vector<Feature> out;
  text_features(t, out, nullptr);
  return out;
}

}  // namespace kefu
