#include "kefu/pattern_set.hpp"

#include <hs/hs.h>

#include <cstdio>
#include <mutex>

#include "kefu/error.hpp"

namespace kefu {

struct PatternSet::Impl {
  hs_database_t* db = nullptr;
  std::vector<Pattern> patterns;
  mutable std::mutex pool_mutex;
  mutable std::vector<hs_scratch_t*> pool;  // scratch spaces free for reuse, one per concurrent scan

  ~Impl() {
    for (auto* s : pool) hs_free_scratch(s);
    if (db) hs_free_database(db);
  }

  hs_scratch_t* acquire() const {
    {
      std::lock_guard<std::mutex> lock(pool_mutex);
      if (!pool.empty()) {
        auto* s = pool.back();
        pool.pop_back();
        return s;
      }
    }
    hs_scratch_t* s = nullptr;
    if (hs_alloc_scratch(db, &s) != HS_SUCCESS) throw Error(ErrorCode::internal, "Hyperscan: cannot allocate scratch");
    return s;
  }
  void release(hs_scratch_t* s) const {
    std::lock_guard<std::mutex> lock(pool_mutex);
    pool.push_back(s);
  }
};

namespace {

bool word_char(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

struct ScanState {
  const std::vector<PatternSet::Pattern>* patterns;
  std::string_view text;
  std::vector<PatternSet::Match>* out;
};

int on_match(unsigned int index, unsigned long long from, unsigned long long to, unsigned int, void* ctx) {
  auto* st = static_cast<ScanState*>(ctx);
  const auto& p = (*st->patterns)[index];
  if (!p.regex) from = to - p.expression.size();
  if (p.whole_word || p.word_start) {
    if (from > 0 && word_char(static_cast<unsigned char>(st->text[from - 1]))) return 0;
  }
  if (p.whole_word) {
    if (from > 0 && word_char(static_cast<unsigned char>(st->text[from - 1]))) return 0;
    if (to < st->text.size() && word_char(static_cast<unsigned char>(st->text[to]))) return 0;
  }
  st->out->push_back({p.id, static_cast<std::size_t>(from), static_cast<std::size_t>(to)});
  return 0;
}

}  // namespace

PatternSet::PatternSet(const std::vector<Pattern>& patterns) : impl_(std::make_unique<Impl>()) {
  impl_->patterns = patterns;
  if (patterns.empty()) return;
  std::vector<std::string> exprs;
  std::vector<const char*> ptrs;
  std::vector<unsigned> flags, ids;
  exprs.reserve(patterns.size());
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    const auto& p = patterns[i];
    exprs.push_back(p.expression);
    // Start-of-match tracking costs compile time and scan speed: only regexes need it; a literal
    // starts its own length before its end.
    unsigned f = p.regex ? HS_FLAG_SOM_LEFTMOST : 0;
    if (p.caseless) f |= HS_FLAG_CASELESS;
    if (p.regex) f |= HS_FLAG_UTF8;  // ASCII \\b: text is folded before matching
    flags.push_back(f);
    ids.push_back(static_cast<unsigned>(i));
  }
  ptrs.resize(exprs.size());
  // Literals and regexes go in one database: literals are escaped into regex syntax.
  std::vector<std::string> escaped(exprs.size());
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    if (patterns[i].regex) {
      escaped[i] = exprs[i];
    } else {
      for (unsigned char c : exprs[i]) {
        if (c < 0x80 && !word_char(c) && c != ' ') {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          escaped[i] += buf;
        } else {
          escaped[i] += static_cast<char>(c);
        }
      }
    }
    ptrs[i] = escaped[i].c_str();
  }
  hs_compile_error_t* err = nullptr;
  if (hs_compile_multi(ptrs.data(), flags.data(), ids.data(), static_cast<unsigned>(ptrs.size()), HS_MODE_BLOCK,
                       nullptr, &impl_->db, &err) != HS_SUCCESS) {
    std::string msg = err && err->message ? err->message : "unknown error";
    int bad = err ? err->expression : -1;
    hs_free_compile_error(err);
    std::string which = bad >= 0 ? " in pattern '" + patterns[static_cast<std::size_t>(bad)].expression + "'" : "";
    throw Error(ErrorCode::parse, "cannot compile pattern" + which + ": " + msg);
  }
}

PatternSet::~PatternSet() = default;

std::size_t PatternSet::size() const { return impl_->patterns.size(); }

std::vector<PatternSet::Match> PatternSet::scan(std::string_view utf8) const {
  std::vector<Match> out;
  if (!impl_->db || utf8.empty()) return out;
  hs_scratch_t* scratch = impl_->acquire();
  ScanState st{&impl_->patterns, utf8, &out};
  hs_error_t rc = hs_scan(impl_->db, utf8.data(), static_cast<unsigned>(utf8.size()), 0, scratch, on_match, &st);
  impl_->release(scratch);
  if (rc != HS_SUCCESS) throw Error(ErrorCode::internal, "Hyperscan scan failed: " + std::to_string(rc));
  return out;
}

}  // namespace kefu
