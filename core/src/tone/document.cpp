// Tone: preparing a draft for matching — normalised text (OpenCC to Simplified, folded), its UTF-8 with a
// byte → code point map, the regions not to check (URLs, markup), sentences.
#include <algorithm>

#include "kefu/chinese.hpp"
#include "tone_internal.hpp"

namespace kefu::tone {
namespace {

bool space(char32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x3000 || c == 0xA0; }

bool url_char(char32_t c) { return c > 0x20 && c < 0x7F && c != '"' && c != '<' && c != '>'; }

bool email_char(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '+' || c == '%';
}

bool starts_with(const std::u32string& t, std::size_t i, std::u32string_view p) {
  return t.size() - i >= p.size() && std::u32string_view(t).substr(i, p.size()) == p;
}

void mask(std::vector<std::uint8_t>& m, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to && i < m.size(); ++i) m[i] = 1;
}

void mask_urls_and_emails(const std::u32string& t, std::vector<std::uint8_t>& m) {
  for (std::size_t i = 0; i < t.size(); ++i) {
    if ((t[i] == 'h' && (starts_with(t, i, U"http://") || starts_with(t, i, U"https://"))) ||
        (t[i] == 'w' && starts_with(t, i, U"www.") && (i == 0 || !email_char(t[i - 1])))) {
      std::size_t j = i;
      while (j < t.size() && url_char(t[j])) ++j;
      while (j > i && (t[j - 1] == '.' || t[j - 1] == ',' || t[j - 1] == ')' || t[j - 1] == '!' || t[j - 1] == '?')) --j;
      mask(m, i, j);
      i = j;
    } else if (t[i] == '@' && i > 0 && email_char(t[i - 1])) {
      std::size_t a = i, b = i + 1;
      while (a > 0 && email_char(t[a - 1])) --a;
      while (b < t.size() && email_char(t[b])) ++b;
      bool dot = false;
      for (std::size_t k = i + 1; k < b; ++k) dot |= t[k] == '.';
      if (dot && b > i + 3) mask(m, a, b);
    }
  }
}

void mask_html(const std::u32string& t, std::vector<std::uint8_t>& m) {
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '<') {
      std::size_t j = i + 1;
      while (j < t.size() && t[j] != '>' && t[j] != '<' && t[j] != '\n') ++j;
      if (j < t.size() && t[j] == '>') {
        mask(m, i, j + 1);
        i = j;
      }
    } else if (t[i] == '&') {
      std::size_t j = i + 1;
      while (j < t.size() && j - i <= 10 && (email_char(t[j]) || t[j] == '#')) ++j;
      if (j < t.size() && t[j] == ';' && j > i + 1) {
        mask(m, i, j + 1);
        i = j;
      }
    }
  }
}

void mask_markdown(const std::u32string& t, std::vector<std::uint8_t>& m) {
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '`') {
      auto j = t.find('`', i + 1);
      if (j == std::u32string::npos) break;
      mask(m, i, j + 1);
      i = j;
    } else if (t[i] == ']' && i + 1 < t.size() && t[i + 1] == '(') {
      auto j = t.find(')', i + 2);
      if (j == std::u32string::npos) break;
      mask(m, i + 1, j + 1);
      i = j;
    }
  }
}

bool terminator(const std::u32string& t, std::size_t i) {
  char32_t c = t[i];
  if (c == '!' || c == '?' || c == ';' || c == '\n' || c == U'。' || c == U'｡') return true;
  if (c == '.') {
    if (i + 1 >= t.size()) return true;
    char32_t n = t[i + 1];
    if (n == '.') return false;  // part of "...": the last dot ends it
    return space(n) || n == '"' || n == ')' || is_han(n);
  }
  return false;
}

}  // namespace

void prepare_document(std::string_view draft, Channel channel, const ChineseConverters& chinese, Document& d) {
  d.original = draft;
  normalize_text_into(draft, &chinese.to_simplified(), d.norm, d.utf8, d.cp_of_byte, &d.origins);
  const std::u32string& t = d.norm.text;

  d.masked.assign(t.size(), 0);
  // Only a draft with "http", "www." or "@" can hold a URL or an address (memchr-fast on the UTF-8).
  if (d.utf8.find('@') != std::string::npos || d.utf8.find("http") != std::string::npos ||
      d.utf8.find("www.") != std::string::npos)
    mask_urls_and_emails(t, d.masked);
  if (channel == Channel::html) mask_html(t, d.masked);
  if (channel == Channel::markdown) mask_markdown(t, d.masked);

  d.any_masked = std::find(d.masked.begin(), d.masked.end(), 1) != d.masked.end();

  // One pass: content, sentences, and what the detectors look for.
  const std::size_t n = t.size();
  d.sentences.clear();
  d.last_sentence = 0;
  d.sentence_units.clear();
  d.number_starts.clear();
  d.bang_runs.clear();
  std::size_t content = 0, digits = 0, bangs = 0;  // locals: byte stores could alias the members
  std::uint32_t units = 0, start = 0;
  const std::uint8_t* masked = d.masked.data();
  bool prev_word = false;  // the code point before is an ASCII letter or digit
  for (std::uint32_t i = 0; i < n; ++i) {
    const char32_t c = t[i];
    const std::uint8_t cls = char_class(c);
    const bool word = cls & kWord, m = masked[i];
    content += (cls & kAlnum) && !m;
    // Reading units: an ideograph is one, an ASCII word is one.
    units += !m && (word ? !prev_word : (cls & kAlnum) != 0);
    if (cls & kSpecial) {
      if (c >= '0' && c <= '9') {
        ++digits;
        if (!prev_word) d.number_starts.push_back(i);
      } else if (c == '!' || c == '?') {
        ++bangs;
        if (i > 0 && (t[i - 1] == '!' || t[i - 1] == '?')) d.bang_runs.back().end = i + 1;
        else d.bang_runs.push_back({i, i + 1});
      }
      if (!m && terminator(t, i)) {
        // A run of terminators ("？？？", "!?") stays with its sentence.
        while (i + 1 < n && !masked[i + 1] &&
               (t[i + 1] == '!' || t[i + 1] == '?' || t[i + 1] == U'。' || t[i + 1] == '.')) {
          ++i;
          if (t[i] == '!' || t[i] == '?') {
            ++bangs;
            if (t[i - 1] == '!' || t[i - 1] == '?') d.bang_runs.back().end = i + 1;
            else d.bang_runs.push_back({i, i + 1});
          }
        }
        d.sentences.push_back({start, i + 1});
        d.sentence_units.push_back(units);
        start = i + 1;
        units = 0;
        prev_word = false;
        continue;
      }
    }
    prev_word = word;
  }
  if (start < n) {
    d.sentences.push_back({start, static_cast<std::uint32_t>(n)});
    d.sentence_units.push_back(units);
  }
  d.content = content;
  d.digits = digits;
  d.bangs = bangs;
}

}  // namespace kefu::tone
