// Customer archive benchmark (issue 4): generates customers, orders, consultations and notes,
// imports them through the store's own import, then times the lookups an agent's sidebar makes.
//
//   build/tests/bench/kefu_bench_customers                       1,000,000 customers, 5,000,000 notes
//   build/tests/bench/kefu_bench_customers --customers 100000 --notes 500000   quicker
//   options: --dir PATH (default /tmp/kefu-bench-customers), --keep (reuse a database of the same
//            size), --queries N (per measurement, default 2000), --compare N (tokenizer comparison
//            on N notes, default 100000; 0 skips it), --batch-rows N (rows per import transaction;
//            default: the store's own)
//
// Targets (issue 4): lookup by external id ≤ 20 µs median, by phone or email ≤ 50 µs, note
// full-text search (Chinese and English) ≤ 5 ms p99, profile card ≤ 200 µs, import ≥ 100,000
// rows/s. Printed, never asserted.
//
// The import figure against the target is the whole dataset: every row of the three files
// (customers CSV, orders and consultations JSON Lines, notes JSON Lines) over the wall time of the
// three imports, each including its index and full-text maintenance (the merge at the end of an
// import too). The re-import of the customers (idempotence) is printed on its own line.
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "customers/sqlite_db.hpp"
#include "kefu/chinese.hpp"
#include "kefu/customer_store.hpp"
#include "kefu/error.hpp"
#include "kefu/text.hpp"

using namespace kefu;
using Clock = std::chrono::steady_clock;

namespace {

double micros(Clock::time_point t0) { return std::chrono::duration<double, std::micro>(Clock::now() - t0).count(); }

double pct(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5))];
}

// CPU seconds of this process (user + system): the machine is shared, so wall time alone misleads.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double rss_mib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

double peak_rss_mib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

// The machine's load (1, 5 and 15 minutes): wall-clock figures mean little while others build.
std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

double file_mib(const std::string& path) {
  std::error_code ec;
  auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<double>(n) / (1024.0 * 1024.0);
}

// ---- data ----

const std::vector<std::string> kSurnames = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
                                            "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋"};
const std::vector<std::string> kGiven = {"芳", "伟", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军",
                                         "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "小红", "建华"};
const std::vector<std::string> kEnglish = {"Jane", "John", "Mary", "David", "Linda", "Tom", "Emma", "Lucas", "Olivia", "Noah"};
const std::vector<std::string> kLast = {"Smith", "Doe", "Brown", "Lee", "Wong", "Taylor", "Garcia", "Chen", "Miller", "Davis"};
const std::vector<std::string> kTags = {"vip", "price_sensitive", "quality_seeking", "health_beauty", "wholesale", "student"};

// Note fragments: the things agents write down, as the standard asks (preferences, sizes, history).
const std::vector<std::string> kZhPrefix = {"客户", "顾客", "买家", "老客户", "这位亲", "回头客"};
const std::vector<std::string> kZhBody = {
    "喜欢蓝色，穿M码", "上次退货因为尺码偏小", "对面料很在意，只要纯棉", "问过物流能不能发顺丰", "收到的裙子有色差，已经补偿优惠券",
    "怕冷，推荐加厚款", "生日在五月，记得送券", "嫌价格贵，等活动再买", "给女儿买校服，身高一米四", "皮肤敏感，不用含酒精的产品",
    "喜欢简约风格", "地址在北京朝阳区，工作日不方便收货", "投诉过快递员态度差", "要求开增值税发票", "换过一次货，换大一码",
    "经常买羊毛围巾送人", "对客服回复速度很满意", "希望有同款不同颜色", "询问过会员积分怎么用", "说衣服洗后起球"};
const std::vector<std::string> kZhTail = {"", "，下次主动提醒", "。已备注", "，语气比较急", "，很好沟通", "（电话确认过）"};
const std::vector<std::string> kEnBody = {
    "prefers navy blue, wears size M", "returned the last order because it ran small", "asked about express shipping to Boston",
    "sensitive skin, avoid fragrance", "complained about a late delivery", "likes minimalist styles",
    "wants an invoice with the company name", "exchanged once for a larger size", "birthday in May, send a coupon",
    "very happy with the quick replies", "waiting for the sale before buying", "buys wool scarves as gifts"};
// Traditional forms, as zh-TW/zh-HK customers' notes arrive.
const std::vector<std::string> kZhTwBody = {"喜歡藍色，穿M碼", "上次退貨因為尺碼偏小", "問過物流能不能發順豐", "說衣服洗後起球"};

struct Rng {
  std::mt19937_64 g{20251123};
  std::size_t pick(std::size_t n) { return static_cast<std::size_t>(g() % n); }
  template <class T>
  const T& of(const std::vector<T>& v) { return v[pick(v.size())]; }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(g) < p; }
};

std::string phone_of(std::size_t i) { return std::to_string(13000000000ULL + (i * 7919ULL) % 999999999ULL); }

std::string csv_quote(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

void write_customers(const std::string& path, std::size_t n) {
  Rng r;
  std::ofstream f(path);
  f << "external_id,name,phone,email,birthday,tags\n";
  for (std::size_t i = 1; i <= n; ++i) {
    bool zh = !r.chance(0.2);
    std::string name = zh ? r.of(kSurnames) + r.of(kGiven) : r.of(kEnglish) + " " + r.of(kLast);
    std::string tags = r.chance(0.5) ? r.of(kTags) : "";
    if (r.chance(0.2)) tags += (tags.empty() ? "" : ";") + r.of(kTags);
    char birthday[16] = "";
    if (r.chance(0.6)) std::snprintf(birthday, sizeof birthday, "%d-%02d-%02d", 1960 + static_cast<int>(r.pick(45)),
                                     1 + static_cast<int>(r.pick(12)), 1 + static_cast<int>(r.pick(28)));
    f << "taobao:user" << i << "," << csv_quote(name) << "," << phone_of(i) << ",user" << i << "@example.com,"
      << birthday << "," << tags << "\n";
  }
}

std::string note_text(Rng& r, std::size_t i) {
  double k = r.pick(100) / 100.0;
  if (k < 0.65) return r.of(kZhPrefix) + r.of(kZhBody) + r.of(kZhTail) + "（单号" + std::to_string(i % 100000) + "）";
  if (k < 0.75) return "客戶" + r.of(kZhTwBody) + "（單號" + std::to_string(i % 100000) + "）";
  return "Customer " + r.of(kEnBody) + " (ticket " + std::to_string(i % 100000) + ")";
}

void write_notes(const std::string& path, std::size_t customers, std::size_t n) {
  Rng r;
  r.g.seed(7);
  std::ofstream f(path);
  for (std::size_t i = 1; i <= n; ++i)
    f << "{\"type\":\"note\",\"customer\":\"taobao:user" << 1 + r.pick(customers) << "\",\"text\":\""
      << json_escape(note_text(r, i)) << "\",\"author\":\"agent" << r.pick(20) << "\",\"time\":"
      << 1700000000 + static_cast<long long>(i) * 7 << "}\n";
}

void write_records(const std::string& path, std::size_t customers) {
  Rng r;
  r.g.seed(11);
  std::ofstream f(path);
  const std::vector<std::string> items = {"碎花连衣裙", "羊毛围巾", "真丝衬衫", "纯棉T恤", "牛仔裤", "wool scarf", "linen shirt"};
  const std::vector<std::string> intents = {"sizing", "shipping", "refund", "quality_complaint", "product_info", "thanks_bye"};
  for (std::size_t i = 1; i <= customers / 2; ++i)
    f << "{\"type\":\"order\",\"customer\":\"taobao:user" << 1 + r.pick(customers) << "\",\"order_id\":\"T" << i
      << "\",\"items\":[\"" << r.of(items) << "\"],\"amount\":" << 20 + r.pick(500) << ",\"currency\":\"CNY\",\"time\":"
      << 1690000000 + static_cast<long long>(r.pick(40000000)) << ",\"status\":\"delivered\"}\n";
  for (std::size_t i = 1; i <= customers / 5; ++i)
    f << "{\"type\":\"consultation\",\"customer\":\"taobao:user" << 1 + r.pick(customers) << "\",\"intent\":\""
      << r.of(intents) << "\",\"summary\":\"" << r.of(kZhBody) << "\",\"satisfaction\":" << 1 + r.pick(5)
      << ",\"channel\":\"taobao\",\"time\":" << 1690000000 + static_cast<long long>(r.pick(40000000)) << "}\n";
}

// ---- measuring ----

double thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

// Wall time per call, and this thread's CPU time per call (the machine is shared: a call may wait
// for a core, which the wall time shows and the CPU time does not).
struct Series {
  std::vector<double> us, cpu;
  void print(const char* what, const char* target = "") const {
    std::printf("  %-40s median %8.1f µs  p99 %8.1f µs | CPU median %8.1f µs  p99 %8.1f µs (n=%zu)%s%s\n", what,
                pct(us, 0.5), pct(us, 0.99), pct(cpu, 0.5), pct(cpu, 0.99), us.size(), *target ? "  target " : "", target);
  }
};

template <class Fn>
Series time_each(std::size_t n, Fn&& fn) {
  Series s;
  s.us.reserve(n);
  s.cpu.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    double c0 = thread_cpu_us();
    auto t0 = Clock::now();
    fn(i);
    s.us.push_back(micros(t0));
    s.cpu.push_back(thread_cpu_us() - c0);
  }
  return s;
}

// ---- tokenizer comparison ----

struct Variant {
  const char* name;
  const char* tokenize;
};

void compare_tokenizers(const std::string& dir, std::size_t n) {
  std::printf("\nfull-text tokenizers on %zu notes (same data; index size from dbstat):\n", n);
  ChineseConverters chinese;
  const ChineseConverter* t2s = &chinese.to_simplified();
  std::vector<std::string> notes;
  Rng r;
  r.g.seed(7);
  for (std::size_t i = 1; i <= n; ++i) notes.push_back(note_text(r, i));
  // Queries and their true answers: folded substring containment (what an agent means).
  struct Q {
    std::string text;
    const char* kind;
    std::size_t truth = 0;
  };
  std::vector<Q> queries = {{"尺码偏小", "zh 4 chars"}, {"洗后起球", "zh 4 chars"}, {"纯棉", "zh 2 chars"},
                            {"退货", "zh 2 chars"},     {"退貨", "zh-TW 2 chars"}, {"喜歡藍色", "zh-TW 4 chars"},
                            {"express shipping", "en phrase"}, {"scarves", "en word"}};
  std::vector<std::string> folded;
  folded.reserve(notes.size());
  for (const auto& s : notes) folded.push_back(normalize_text(s, t2s).utf8());
  for (auto& q : queries) {
    std::string fq = normalize_text(q.text, t2s).utf8();
    for (const auto& s : folded) q.truth += s.find(fq) != std::string::npos;
  }
  const Variant variants[] = {{"kefu (bigrams + words, used)", "kefu"},
                              {"trigram (SQLite's)", "trigram"},
                              {"unicode61 (SQLite's default)", "unicode61"}};
  for (const auto& v : variants) {
    std::string path = dir + "/tokenizer.db";
    std::filesystem::remove(path);
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sql::register_tokenizer(db, t2s);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;", nullptr, nullptr, nullptr);
    std::string ddl = std::string("CREATE TABLE notes(id INTEGER PRIMARY KEY, text TEXT);"
                                  "CREATE VIRTUAL TABLE notes_fts USING fts5(text, content='notes', content_rowid='id', tokenize='") +
                      v.tokenize + "');";
    sqlite3_exec(db, ddl.c_str(), nullptr, nullptr, nullptr);
    auto t0 = Clock::now();
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    sqlite3_stmt* ins = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO notes(id, text) VALUES (?1, ?2)", -1, &ins, nullptr);
    for (std::size_t i = 0; i < notes.size(); ++i) {
      sqlite3_bind_int64(ins, 1, static_cast<sqlite3_int64>(i + 1));
      sqlite3_bind_text(ins, 2, notes[i].c_str(), static_cast<int>(notes[i].size()), SQLITE_STATIC);
      sqlite3_step(ins);
      sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    sqlite3_exec(db, "INSERT INTO notes_fts(notes_fts) VALUES ('rebuild'); COMMIT;", nullptr, nullptr, nullptr);
    double build_s = micros(t0) / 1e6;
    double index_mib = 0;
    {
      sqlite3_stmt* st = nullptr;
      sqlite3_prepare_v2(db, "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'notes_fts%'", -1, &st, nullptr);
      if (sqlite3_step(st) == SQLITE_ROW) index_mib = sqlite3_column_double(st, 0) / (1024.0 * 1024.0);
      sqlite3_finalize(st);
    }
    std::printf("  %-30s build %6.1f s   index %7.1f MiB\n", v.name, build_s, index_mib);
    for (const auto& q : queries) {
      std::string match = "\"" + q.text + "\"";
      sqlite3_stmt* st = nullptr;
      sqlite3_prepare_v2(db, "SELECT count(*) FROM notes_fts WHERE notes_fts MATCH ?1", -1, &st, nullptr);
      sqlite3_bind_text(st, 1, match.c_str(), -1, SQLITE_TRANSIENT);
      std::size_t found = 0;
      auto q0 = Clock::now();
      if (sqlite3_step(st) == SQLITE_ROW) found = static_cast<std::size_t>(sqlite3_column_int64(st, 0));
      double us = micros(q0);
      sqlite3_finalize(st);
      // The newest 20 matches, as the store asks for them.
      sqlite3_prepare_v2(db, "SELECT rowid FROM notes_fts WHERE notes_fts MATCH ?1 ORDER BY rowid DESC LIMIT 20", -1, &st,
                         nullptr);
      sqlite3_bind_text(st, 1, match.c_str(), -1, SQLITE_TRANSIENT);
      auto t20 = Clock::now();
      while (sqlite3_step(st) == SQLITE_ROW) {
      }
      double us20 = micros(t20);
      sqlite3_finalize(st);
      std::printf("      %-18s %-14s found %7zu of %7zu   count %8.0f µs   newest 20 %7.0f µs\n", q.text.c_str(), q.kind, found,
                  q.truth, us, us20);
    }
    // The fallback for what an index cannot answer: a LIKE scan, newest first, 20 results.
    if (std::string(v.tokenize) == "kefu") {
      sqlite3_stmt* st = nullptr;
      sqlite3_prepare_v2(db, "SELECT id FROM notes WHERE text LIKE '%退货%' ORDER BY id DESC LIMIT 20", -1, &st, nullptr);
      auto t1 = Clock::now();
      while (sqlite3_step(st) == SQLITE_ROW) {
      }
      double common = micros(t1);
      sqlite3_finalize(st);
      sqlite3_prepare_v2(db, "SELECT id FROM notes WHERE text LIKE '%罕见%' ORDER BY id DESC LIMIT 20", -1, &st, nullptr);
      t1 = Clock::now();
      while (sqlite3_step(st) == SQLITE_ROW) {
      }
      double rare = micros(t1);
      sqlite3_finalize(st);
      std::printf("      LIKE fallback (2 chars)            common word %7.0f µs   absent word (full scan) %9.0f µs\n", common,
                  rare);
    }
    sqlite3_close(db);
    std::filesystem::remove(path);
    std::filesystem::remove(path + "-wal");
    std::filesystem::remove(path + "-shm");
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t customers = 1000000, notes = 5000000, queries = 2000, compare = 100000;
  SqliteStoreOptions store_options;
  std::string dir = "/tmp/kefu-bench-customers";
  ImportOptions import_options;  // the store's defaults unless --batch-rows
  bool keep = false, only_search = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--customers") customers = std::stoul(next());
    else if (a == "--notes") notes = std::stoul(next());
    else if (a == "--queries") queries = std::stoul(next());
    else if (a == "--compare") compare = std::stoul(next());
    else if (a == "--dir") dir = next();
    else if (a == "--batch-rows") import_options.batch_rows = std::stoul(next());
    else if (a == "--keep") keep = true;
    else if (a == "--mmap-mib") store_options.mmap_bytes = std::stoll(next()) * 1024 * 1024;
    else if (a == "--cache-mib") store_options.cache_kib = std::stoi(next()) * 1024;
    else if (a == "--search-only") only_search = true;
    else {
      std::fprintf(stderr,
                   "usage: kefu_bench_customers [--customers N] [--notes N] [--queries N] [--compare N] [--dir PATH] [--keep]\n"
                   "                            [--mmap-mib N] [--cache-mib N] [--batch-rows N] [--search-only]\n");
      return 2;
    }
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures as they come, also into a file
  std::filesystem::create_directories(dir);
  const std::string tag = std::to_string(customers) + "-" + std::to_string(notes);
  const std::string db = dir + "/bench-" + tag + ".db";
  std::printf("kefu customer archive benchmark: %zu customers, %zu notes, %zu orders, %zu consultations\n", customers, notes,
              customers / 2, customers / 5);
  std::printf("database %s (SQLite %s)\n", db.c_str(), sqlite3_libversion());

  bool reuse = keep && std::filesystem::exists(db);
  if (!reuse) {
    for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(db + s);
    auto t0 = Clock::now();
    write_customers(dir + "/customers.csv", customers);
    write_notes(dir + "/notes.jsonl", customers, notes);
    write_records(dir + "/records.jsonl", customers);
    std::printf("generated the files in %.1f s\n", micros(t0) / 1e6);
  }

  auto store = open_customer_store(db, store_options);
  if (!reuse) {
    std::printf("\nimport (one transaction per %zu rows, through CustomerStore::import_file; rows/s by wall clock and by CPU time):\n",
                import_options.batch_rows);
    std::printf("  load average before: %s\n", load_average().c_str());
    double total_s = 0, total_cpu = 0;
    std::size_t total_rows = 0;
    auto timed = [&](const char* what, const std::string& file, const char* note) {
      auto t0 = Clock::now();
      double c0 = cpu_seconds();
      auto r = store->import_file(file, import_options);
      double s = micros(t0) / 1e6, cpu = cpu_seconds() - c0;
      std::printf("  %-18s %9zu rows in %6.1f s (%6.1f s CPU) = %8.0f rows/s wall, %8.0f rows/CPU-s   failed %zu%s\n", what,
                  r.rows, s, cpu, static_cast<double>(r.rows) / s, static_cast<double>(r.rows) / cpu, r.failed, note);
      total_s += s, total_cpu += cpu, total_rows += r.rows;
      return r;
    };
    timed("customers CSV", dir + "/customers.csv", "");
    timed("orders+consults", dir + "/records.jsonl", "");
    timed("notes JSONL", dir + "/notes.jsonl", "   (full-text indexed)");
    std::printf("  %-18s %9zu rows in %6.1f s (%6.1f s CPU) = %8.0f rows/s wall, %8.0f rows/CPU-s   target ≥ 100,000 (wall)\n",
                "whole dataset", total_rows, total_s, total_cpu, static_cast<double>(total_rows) / total_s,
                static_cast<double>(total_rows) / total_cpu);
    std::printf("  load average after: %s\n", load_average().c_str());
    auto again = timed("customers again", dir + "/customers.csv", "");
    std::printf("  %-18s idempotent: %zu created, %zu unchanged\n", "", again.customers_created, again.unchanged);
  }

  // Warm the page cache the way a running helpdesk would have it.
  store->customer_count();
  store->note_count();

  Rng r;
  r.g.seed(99);
  if (!only_search) {
  std::printf("\nlookups (%zu each, random customers):\n", queries);
  time_each(queries, [&](std::size_t) { store->by_external_id("taobao:user" + std::to_string(1 + r.pick(customers))); })
      .print("by external id (full customer)", "median ≤ 20 µs");
  time_each(queries, [&](std::size_t) { store->resolve("taobao:user" + std::to_string(1 + r.pick(customers))); })
      .print("resolve external id → kefu id");
  time_each(queries, [&](std::size_t) {
    std::string p = phone_of(1 + r.pick(customers));
    store->by_phone("+86 " + p.substr(0, 3) + "-" + p.substr(3, 4) + "-" + p.substr(7));
  }).print("by phone \"+86 138-1234-5678\"", "median ≤ 50 µs");
  time_each(queries, [&](std::size_t) { store->by_email("USER" + std::to_string(1 + r.pick(customers)) + "@Example.com"); })
      .print("by email (other case)", "median ≤ 50 µs");
  time_each(queries, [&](std::size_t) { store->by_name_prefix(r.of(kSurnames) + r.of(kGiven), 10); })
      .print("by name prefix (10 customers)");
  time_each(queries, [&](std::size_t) { store->find("taobao:user" + std::to_string(1 + r.pick(customers)), 20); })
      .print("find (every path) by external id");

  std::printf("\nprofile card (customer, ids, last order, open problems, complaint, scores, notes, reminders):\n");
  time_each(queries, [&](std::size_t) {
    try {
      store->profile(1 + static_cast<CustomerId>(r.pick(customers)));
    } catch (const Error&) {  // forgotten by an earlier run (--keep)
    }
  })
      .print("profile card", "≤ 200 µs");

  }
  std::printf("\nfull-text search over %zu notes + consultations (20 results, ranked):\n", notes);
  const std::vector<std::string> zh = {"尺码偏小", "洗后起球", "纯棉", "退货", "顺丰", "送券", "羊毛围巾", "起球", "色差", "朝阳区"};
  const std::vector<std::string> tw = {"退貨", "尺碼偏小", "喜歡藍色"};
  const std::vector<std::string> en = {"navy blue", "express shipping", "refund", "scarves", "late delivery", "coupon",
                                       "invoice", "fragrance"};
  const std::vector<std::string> rare = {"单号4242）", "ticket 31337", "單號777"};
  std::size_t qn = std::max<std::size_t>(200, queries / 4);
  auto run = [&](const std::vector<std::string>& set, const char* what, const char* target) {
    std::size_t hits = 0;
    auto s = time_each(qn, [&](std::size_t i) { hits += store->search(set[i % set.size()]).size(); });
    s.print(what, target);
    std::printf("  %-40s %.1f results per query\n", "", static_cast<double>(hits) / static_cast<double>(qn));
  };
  run(zh, "Chinese (2-4 characters)", "p99 ≤ 5 ms");
  run(tw, "Traditional Chinese", "p99 ≤ 5 ms");
  run(en, "English", "p99 ≤ 5 ms");
  run(rare, "rare terms (order/ticket numbers)", "p99 ≤ 5 ms");
  {
    auto s = time_each(20, [&](std::size_t i) { store->search(i % 2 ? "蓝" : "x"); });
    s.print("one character (LIKE scan, newest first)");
  }

  if (only_search) return 0;
  std::printf("\ncare reminders over the whole archive:\n");
  time_each(5, [&](std::size_t i) {
    ReminderOptions o;
    o.today = i % 2 ? "2024-02-05" : "2024-09-13";  // before Spring Festival / Mid-Autumn
    store->reminders(o);
  }).print("reminders (limit 200)");

  std::printf("\nfile and memory:\n");
  std::printf("  database file %.1f MiB + WAL %.1f MiB\n", file_mib(db), file_mib(db + "-wal"));
  std::printf("  resident memory %.1f MiB now, %.1f MiB peak (includes the page caches and memory-mapped pages)\n",
              rss_mib(), peak_rss_mib());

  {
    CustomerId victim = 1 + static_cast<CustomerId>(r.pick(customers));
    while (!store->get(victim)) victim = 1 + static_cast<CustomerId>(r.pick(customers));  // --keep: forgotten before
    auto t0 = Clock::now();
    auto fr = store->forget(victim);
    std::printf("\nforget one customer (%zu notes; full-text segments merged, log truncated): %.1f s, purged: %s\n",
                fr.notes, micros(t0) / 1e6, fr.purged ? "yes" : "no");
  }
  store.reset();
  if (compare) compare_tokenizers(dir, std::min(compare, notes));
  return 0;
}
