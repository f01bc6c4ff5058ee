#!/usr/bin/python3
"""Load benchmark of `kefu serve` on loopback (issue 5): suggest requests per second, latency
percentiles, and whether every answer stayed correct during the run. Prints figures; asserts nothing.

    /usr/bin/python3 tests/bench/bench_serve.py [--cli build/bindings/cli/kefu] [--duration 10]
                                                [--connections 32] [--workers 1,2]

The load comes from Debian's `wrk` (one thread, so the service keeps most of the two cores) with a Lua
script that sends a rotating set of Chinese (Simplified, Traditional) and English messages and checks
each answer byte for byte against the answer the service gave for that message before the run.
Each run is bounded: --duration seconds (at most 60), loopback only. Targets from the issue: at least
2,000 requests/s with p99 at most 20 ms on 2 cores. Other processes on the machine share those cores;
the load average is printed beside the figures.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOKEN = "bench-token"
MESSAGES = [
    {"text": "我的快递怎么还没到？都一个星期了", "locale": "zh-CN"},
    {"text": "有点贵，能便宜点吗", "locale": "zh-CN"},
    {"text": "这件衣服有XL码吗？我平时穿L", "locale": "zh-CN"},
    {"text": "收到的杯子是碎的，太让人生气了！", "locale": "zh-CN"},
    {"text": "我的包裹怎麼還沒到？都一個禮拜了！！！", "locale": "zh-TW"},
    {"text": "請問可以開發票嗎？", "locale": "zh-HK"},
    {"text": "The jacket I received has a broken zipper. This is ridiculous!", "locale": "en"},
    {"text": "hi, can I still change the delivery address for my order?", "locale": "en"},
]


def lua_str(s: str) -> str:
    level = "=" * 4
    assert f"]{level}]" not in s
    return f"[{level}[{s}]{level}]"


def wrk_script(bodies: list, expected: list, delay_ms: float = 0.0) -> str:
    pace = f"function delay() return {delay_ms:.3f} end" if delay_ms > 0 else ""
    return f"""{pace}
local messages = {{ {", ".join(lua_str(b) for b in bodies)} }}
local expected = {{ {", ".join(f"[ {lua_str(e)} ] = true" for e in expected)} }}
local i = 0
checked, wrong = 0, 0
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function request()
  i = i % #messages + 1
  return wrk.format("POST", "/v1/suggest",
    {{["Authorization"] = "Bearer {TOKEN}", ["Content-Type"] = "application/json"}}, messages[i])
end
function response(status, headers, body)
  checked = checked + 1
  if status ~= 200 or not expected[body] then wrong = wrong + 1 end
end
function done(summary, latency, requests)
  local c, w = 0, 0
  for _, t in ipairs(threads) do c = c + t:get("checked"); w = w + t:get("wrong") end
  io.write(string.format("kefu-check: %d %d\\n", c, w))
  for _, p in ipairs({{50, 90, 99, 99.9}}) do
    io.write(string.format("kefu-latency: %s %.3f\\n", p, latency:percentile(p) / 1000.0))
  end
  io.write(string.format("kefu-total: %d %d %d\\n", summary.requests, summary.duration,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def start(cli: str, workers: int):
    env = dict(os.environ, KEFU_TOKEN=TOKEN, KEFU_DB=os.path.join(tempfile.mkdtemp(prefix="kefu-bench-"), "kefu.db"))
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([cli, "serve", "--port", "0", "--workers", str(workers)], env=env,
                            stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.time() + 60
    port = None
    while time.time() < deadline and port is None:
        log.seek(0)
        m = re.search(rb"http://127\.0\.0\.1:(\d+)/", log.read())
        port = int(m.group(1)) if m else None
        if port is None:
            if proc.poll() is not None:
                log.seek(0)
                sys.exit("kefu serve did not start: " + log.read().decode())
            time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=20).read()
            break
        except OSError:
            time.sleep(0.1)
    return proc, base


def cpu_seconds(root_pid: int) -> float:
    """user+system CPU of a process and its children (the workers), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        if pid == root_pid or ppid == root_pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def suggest(base: str, body: bytes) -> str:
    req = urllib.request.Request(base + "/v1/suggest", data=body, method="POST",
                                 headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    return urllib.request.urlopen(req, timeout=30).read().decode("utf-8")


def run(cli: str, workers: int, duration: int, connections: int, rate: float = 0.0) -> dict:
    proc, base = start(cli, workers)
    try:
        bodies = [json.dumps(m, ensure_ascii=False) for m in MESSAGES]
        for b in bodies:  # warm every worker's engine (allocations, caches)
            for _ in range(20 * workers):
                suggest(base, b.encode())
        expected = [suggest(base, b.encode()) for b in bodies]
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, encoding="utf-8") as f:
            # Paced: each connection waits so that all of them together offer about `rate` requests/s.
            f.write(wrk_script(bodies, expected, max(0.0, connections * 1000.0 / rate - 2.0) if rate else 0.0))
            script = f.name
        load_before = os.getloadavg()[0]
        server_cpu = cpu_seconds(proc.pid)
        wrk_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "5s",
                              "-s", script, base + "/v1/suggest"], capture_output=True, text=True,
                             timeout=duration + 60)
        if out.returncode != 0 or "kefu-check" not in out.stdout:
            sys.exit(f"wrk failed: {out.stdout}\n{out.stderr}")
        out = out.stdout
        load_after = os.getloadavg()[0]
        server_cpu = cpu_seconds(proc.pid) - server_cpu
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        wrk_cpu = (after.ru_utime - wrk_cpu.ru_utime) + (after.ru_stime - wrk_cpu.ru_stime)
        os.unlink(script)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    checked, wrong = map(int, re.search(r"kefu-check: (\d+) (\d+)", out).groups())
    total, micros, errors = map(int, re.search(r"kefu-total: (\d+) (\d+) (\d+)", out).groups())
    lat = {p: float(v) for p, v in re.findall(r"kefu-latency: ([\d.]+) ([\d.]+)", out)}
    return {"workers": workers, "connections": connections, "requests": total, "seconds": micros / 1e6,
            "rps": total / (micros / 1e6), "p50": lat.get("50"), "p90": lat.get("90"), "p99": lat.get("99"),
            "p999": lat.get("99.9"), "checked": checked, "wrong": wrong, "errors": errors,
            "load": (load_before, load_after), "server_us": server_cpu / max(total, 1) * 1e6,
            "wrk_us": wrk_cpu / max(total, 1) * 1e6}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cli", default=str(ROOT / "build" / "bindings" / "cli" / "kefu"))
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--paced-connections", type=int, default=64,
                    help="connections of the paced run (more: the pacing depends less on the latency)")
    ap.add_argument("--rate", type=float, default=2000,
                    help="also run paced at about this many requests/s and report latency there (0: skip)")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        print("bench_serve: wrk is not installed (Debian package wrk; ./setup.sh test installs it)")
        return 0
    duration = max(1, min(args.duration, 60))
    print(f"kefu serve, POST /v1/suggest on loopback: {len(MESSAGES)} messages (zh-CN, zh-TW, zh-HK, en) in rotation, "
          f"wrk 1 thread, {args.connections} connections, {duration} s per run; {os.cpu_count()} cores; "
          f"first as fast as it answers, then paced")
    print(f"{'workers':>7} {'req/s':>8} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'p99.9 ms':>8} "
          f"{'checked':>8} {'wrong':>6} {'errors':>6}  load avg (before→after)   target ≥2000 req/s, p99 ≤20 ms")
    runs = [(int(w), 0.0) for w in args.workers.split(",")]
    if args.rate:
        runs += [(int(w), args.rate) for w in args.workers.split(",")]
    for w, rate in runs:
        if rate:
            print(f"  paced: {args.paced_connections} connections offering about {rate:.0f} req/s together "
                  f"(wrk delay per connection), latency at that load:")
        r = run(args.cli, w, duration, args.paced_connections if rate else args.connections, rate)
        ok = r["rps"] >= 2000 and r["p99"] <= 20 and r["wrong"] == 0 and r["errors"] == 0
        print(f"{r['workers']:>7} {r['rps']:>8.0f} {r['p50']:>7.2f} {r['p90']:>7.2f} {r['p99']:>7.2f} {r['p999']:>8.2f} "
              f"{r['checked']:>8} {r['wrong']:>6} {r['errors']:>6}  {r['load'][0]:.2f}→{r['load'][1]:.2f}"
              f"{'':>16}{'met' if ok else 'NOT met'}")
        cores = os.cpu_count() or 2
        print(f"{'':>7} CPU per request: service {r['server_us']:.0f} µs, load generator {r['wrk_us']:.0f} µs; "
              f"{cores} idle cores would serve about {cores * 1e6 / (r['server_us'] + r['wrk_us']):.0f} req/s "
              f"(an estimate from CPU time, not a measurement)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
