// Benchmark of the reply path: pack loading, analyze+suggest on the bundled packs, the same with
// 10,000 generated templates, beside a SQLite FTS5 bm25 ranking of the same templates as a baseline,
// and resident memory. Prints its figures; asserts nothing.
//
//   build/tests/bench/kefu_bench_reply [SOURCE_DIR] [--templates N]
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "bench_common.hpp"
#include "kefu/engine.hpp"
#include "kefu/text.hpp"

using namespace kefu;
using namespace kefu::bench;
namespace fs = std::filesystem;

namespace {

struct Query {
  std::string text;
  Locale locale;
};

std::vector<Query> load_queries(const std::string& src) {
  std::vector<Query> q;
  for (auto& t : jsonl_texts(src + "/tests/eval/data/zh_intents.jsonl")) q.push_back({t, Locale::zh_CN});
  for (auto& t : jsonl_texts(src + "/tests/eval/data/en_intents.jsonl")) q.push_back({t, Locale::en});
  return q;
}

void report(const char* what, std::vector<double> us) {
  std::printf("  %-44s median %8.1f µs   p99 %8.1f µs   (n=%zu)\n", what, percentile(us, 0.5), percentile(us, 0.99),
              us.size());
}

std::vector<double> time_suggest(const Engine& e, const std::vector<Query>& qs, int rounds) {
  std::vector<double> us;
  for (int r = 0; r < rounds; ++r)
    for (const auto& q : qs) {
      SuggestRequest req;
      req.locale = q.locale;
      auto t0 = Clock::now();
      auto res = e.suggest(q.text, req);
      us.push_back(micros_since(t0));
      if (res.suggestions.empty() && r == 0) std::fprintf(stderr, "no suggestion for: %s\n", q.text.c_str());
    }
  return us;
}

// Writes N synthetic templates (half zh-CN, half en) whose examples recombine the bundled examples.
std::vector<std::pair<std::string, std::vector<std::string>>> generate_packs(const Engine& bundled, const fs::path& dir,
                                                                           int n) {
  fs::create_directories(dir);
  std::mt19937 rng(42);
  std::vector<std::pair<std::string, std::vector<std::string>>> docs;  // id, examples (for FTS)
  for (Locale loc : {Locale::zh_CN, Locale::en}) {
    const auto& src = bundled.templates().of_locale(loc);
    std::vector<const Template*> replies;
    for (auto* t : src)
      if (!t->outreach) replies.push_back(t);
    int per_file = 500, count = n / 2;
    for (int f = 0; f * per_file < count; ++f) {
      std::ofstream out(dir / (std::string(locale_name(loc)) + "_" + std::to_string(f) + ".yaml"));
      out << "pack: gen" << f << "\nlocale: " << locale_name(loc) << "\ntemplates:\n";
      for (int i = f * per_file; i < std::min(count, (f + 1) * per_file); ++i) {
        const Template* base = replies[rng() % replies.size()];
        std::string id = std::string(loc == Locale::en ? "en" : "zh") + ".gen" + std::to_string(i);
        out << "  - id: " << id << "\n    intents: [" << to_string(base->intents.front()) << "]\n";
        out << "    text: \"" << (loc == Locale::en ? "Variant " : "版本") << i << "：{{salutation|亲}}\"\n    examples:\n";
        std::vector<std::string> ex;
        for (int k = 0; k < 3; ++k) {
          const Template* other = replies[rng() % replies.size()];
          std::string e = base->examples[rng() % base->examples.size()];
          if (k == 2) e += (loc == Locale::en ? " and " : "，") + other->examples[rng() % other->examples.size()];
          std::string esc;
          for (char c : e) esc += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
          out << "      - \"" << esc << "\"\n";
          ex.push_back(e);
        }
        docs.emplace_back(id, ex);
      }
    }
  }
  return docs;
}

// The baseline: the same templates' examples in an FTS5 table, ranked by bm25 for each query.
struct Fts {
  sqlite3* db = nullptr;
  sqlite3_stmt* query = nullptr;
  ~Fts() {
    sqlite3_finalize(query);
    sqlite3_close(db);
  }
};

// Query terms: words for English, character bigrams for Chinese (the trigram tokenizer needs ≥ 3 chars).
std::string fts_terms(const std::string& text) {
  auto norm = normalize_text(text);
  std::string out, word;
  auto flush = [&] {
    if (word.size() >= 3) out += (out.empty() ? "" : " OR ") + std::string("\"") + word + "\"";
    word.clear();
  };
  char32_t prev = 0;
  for (char32_t c : norm.text) {
    if (is_han(c)) {
      flush();
      if (prev) {
        std::u32string tri{prev, c};
        out += (out.empty() ? "" : " OR ") + std::string("\"") + encode_utf8(tri) + "\"";
      }
      prev = c;
    } else if (c < 0x80 && std::isalnum(static_cast<int>(c))) {
      prev = 0;
      word += static_cast<char>(c);
    } else {
      prev = 0;
      flush();
    }
  }
  flush();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string src = KEFU_SOURCE_DIR;
  int n_templates = 10000;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--templates" && i + 1 < argc) n_templates = std::stoi(argv[++i]);
    else src = a;
  }
  auto queries = load_queries(src);
  std::printf("kefu reply benchmark — %zu messages (tests/eval/data), one thread\n", queries.size());
  double rss0 = rss_mib();

  // Wall time is the target; the engine builds its analyser, ranker and tone checker on parallel
  // threads, so the CPU time over all threads is printed beside it.
  std::vector<double> load_ms, load_cpu_ms;
  for (int i = 0; i < 5; ++i) {
    double cpu0 = process_cpu_ms();
    auto t0 = Clock::now();
    Engine e;
    load_ms.push_back(micros_since(t0) / 1000.0);
    load_cpu_ms.push_back(process_cpu_ms() - cpu0);
  }
  std::printf("\nbundled packs\n  load (Engine construction)                   median %8.1f ms   (target ≤ 50 ms; CPU %.1f ms over all threads)\n",
              percentile(load_ms, 0.5), percentile(load_cpu_ms, 0.5));
  Engine bundled;
  std::printf("  templates: %zu\n", bundled.templates().size());
  time_suggest(bundled, queries, 1);  // warm up: OpenCC tables, caches
  auto us = time_suggest(bundled, queries, 5);
  report("analyze+suggest (target median ≤ 200 µs)", us);
  std::vector<double> an;
  for (const auto& q : queries) {
    auto t0 = Clock::now();
    bundled.analyze(q.text, q.locale);
    an.push_back(micros_since(t0));
  }
  report("analyze alone", an);

  fs::path dir = fs::temp_directory_path() / ("kefu_bench_" + std::to_string(::getpid()));
  auto docs = generate_packs(bundled, dir, n_templates);
  double rss_before = rss_mib();
  EngineOptions o;
  o.template_dir = dir.string();
  o.bundled_templates = false;
  auto t0 = Clock::now();
  auto big = std::make_unique<Engine>(o);
  double big_load = micros_since(t0) / 1000.0;
  double rss_after = rss_mib();
  std::printf("\n%d generated templates\n  load                                         %8.1f ms\n", n_templates, big_load);
  time_suggest(*big, queries, 1);
  auto big_us = time_suggest(*big, queries, 3);
  report("analyze+suggest (target p99 ≤ 1000 µs)", big_us);
  std::printf("  resident memory of the engine               %8.1f MiB (process %.1f MiB; target ≤ 64 MB)\n",
              rss_after - rss_before, rss_after);

  // Baseline: SQLite FTS5 bm25 over the same examples.
  Fts fts;
  sqlite3_open(":memory:", &fts.db);
  sqlite3_exec(fts.db, "CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, body, tokenize='trigram')", nullptr, nullptr, nullptr);
  sqlite3_exec(fts.db, "BEGIN", nullptr, nullptr, nullptr);
  sqlite3_stmt* ins = nullptr;
  sqlite3_prepare_v2(fts.db, "INSERT INTO t(id, body) VALUES (?, ?)", -1, &ins, nullptr);
  for (auto& [id, ex] : docs) {
    std::string body;
    for (auto& e : ex) body += normalize_text(e).utf8() + "\n";
    sqlite3_bind_text(ins, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 2, body.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_step(ins);
    sqlite3_reset(ins);
  }
  sqlite3_finalize(ins);
  sqlite3_exec(fts.db, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_prepare_v2(fts.db, "SELECT id FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT 3", -1, &fts.query, nullptr);
  std::vector<double> fts_us;
  for (int r = 0; r < 3; ++r)
    for (const auto& q : queries) {
      std::string terms = fts_terms(q.text);
      if (terms.empty()) continue;
      auto t1 = Clock::now();
      sqlite3_bind_text(fts.query, 1, terms.c_str(), -1, SQLITE_TRANSIENT);
      while (sqlite3_step(fts.query) == SQLITE_ROW) {
      }
      sqlite3_reset(fts.query);
      fts_us.push_back(micros_since(t1));
    }
  report("baseline: SQLite FTS5 bm25 top-3 (ranking only)", fts_us);
  std::printf("  ratio kefu/FTS5 (median)                      %8.2f   (p99 %.2f)\n",
              percentile(big_us, 0.5) / percentile(fts_us, 0.5), percentile(big_us, 0.99) / percentile(fts_us, 0.99));
  big.reset();
  fs::remove_all(dir);
  (void)rss0;
  return 0;
}
