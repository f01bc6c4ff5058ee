#include "kefu/pattern_set.hpp"

#include <hs/hs.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "kefu/error.hpp"

namespace kefu {

namespace {

// What the match callback needs of a pattern, packed (the callback runs for every match).
struct MatchInfo {
  unsigned id;
  std::uint32_t length;  ///< of a literal, in bytes
  bool regex, whole_word, word_start;
};

}  // namespace

struct PatternSet::Impl {
  hs_database_t* db = nullptr;
  // Start-of-match tracking slows a whole database down, for the few regexes that need it: the main
  // database finds where regexes end, and each regex that matched finds its starts in a database of
  // its own, with tracking (by pattern index; null for literals, which start their length before).
  std::vector<hs_database_t*> starts;
  std::vector<Pattern> patterns;
  std::vector<MatchInfo> infos;  // by index
  mutable std::mutex pool_mutex;
  mutable std::vector<hs_scratch_t*> pool;  // scratch spaces free for reuse, one per concurrent scan

  ~Impl() {
    for (auto* s : pool) hs_free_scratch(s);
    if (db) hs_free_database(db);
    for (auto* d : starts)
      if (d) hs_free_database(d);
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
    hs_scratch_t* s = nullptr;  // one scratch space, grown to fit every database
    bool ok = hs_alloc_scratch(db, &s) == HS_SUCCESS;
    for (auto* d : starts) ok = ok && (!d || hs_alloc_scratch(d, &s) == HS_SUCCESS);
    if (!ok) {
      if (s) hs_free_scratch(s);
      throw Error(ErrorCode::internal, "Hyperscan: cannot allocate scratch");
    }
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
  const std::vector<MatchInfo>* infos;
  std::string_view text;
  std::vector<PatternSet::Match>* out;
  std::vector<std::pair<unsigned, std::size_t>>* regex_matches;  // (pattern index, index in out): start unknown
};

int on_match(unsigned int index, unsigned long long from, unsigned long long to, unsigned int, void* ctx) {
  auto* st = static_cast<ScanState*>(ctx);
  const MatchInfo& p = (*st->infos)[index];
  if (p.regex) {
    st->regex_matches->push_back({index, st->out->size()});
    from = to;  // found with the regex's own database (PatternSet::scan)
  } else {
    from = to - p.length;
  }
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

// Collects (end, start) of the matches of one regex, with start-of-match tracking.
int on_start(unsigned int, unsigned long long from, unsigned long long to, unsigned int, void* ctx) {
  static_cast<std::vector<std::pair<std::size_t, std::size_t>>*>(ctx)->push_back(
      {static_cast<std::size_t>(to), static_cast<std::size_t>(from)});
  return 0;
}

}  // namespace

namespace {

// Databases compiled ahead of time, by the hash of what they were compiled from.
struct Precompiled {
  std::mutex mutex;
  std::unordered_map<std::uint64_t, std::string_view> databases;  // views into data that outlives the process
  bool recording = false;
  std::vector<std::pair<std::uint64_t, std::string>> recorded;
};
Precompiled& precompiled() {
  static Precompiled p;
  return p;
}

constexpr char kPrecompiledMagic[] = "KEFUHS1\n";

std::uint64_t database_key(const std::vector<std::string>& exprs, const std::vector<unsigned>& flags) {
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&](std::string_view bytes) {
    for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;  // separator
  };
  mix(hs_version());
  for (std::size_t i = 0; i < exprs.size(); ++i) {
    mix(exprs[i]);
    mix(std::to_string(flags[i]));
  }
  return h;
}

// Portable compile target for databases that are stored: any x86-64 that Hyperscan supports.
hs_platform_info_t generic_platform() {
  hs_platform_info_t p{};
  p.tune = HS_TUNE_FAMILY_GENERIC;
  p.cpu_features = 0;
  return p;
}

}  // namespace

void add_precompiled_patterns(std::string_view blob) {
  const std::size_t magic = sizeof kPrecompiledMagic - 1;
  if (blob.substr(0, magic) != std::string_view(kPrecompiledMagic, magic)) return;  // not ours: compile as usual
  std::lock_guard<std::mutex> lock(precompiled().mutex);
  for (std::size_t pos = magic; pos + 12 <= blob.size();) {
    std::uint64_t key = 0;
    std::uint32_t size = 0;
    std::memcpy(&key, blob.data() + pos, 8);
    std::memcpy(&size, blob.data() + pos + 8, 4);
    pos += 12;
    if (size > blob.size() - pos) break;
    precompiled().databases.emplace(key, blob.substr(pos, size));
    pos += size;
  }
}

void record_compiled_patterns(bool on) {
  std::lock_guard<std::mutex> lock(precompiled().mutex);
  precompiled().recording = on;
}

std::string recorded_patterns_blob() {
  std::lock_guard<std::mutex> lock(precompiled().mutex);
  auto recorded = precompiled().recorded;
  std::sort(recorded.begin(), recorded.end());
  std::string out = kPrecompiledMagic;
  for (const auto& [key, bytes] : recorded) {
    auto size = static_cast<std::uint32_t>(bytes.size());
    out.append(reinterpret_cast<const char*>(&key), 8);
    out.append(reinterpret_cast<const char*>(&size), 4);
    out += bytes;
  }
  return out;
}

namespace {

// The database of `escaped` (with `flags`, reported as `ids`): the one the build compiled from
// exactly these patterns, which loads in a fraction of a millisecond, or else compiled now (and,
// when recording, kept for the build). Throws Error(parse) naming the pattern that does not compile.
hs_database_t* load_or_compile(const std::vector<std::string>& escaped, const std::vector<unsigned>& flags,
                               const std::vector<unsigned>& ids, const std::vector<PatternSet::Pattern>& patterns) {
  const std::uint64_t key = database_key(escaped, flags);
  bool recording = false;
  hs_database_t* db = nullptr;
  {
    std::lock_guard<std::mutex> lock(precompiled().mutex);
    recording = precompiled().recording;
    auto it = precompiled().databases.find(key);
    if (it != precompiled().databases.end() &&
        hs_deserialize_database(it->second.data(), it->second.size(), &db) == HS_SUCCESS)
      return db;
    db = nullptr;
  }
  std::vector<const char*> ptrs;
  for (const auto& e : escaped) ptrs.push_back(e.c_str());
  hs_platform_info_t generic = generic_platform();
  hs_compile_error_t* err = nullptr;
  if (hs_compile_multi(ptrs.data(), flags.data(), ids.data(), static_cast<unsigned>(ptrs.size()), HS_MODE_BLOCK,
                       recording ? &generic : nullptr, &db, &err) != HS_SUCCESS) {
    std::string msg = err && err->message ? err->message : "unknown error";
    int bad = err ? err->expression : -1;
    hs_free_compile_error(err);
    std::string which =
        bad >= 0 ? " in pattern '" + patterns[ids[static_cast<std::size_t>(bad)]].expression + "'" : "";
    throw Error(ErrorCode::parse, "cannot compile pattern" + which + ": " + msg);
  }
  if (recording) {
    char* bytes = nullptr;
    std::size_t size = 0;
    if (hs_serialize_database(db, &bytes, &size) == HS_SUCCESS) {
      std::lock_guard<std::mutex> lock(precompiled().mutex);
      precompiled().recorded.emplace_back(key, std::string(bytes, size));
      std::free(bytes);
    }
  }
  return db;
}

}  // namespace

PatternSet::PatternSet(const std::vector<Pattern>& patterns) : impl_(std::make_unique<Impl>()) {
  impl_->patterns = patterns;
  for (const auto& p : patterns)
    impl_->infos.push_back({p.id, static_cast<std::uint32_t>(p.expression.size()), p.regex, p.whole_word, p.word_start});
  if (patterns.empty()) return;
  // Literals and regexes go in one database: literals are escaped into regex syntax.
  std::vector<std::string> escaped(patterns.size());
  std::vector<unsigned> flags, ids;
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    const auto& p = patterns[i];
    unsigned f = 0;
    if (p.caseless) f |= HS_FLAG_CASELESS;
    if (p.regex) f |= HS_FLAG_UTF8;  // ASCII \b: text is folded before matching
    flags.push_back(f);
    ids.push_back(static_cast<unsigned>(i));
    if (p.regex) {
      escaped[i] = p.expression;
    } else {
      for (unsigned char c : p.expression) {
        if (c < 0x80 && !word_char(c) && c != ' ') {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          escaped[i] += buf;
        } else {
          escaped[i] += static_cast<char>(c);
        }
      }
    }
  }
  impl_->db = load_or_compile(escaped, flags, ids, patterns);
  // Each regex again, alone and with start-of-match tracking, for where its matches start.
  impl_->starts.assign(patterns.size(), nullptr);
  for (std::size_t i = 0; i < patterns.size(); ++i)
    if (patterns[i].regex)
      impl_->starts[i] = load_or_compile({escaped[i]}, {flags[i] | HS_FLAG_SOM_LEFTMOST},
                                         {static_cast<unsigned>(i)}, patterns);
}

PatternSet::~PatternSet() = default;

std::size_t PatternSet::size() const { return impl_->patterns.size(); }

std::vector<PatternSet::Match> PatternSet::scan(std::string_view utf8) const {
  std::vector<Match> out;
  scan(utf8, out);
  return out;
}

void PatternSet::scan(std::string_view utf8, std::vector<Match>& out) const {
  out.clear();
  if (!impl_->db || utf8.empty()) return;
  thread_local std::vector<std::pair<unsigned, std::size_t>> regex_matches;
  thread_local std::vector<std::pair<std::size_t, std::size_t>> ends_starts;
  regex_matches.clear();
  hs_scratch_t* scratch = impl_->acquire();
  ScanState st{&impl_->infos, utf8, &out, &regex_matches};
  hs_error_t rc = hs_scan(impl_->db, utf8.data(), static_cast<unsigned>(utf8.size()), 0, scratch, on_match, &st);
  // Where regex matches start: one more scan per regex that matched, by its own database. A
  // pattern ends at most once at an offset, so its (end, start) pairs are looked up by end.
  std::sort(regex_matches.begin(), regex_matches.end());
  for (std::size_t k = 0; k < regex_matches.size() && rc == HS_SUCCESS;) {
    const unsigned index = regex_matches[k].first;
    ends_starts.clear();
    rc = hs_scan(impl_->starts[index], utf8.data(), static_cast<unsigned>(utf8.size()), 0, scratch, on_start,
                 &ends_starts);
    for (; k < regex_matches.size() && regex_matches[k].first == index; ++k) {
      Match& m = out[regex_matches[k].second];
      for (const auto& [end, start] : ends_starts)
        if (end == m.to) m.from = start;
    }
  }
  impl_->release(scratch);
  if (rc != HS_SUCCESS) throw Error(ErrorCode::internal, "Hyperscan scan failed: " + std::to_string(rc));
}

}  // namespace kefu
