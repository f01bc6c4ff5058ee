// Full-text search over notes and consultation summaries.
//
// Terms of two or more characters (after folding) go to the FTS5 index (the "kefu" tokenizer:
// Chinese bigrams, whole words, fts_runs.hpp) as a phrase each: "尺码偏小" is the phrase 尺码 码偏
// 偏小, "单号4242）" is 单号 4242. A word is matched whole; when that finds fewer notes than are
// wanted, the query's last term, if it ends in a letter or digit, is also tried as a prefix (the
// word being typed: "scarv" finds "scarves", "1001" finds order 100123). (Prefixes only after
// whole words: FTS5 answers a prefix by merging the whole lists of every word it starts, about
// 1 ms per 20,000 notes a word is in, where a whole word's newest matches cost tens of µs; a
// short prefix of a very common word, "cust" in a million notes, costs tens of ms.) The newest
// matches are taken from the index (ORDER BY
// rowid DESC, which FTS5 serves without visiting every match), each checked to contain every term
// as typed (folded), then ranked by how much of the text the terms cover, with a bonus for pinned
// and recent notes. (FTS5's bm25() is not used: it counts every match of every term first, which
// for a common word in millions of notes costs tens of milliseconds.) One-character terms, and a
// lone Chinese character at the edge of a term (whose neighbour in a note may make another
// bigram), only filter those candidates; a query made only of them scans the notes, newest first,
// with LIKE.
#include <algorithm>
#include <cmath>
#include <set>

#include "fts_runs.hpp"
#include "identifiers.hpp"
#include "kefu/chinese.hpp"
#include "kefu/text.hpp"
#include "sqlite_store.hpp"

namespace kefu::customers {

namespace {

struct Term {
  std::string typed;   // as given
  std::string folded;  // normalize_text, Traditional → Simplified
  std::size_t chars = 0;
};

std::vector<Term> split_terms(std::string_view query, const ChineseConverter* t2s) {
  std::vector<Term> terms;
  std::u32string cps = decode_utf8(query);
  std::u32string cur;
  auto flush = [&] {
    if (cur.empty()) return;
    Term t;
    t.typed = encode_utf8(cur);
    NormalizedText n = normalize_text(t.typed, t2s);
    t.folded = n.utf8();
    t.chars = n.text.size();
    if (t.chars > 0) terms.push_back(std::move(t));
    cur.clear();
  };
  for (char32_t cp : cps) {
    if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x3000 || cp == 0xA0) flush();
    else if (cp != '"') cur.push_back(cp);  // quotes carry no meaning in a term
  }
  flush();
  return terms;
}

// The term as an FTS5 phrase, or "" when no part of it can use the index. A lone Chinese
// character at either end of the term is left out (in a note it may belong to a longer run, which
// has bigrams and no unigram). `prefix`: a final word becomes a prefix.
std::string fts_phrase(const Term& t, bool prefix) {
  std::vector<sql::FtsRun> runs;
  sql::for_each_run(t.folded, [&](const sql::FtsRun& r) {
    runs.push_back(r);
    return true;
  });
  auto lone_cjk = [](const sql::FtsRun& r) { return r.kind == sql::RunKind::cjk && r.chars == 1; };
  std::size_t first = 0, last = runs.size();
  if (first < last && runs[first].begin == 0 && lone_cjk(runs[first])) ++first;
  if (first < last && runs[last - 1].end == t.folded.size() && lone_cjk(runs[last - 1])) --last;
  if (first >= last) return {};
  std::string phrase = "\"";
  for (char ch : t.folded.substr(runs[first].begin, runs[last - 1].end - runs[first].begin)) {
    if (ch == '"') phrase += '"';
    phrase += ch;
  }
  phrase += '"';
  if (prefix && runs[last - 1].kind != sql::RunKind::cjk && runs[last - 1].end == t.folded.size()) phrase += " *";
  return phrase;
}

std::string fts_query(const std::vector<Term>& terms, bool prefix) {
  std::string q;
  for (const auto& t : terms) {
    if (t.chars < 2) continue;
    std::string phrase = fts_phrase(t, prefix && &t == &terms.back());
    if (phrase.empty()) continue;
    if (!q.empty()) q += " AND ";
    q += phrase;
  }
  return q;
}

// Each hit's text is folded once, for the check and for the score.
bool contains_all(const NormalizedText& folded, const std::vector<Term>& terms) {
  std::string utf8 = folded.utf8();
  for (const auto& t : terms)
    if (utf8.find(t.folded) == std::string::npos) return false;
  return true;
}

std::string like_pattern(const std::string& s) {
  std::string p = "%";
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\') p += '\\';
    p += c;
  }
  return p + "%";
}

// How much of the folded text the query's terms cover, counting repeats: 0..1.
double coverage(const NormalizedText& folded, const std::vector<Term>& terms) {
  if (folded.text.empty()) return 0;
  const std::u32string& hay = folded.text;
  std::size_t covered = 0;
  for (const auto& t : terms) {
    std::u32string needle = decode_utf8(t.folded);
    if (needle.empty()) continue;
    for (std::size_t at = hay.find(needle); at != std::u32string::npos; at = hay.find(needle, at + needle.size()))
      covered += needle.size();
  }
  return std::min(1.0, static_cast<double>(covered) / static_cast<double>(folded.text.size()));
}

double rank_score(double relevance, bool pinned, Timestamp time, Timestamp now) {
  double age_days = std::max<double>(0, static_cast<double>(now - time) / 86400.0);
  return 0.6 * relevance + (pinned ? 0.25 : 0) + 0.15 * std::exp(-age_days / 180.0);
}

}  // namespace

std::vector<SearchHit> SqliteCustomerStore::search(std::string_view query, const SearchOptions& options) const {
  check_text(query, 1024, false, "query");
  auto terms = split_terms(query, to_simplified_);
  if (terms.empty()) throw Error(ErrorCode::empty, "query is empty");
  const std::size_t want = options.offset + (options.limit ? options.limit : 20);
  const std::string match = fts_query(terms, false);
  const std::string prefix_match = [&] {
    std::string q = fts_query(terms, true);
    return q == match ? std::string() : q;
  }();
  const Timestamp now = now_seconds();
  const std::size_t candidates = std::max<std::size_t>(64, want * 3);

  return read([&](sql::Conn& c) {
    std::vector<SearchHit> hits;
    // Keeps a hit whose text holds every term (`check`: else the caller knows it does).
    auto keep = [&](SearchHit h, bool check) {
      if (options.customer && h.customer_id != *options.customer) return;
      NormalizedText folded = normalize_text(h.text, to_simplified_);
      if (check && !contains_all(folded, terms)) return;
      h.score = rank_score(coverage(folded, terms), h.pinned, h.time, now);
      hits.push_back(std::move(h));
    };
    auto note_hit = [](const sql::Stmt& st) {
      SearchHit h;
      h.kind = SearchHit::Kind::note;
      h.id = st.i64(0);
      h.customer_id = st.i64(1);
      h.author = st.str(2);
      h.time = st.i64(3);
      h.text = st.str(4);
      h.pinned = st.i64(5) != 0;
      return h;
    };
    auto consultation_hit = [](const sql::Stmt& st) {
      SearchHit h;
      h.kind = SearchHit::Kind::consultation;
      h.id = st.i64(0);
      h.customer_id = st.i64(1);
      h.author = st.str(2);
      h.time = st.i64(3);
      h.text = st.str(4);
      return h;
    };

    if (options.customer) {
      // One customer's records are few: fold and compare each, which also finds one-character terms.
      if (options.notes) {
        auto st = c.q(
            "SELECT id, customer_id, author, created_at, text, pinned FROM notes WHERE customer_id = ?1 "
            "ORDER BY created_at DESC, id DESC LIMIT 5000");
        st->bind(1, *options.customer);
        while (st->step()) {
          keep(note_hit(*st), true);
        }
      }
      if (options.consultations) {
        auto st = c.q(
            "SELECT id, customer_id, channel, time, summary FROM consultations WHERE customer_id = ?1 "
            "ORDER BY time DESC, id DESC LIMIT 5000");
        st->bind(1, *options.customer);
        while (st->step()) {
          keep(consultation_hit(*st), true);
        }
      }
    } else if (!match.empty()) {
      // FTS query → ids, newest first; each row read, checked against every term, kept.
      auto run = [&](const char* fts_sql, const char* row_sql, auto&& make_hit) {
        std::vector<std::int64_t> ids;
        for (const std::string* q : {&match, &prefix_match}) {
          if (q->empty() || ids.size() >= candidates) break;
          auto st = c.q(fts_sql);
          st->bind(1, *q).bind(2, candidates);
          while (st->step()) ids.push_back(st->i64(0));
        }
        std::sort(ids.begin(), ids.end(), std::greater<>());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        if (ids.size() > candidates) ids.resize(candidates);
        for (auto id : ids) {
          auto st = c.q(row_sql);
          st->bind(1, id);
          if (!st->step()) continue;
          keep(make_hit(*st), true);
        }
      };
      if (options.notes)
        run("SELECT rowid FROM notes_fts WHERE notes_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2",
            "SELECT id, customer_id, author, created_at, text, pinned FROM notes WHERE id = ?1", note_hit);
      if (options.consultations)
        run("SELECT rowid FROM consultations_fts WHERE consultations_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2",
            "SELECT id, customer_id, channel, time, summary FROM consultations WHERE id = ?1", consultation_hit);
    } else {
      // Only one-character terms: scan, newest first, for any written form of each term.
      std::string where;
      std::vector<std::string> patterns;
      for (const auto& t : terms) {
        std::set<std::string> forms = {t.typed, t.folded};
        for (Locale l : {Locale::zh_TW, Locale::zh_HK}) forms.insert(chinese().localize(t.folded, l));
        std::string any;
        for (const auto& f : forms) {
          if (!any.empty()) any += " OR ";
          patterns.push_back(like_pattern(f));
          any += "{col} LIKE ?" + std::to_string(patterns.size()) + " ESCAPE '\\'";
        }
        where += (where.empty() ? "(" : " AND (") + any + ")";
      }
      auto with_col = [&](const std::string& col) {
        std::string w = where;
        for (std::size_t p; (p = w.find("{col}")) != std::string::npos;) w.replace(p, 5, col);
        return w;
      };
      auto scan = [&](const std::string& sql, bool note) {
        sql::Stmt st(c.raw(), sql);
        for (std::size_t i = 0; i < patterns.size(); ++i) st.bind(static_cast<int>(i + 1), patterns[i]);
        st.bind(static_cast<int>(patterns.size() + 1), want);
        while (st.step()) keep(note ? note_hit(st) : consultation_hit(st), false);
      };
      if (options.notes)
        scan("SELECT id, customer_id, author, created_at, text, pinned FROM notes WHERE " + with_col("text") +
                 " ORDER BY id DESC LIMIT ?" + std::to_string(patterns.size() + 1),
             true);
      if (options.consultations)
        scan("SELECT id, customer_id, channel, time, summary FROM consultations WHERE " + with_col("summary") +
                 " ORDER BY id DESC LIMIT ?" + std::to_string(patterns.size() + 1),
             false);
    }
    std::stable_sort(hits.begin(), hits.end(), [](const SearchHit& a, const SearchHit& b) { return a.score > b.score; });
    if (options.offset >= hits.size()) return std::vector<SearchHit>{};
    hits.erase(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(options.offset));
    if (hits.size() > (options.limit ? options.limit : 20)) hits.resize(options.limit ? options.limit : 20);
    return hits;
  });
}

}  // namespace kefu::customers
