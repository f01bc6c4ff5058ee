// Helpers shared by the benchmarks: timing, percentiles, resident memory, message sets.
#pragma once
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

namespace kefu::bench {

using Clock = std::chrono::steady_clock;

inline double micros_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

/// q in [0, 1]; sorts a copy.
inline double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::size_t i = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

/// CPU time of the whole process (every thread) in milliseconds.
inline double process_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

/// Resident set size of this process in MiB (VmRSS).
inline double rss_mib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

/// The "text" field of each line of a JSON Lines file (a small scanner: the files are our own).
inline std::vector<std::string> jsonl_texts(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto k = line.find("\"text\": \"");
    std::size_t skip = 9;
    if (k == std::string::npos) k = line.find("\"text\":\""), skip = 8;
    if (k == std::string::npos) continue;
    std::string s;
    for (std::size_t i = k + skip; i < line.size() && line[i] != '"'; ++i) {
      if (line[i] == '\\' && i + 1 < line.size()) ++i;
      s += line[i];
    }
    out.push_back(s);
  }
  return out;
}

}  // namespace kefu::bench
