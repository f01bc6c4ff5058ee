// Tone-check benchmark (issue 3). Prints figures, asserts nothing.
//
//   build/tests/bench/kefu_bench_tone [--seconds S] [--no-external] [--throughput-only] [--passes N]
//
// --throughput-only runs part 1 alone (for profiling the checker with perf); --passes N makes part 1
// exactly N passes over its drafts instead of a time budget (for instruction counts under callgrind).
//
// 1. Throughput, one thread (= per core), of mixed Chinese (Simplified and Traditional) and English
//    drafts of about 300 characters through the whole checker with the bundled packs
//    (validation, OpenCC normalisation, one Hyperscan scan, detectors, spans, score).  Target ≥ 50 MB/s.
// 2. Latency of one 300-character draft: p50 / p99 / max.  Target p99 ≤ 50 µs.
// 3. Re-check after one more typed character (the draft grows by one character per check).
// 4. The matcher: the same compiled patterns scanned with Hyperscan (kefu::PatternSet) and with
//    RE2::Set (when RE2 is installed): RE2::Set only says which patterns matched, not where.
// 5. Beside it, on the same English drafts in the same run: proselint (Debian python3-proselint) and
//    write-good (npm; looked up in tests/bench/node, /tmp/kefu-bench-node or NODE_PATH), timed inside
//    their own process (start-up excluded), reported as throughput ratios.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <ctime>
#include <string>
#include <vector>

#include "kefu/chinese.hpp"
#include "kefu/engine.hpp"
#include "kefu/pattern_set.hpp"
#include "kefu/text.hpp"
#include "kefu/tone.hpp"
#include "tone/tone_internal.hpp"

#ifdef KEFU_BENCH_RE2
#include <re2/re2.h>
#include <re2/set.h>
#endif

using namespace kefu;
using Clock = std::chrono::steady_clock;

namespace {

const char* kZh[] = {
    "亲，您好！欢迎光临本店，请问有什么可以帮您？", "不知道，你自己看详情页吧。", "这款连衣裙是纯棉面料，透气舒适，不容易起球。",
    "我已经说过了，七天无理由退换，运费险是包含的。", "非常抱歉给您带来不好的体验，我们马上为您补发。", "可能吧，大概三天左右到。",
    "这是全网最好的面膜，销量第一，100%有效！", "加我微信，给你便宜点，私下交易更划算。", "麻烦把收到的验证码发我一下。",
    "温馨提示：我们客服不会向您索要验证码，请勿告诉任何人。", "订单号20261123001已经发货了，预计后天送达。",
    "是你自己没看清楚尺码，不是我们的问题！！！", "好评返现5元，记得五星好评哦～", "第一时间为您处理，请您稍等。",
    "退款打到6222021234567894这张卡对吗？", "呵呵，随便你。", "您好，尺码表在详情页第三张图，身高165体重50kg建议选M码。",
};
const char* kZhTw[] = {
    "親，您好！歡迎光臨本店，請問有什麼可以幫您？", "不知道，你自己看詳情頁吧。", "我們客服不會向您索要驗證碼。",
    "這是全網最好的，不可能有問題。", "非常抱歉讓您久等了，包裹明天就會送達。", "麻煩提供一下訂單號，我幫您查一下物流。",
};
const char* kEn[] = {
    "Hi Jane, thanks for reaching out! Your order A-1042 shipped today and should arrive on Friday.",
    "No idea, check the website.", "As I already said, shipping is not free.",
    "You should have read the size chart before ordering.", "I'm so sorry about the broken zipper; a replacement is on its way.",
    "It will probably arrive next week, I guess.", "This is the best serum in the world and it's 100% effective!",
    "Pay me on WhatsApp and I'll give you 10% off.", "Please send me the verification code we just texted you.",
    "We will never ask for your password or verification code.", "Sorry for the wait! The USB-C cable fits the XL case.",
    "We DO NOT refund opened items!!!", "Could you tell me which colour you'd like?", "Why didn't you contact us earlier?",
    "Thank you for your patience; I've issued a full refund to your original payment method.",
};

std::string make_draft(std::mt19937& rng, int kind, std::size_t min_chars) {
  std::string out;
  std::size_t chars = 0;
  while (chars < min_chars) {
    const char* s;
    if (kind == 0) s = kZh[rng() % (sizeof kZh / sizeof *kZh)];
    else if (kind == 1) s = kZhTw[rng() % (sizeof kZhTw / sizeof *kZhTw)];
    else s = kEn[rng() % (sizeof kEn / sizeof *kEn)];
    if (!out.empty() && kind == 2) out += ' ';
    out += s;
    chars = decode_utf8(out).size();
  }
  return out;
}

// Cuts a draft to exactly `n` code points.
std::string cut(const std::string& s, std::size_t n) {
  auto cps = decode_utf8(s);
  cps.resize(std::min(n, cps.size()));
  return encode_utf8(cps);
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// CPU time of this thread: per-core figures that hold while other processes share the cores.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// The load average over the last minute (other people's builds make wall-clock figures noisy).
double load_average() {
  double l = 0;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &l) != 1) l = 0;
    std::fclose(f);
  }
  return l;
}

double pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
}

// Runs a command and returns its last line of output ("" on failure).
std::string run(const std::string& cmd) {
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    while (fgets(buf, sizeof buf, p)) out = buf;
    pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

bool exists(const std::string& p) { return std::ifstream(p).good(); }

}  // namespace

int main(int argc, char** argv) {
  double budget = 3.0;
  bool external = true, throughput_only = false;
  int passes = 0;  // 0: as many as fit in the time budget
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc) budget = std::atof(argv[++i]);
    if (a == "--no-external") external = false;
    if (a == "--throughput-only") throughput_only = true;
    if (a == "--passes" && i + 1 < argc) passes = std::atoi(argv[++i]);
  }
  auto t_load = Clock::now();
  Engine engine;
  std::printf("engine with bundled packs: %.0f ms (%zu tone rules)\n", seconds_since(t_load) * 1000,
              engine.tone_checker().rules().size());

  std::mt19937 rng(42);
  std::vector<std::pair<std::string, Locale>> drafts;
  for (int i = 0; i < 600; ++i) {
    int kind = i % 5 < 2 ? 0 : i % 5 == 2 ? 1 : 2;  // 40% zh-CN, 20% zh-TW, 40% en
    Locale l = kind == 0 ? Locale::zh_CN : kind == 1 ? Locale::zh_TW : Locale::en;
    drafts.push_back({cut(make_draft(rng, kind, 300), 300), l});
  }
  std::size_t corpus_bytes = 0;
  for (const auto& d : drafts) corpus_bytes += d.first.size();
  std::vector<ToneContext> ctx(4);
  for (Locale l : {Locale::zh_CN, Locale::zh_TW, Locale::zh_HK, Locale::en}) ctx[static_cast<int>(l)].locale = l;

  // 1. Throughput, one thread.
  std::size_t bytes = 0, checks = 0, findings = 0;
  auto t0 = Clock::now();
  double cpu0 = thread_cpu_seconds();
  for (int pass = 0; passes > 0 ? pass < passes : seconds_since(t0) < budget; ++pass) {
    for (const auto& [text, l] : drafts) {
      findings += engine.check_tone(text, ctx[static_cast<int>(l)]).findings.size();
      bytes += text.size();
      ++checks;
    }
  }
  double secs = seconds_since(t0), cpu = thread_cpu_seconds() - cpu0;
  std::printf("\n1. throughput, 1 thread, %zu drafts of 300 characters (40%% zh-CN, 20%% zh-TW, 40%% en; %.0f bytes avg):\n"
              "   %.1f MB/s, %.0f drafts/s, %.1f findings/draft   (target >= 50 MB/s per core)\n"
              "   per CPU second of this thread: %.1f MB/s (%.0f%% of the wall time on a core; load average %.2f)\n",
              drafts.size(), static_cast<double>(corpus_bytes) / drafts.size(), bytes / secs / 1e6, checks / secs,
              static_cast<double>(findings) / checks, bytes / cpu / 1e6, 100 * cpu / secs, load_average());

  if (throughput_only) return 0;

  // Bigger documents: the same text joined into 20 KB drafts (fewer per-call costs).
  {
    std::vector<std::pair<std::string, Locale>> big;
    for (std::size_t i = 0; i + 1 < drafts.size();) {
      std::string s;
      Locale l = drafts[i].second;
      for (; i < drafts.size() && s.size() < 20000; ++i)
        if (drafts[i].second == l || (is_chinese(l) && is_chinese(drafts[i].second))) s += drafts[i].first + "\n";
      big.push_back({s, l});
    }
    std::size_t b = 0;
    auto t1 = Clock::now();
    while (seconds_since(t1) < budget / 2)
      for (const auto& [text, l] : big) {
        engine.check_tone(text, ctx[static_cast<int>(l)]);
        b += text.size();
      }
    std::printf("   on ~20 KB documents: %.1f MB/s\n", b / seconds_since(t1) / 1e6);
  }

  // 2. Latency of one 300-character draft: wall clock, and this thread's CPU time (what the check
  //    costs when no other process takes the core away in the middle of it).
  for (Locale l : {Locale::zh_CN, Locale::zh_TW, Locale::en}) {
    std::vector<double> us, cpu_us;
    std::size_t n = 0;
    auto t1 = Clock::now();
    while (seconds_since(t1) < budget / 3) {
      const auto& d = drafts[n++ % drafts.size()];
      if (d.second != l) continue;
      double c = thread_cpu_seconds();
      auto a = Clock::now();
      engine.check_tone(d.first, ctx[static_cast<int>(l)]);
      us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
      cpu_us.push_back((thread_cpu_seconds() - c) * 1e6);
    }
    std::printf("%s   latency, 300-character %s draft: p50 %.1f µs, p99 %.1f µs, max %.1f µs over %zu checks   "
                "(target p99 <= 50 µs)\n        CPU time per check: p50 %.1f µs, p99 %.1f µs   (load average %.2f)\n",
                l == Locale::zh_CN ? "\n2." : "  ", locale_name(l), pct(us, 0.5), pct(us, 0.99), pct(us, 1.0), us.size(),
                pct(cpu_us, 0.5), pct(cpu_us, 0.99), load_average());
  }

  // 3. Typing: re-check after each additional character (the whole draft is checked again).
  for (Locale l : {Locale::zh_CN, Locale::en}) {
    std::vector<double> us;
    auto t1 = Clock::now();
    while (seconds_since(t1) < budget / 3) {
      std::string full = make_draft(rng, l == Locale::en ? 2 : 0, 300);
      auto cps = decode_utf8(full);
      std::string typed;
      for (std::size_t k = 0; k < cps.size() && k < 300; ++k) {
        append_utf8(typed, cps[k]);
        if (!is_alnum(cps[k]) && cps[k] != ' ' && typed.size() < 2) continue;
        if (typed.find_first_not_of(' ') == std::string::npos) continue;
        auto a = Clock::now();
        engine.check_tone(typed, ctx[static_cast<int>(l)]);
        us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
      }
    }
    std::printf("%s   re-check after one more typed character (%s, drafts growing to 300 characters): p50 %.1f µs, "
                "p99 %.1f µs over %zu keystrokes\n",
                l == Locale::zh_CN ? "\n3." : "  ", locale_name(l), pct(us, 0.5), pct(us, 0.99), us.size());
  }

  // 4. The matcher alone: Hyperscan (PatternSet) vs RE2::Set, same patterns, same normalised text.
  {
    std::vector<SourceFile> files = bundled_tone_files();
    tone::RuleSet set;
    std::vector<Diagnostic> diags;
    tone::load_rule_files(files, false, set, diags);
    std::printf("\n4. matcher only, on the normalised drafts:\n");
    for (auto& [locale, pack] : set.packs) {
      std::vector<std::pair<std::string, bool>> exprs;  // folded expression, is regex
      auto fold = [&](const std::string& s) { return normalize_text(s, &engine.chinese().to_simplified()).utf8(); };
      for (auto& [g, ps] : pack.markers)
        for (auto& p : ps) exprs.push_back({fold(p), false});
      for (auto& n : pack.negations) exprs.push_back({fold(n), false});
      for (auto& r : pack.rules) {
        for (auto& p : r.phrases) exprs.push_back({fold(p.text), false});
        for (auto& p : r.near_first) exprs.push_back({fold(p), false});
        for (auto& p : r.near_then) exprs.push_back({fold(p), false});
        for (auto& p : r.except) exprs.push_back({fold(p), false});
        for (auto& re : r.regexes) exprs.push_back({re, true});
      }
      // As the checker compiles them: a phrase listed in several places is one pattern.
      std::sort(exprs.begin(), exprs.end());
      exprs.erase(std::unique(exprs.begin(), exprs.end()), exprs.end());
      std::vector<PatternSet::Pattern> pats;
      for (std::size_t i = 0; i < exprs.size(); ++i) pats.push_back({exprs[i].first, static_cast<unsigned>(i), exprs[i].second});
      auto tc = Clock::now();
      PatternSet hs(pats);
      double hs_compile = seconds_since(tc) * 1000;
      std::vector<std::string> texts;
      std::size_t tb = 0;
      for (const auto& [text, l] : drafts)
        if (data_locale(l) == locale) {
          texts.push_back(normalize_text(text, &engine.chinese().to_simplified()).utf8());
          tb += texts.back().size();
        }
      std::size_t b = 0, matches = 0;
      auto t1 = Clock::now();
      while (seconds_since(t1) < budget / 4)
        for (const auto& t : texts) {
          matches += hs.scan(t).size();
          b += t.size();
        }
      double hs_mbs = b / seconds_since(t1) / 1e6;
      std::printf("   %s, %zu patterns: Hyperscan compile %.0f ms, scan %.0f MB/s (every match with its span)\n",
                  locale_name(locale), pats.size(), hs_compile, hs_mbs);
#ifdef KEFU_BENCH_RE2
      RE2::Options opt;
      opt.set_case_sensitive(false);
      opt.set_max_mem(256 << 20);
      RE2::Set re2set(opt, RE2::UNANCHORED);
      tc = Clock::now();
      for (const auto& [e, regex] : exprs) {
        std::string err;
        if (re2set.Add(regex ? e : RE2::QuoteMeta(e), &err) < 0) std::printf("   RE2 rejects %s: %s\n", e.c_str(), err.c_str());
      }
      bool compiled = re2set.Compile();
      double re2_compile = seconds_since(tc) * 1000;
      std::vector<int> hit;
      b = 0;
      t1 = Clock::now();
      while (compiled && seconds_since(t1) < budget / 4)
        for (const auto& t : texts) {
          hit.clear();
          re2set.Match(t, &hit);
          b += t.size();
        }
      double re2_mbs = compiled ? b / seconds_since(t1) / 1e6 : 0;
      std::printf("   %s, RE2::Set: compile %.0f ms, match %.0f MB/s (which patterns matched, no spans: %.2fx Hyperscan's "
                  "speed before finding any span)\n",
                  locale_name(locale), re2_compile, re2_mbs, hs_mbs > 0 ? re2_mbs / hs_mbs : 0);
#else
      std::printf("   (RE2 not found at build time: RE2::Set not measured)\n");
#endif
      (void)tb;
      (void)matches;
    }
  }

  // 5. proselint and write-good on the same English drafts.
  std::vector<std::string> english;
  for (const auto& [text, l] : drafts)
    if (l == Locale::en) english.push_back(text);
  std::size_t en_bytes = 0;
  for (const auto& t : english) en_bytes += t.size();
  std::size_t b = 0;
  auto t1 = Clock::now();
  while (seconds_since(t1) < budget / 3)
    for (const auto& t : english) {
      engine.check_tone(t, ctx[static_cast<int>(Locale::en)]);
      b += t.size();
    }
  double kefu_en = b / seconds_since(t1) / 1e6;
  std::printf("\n5. the same %zu English drafts (%zu bytes), one thread, start-up excluded:\n   kefu tone:  %.2f MB/s\n",
              english.size(), en_bytes, kefu_en);
  if (!external) return 0;
  std::string corpus = "/tmp/kefu_bench_tone_en.txt";
  {
    std::ofstream out(corpus, std::ios::binary);
    for (const auto& t : english) out << t << "\n";  // one draft per line
  }
  // proselint: the Python API, each draft linted separately.
  std::string pl = run(
      "/usr/bin/python3 -c \"import sys,time\nfrom proselint.tools import lint\nds=open('" + corpus +
      "',encoding='utf-8').read().splitlines()\nlint(ds[0])\nt=time.perf_counter();n=0;b=0\nfor d in ds[:60]:\n  n+=len(lint(d));b+=len(d.encode())\n"
      "print(b/(time.perf_counter()-t)/1e6, n)\" 2>/dev/null");
  if (pl.empty()) {
    std::printf("   proselint:  not available (apt-get install -y python3-proselint)\n");
  } else {
    double mbs = std::atof(pl.c_str());
    std::printf("   proselint:  %.4f MB/s on the first 60 drafts (%s findings) -> kefu is %.0fx faster\n", mbs,
                pl.substr(pl.find(' ') + 1).c_str(), mbs > 0 ? kefu_en / mbs : 0);
  }
  std::string node_dir;
  for (std::string d : {std::string(KEFU_SOURCE_DIR) + "/tests/bench/node/node_modules", std::string("/tmp/kefu-bench-node/node_modules"),
                        std::string("/tmp/tone/node/node_modules")})
    if (exists(d + "/write-good/package.json")) node_dir = d;
  if (const char* np = std::getenv("NODE_PATH"); node_dir.empty() && np && exists(std::string(np) + "/write-good/package.json"))
    node_dir = np;
  if (node_dir.empty()) {
    std::printf("   write-good: not available (npm install --prefix /tmp/kefu-bench-node write-good)\n");
  } else {
    std::string wg = run("NODE_PATH=" + node_dir + " node -e \"const wg=require('write-good');const fs=require('fs');"
                         "const ds=fs.readFileSync('" + corpus + "','utf8').split('\\n').filter(Boolean);wg(ds[0]);"
                         "let n=0,b=0;const t=process.hrtime.bigint();for(let r=0;r<20;r++)for(const d of ds){n+=wg(d).length;"
                         "b+=Buffer.byteLength(d);}const s=Number(process.hrtime.bigint()-t)/1e9;console.log(b/s/1e6,n/20)\" 2>/dev/null");
    if (wg.empty()) {
      std::printf("   write-good: failed to run (node %s)\n", node_dir.c_str());
    } else {
      double mbs = std::atof(wg.c_str());
      std::printf("   write-good: %.2f MB/s (%s findings per pass) -> kefu is %.1fx faster\n", mbs,
                  wg.substr(wg.find(' ') + 1).c_str(), mbs > 0 ? kefu_en / mbs : 0);
    }
  }
  return 0;
}
