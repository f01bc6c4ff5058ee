-- wrk script of bench_serve.py: POST /v1/suggest in rotation, every answer checked.
--
-- Run with one connection per wrk thread (wrk -tN -cN): each thread has its own Lua state, so the
-- answer a thread receives is the answer to the request it sent last, and every answer is compared
-- byte for byte with the expected answer to that request.
--
-- Environment:
--   KEFU_BENCH_DATA   file of line pairs: a request body, then the expected answer (one line each)
--   KEFU_BENCH_TOKEN  bearer token
--   KEFU_BENCH_RATE   requests/s offered by all connections together, on a fixed schedule (open loop);
--                     0 or unset: each connection sends its next request when the answer arrives
--   KEFU_BENCH_CONNECTIONS  the connection count (to divide the rate between them)
-- Paced, latency is measured from the time the schedule says a request is due, not from when it was
-- sent, so a service that falls behind is charged for the wait (no coordinated omission).
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } kefu_timespec;
int clock_gettime(int clock_id, kefu_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("kefu_timespec")
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000.0 + tonumber(ts.tv_nsec) / 1e6
end

local rate = tonumber(os.getenv("KEFU_BENCH_RATE") or "0") or 0
local connections = tonumber(os.getenv("KEFU_BENCH_CONNECTIONS") or "1") or 1
local token = os.getenv("KEFU_BENCH_TOKEN") or ""

-- Main state: number the threads.
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

-- Thread state.
local bodies, expected = {}, {}
local current = 0
checked, wrong, first_wrong = 0, 0, nil
late = {}   -- paced: milliseconds from the due time to the answer
woke = {}   -- paced: how late wrk itself sent requests that found their connection idle: its timer
            -- (whole milliseconds, rounded up) and its wait for a core, not the service's doing
local period, start, due, sent = 0, nil, nil, 0 -- paced: the schedule, the due time of the request in flight
local idle = false -- paced: the request in flight found its connection idle before it was due

function init(args)
  local f = assert(io.open(os.getenv("KEFU_BENCH_DATA"), "r"))
  while true do
    local body, answer = f:read("*l"), f:read("*l")
    if not body then break end
    table.insert(bodies, body)
    table.insert(expected, answer)
  end
  f:close()
  current = id % #bodies -- connections start on different messages
end

function request()
  current = current % #bodies + 1
  if idle then table.insert(woke, now_ms() - due) end
  return wrk.format("POST", "/v1/suggest",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, bodies[current])
end

if rate > 0 then
  period = connections * 1000.0 / rate
  function delay()
    local now = now_ms()
    -- Connections are spread evenly over one period so they do not send in bursts.
    if not start then start = now + id * period / connections end
    due = start + sent * period
    sent = sent + 1
    local wait = due - now
    idle = wait > 0
    -- wrk's timers count whole milliseconds: round up, so a request is never sent early.
    return wait > 0 and math.ceil(wait) or 0
  end
end

function response(status, headers, body)
  checked = checked + 1
  if status ~= 200 or body ~= expected[current] then
    wrong = wrong + 1
    if not first_wrong then first_wrong = status .. " " .. string.sub(body or "", 1, 200) end
  end
  if due then table.insert(late, now_ms() - due) end
end

function done(summary, latency, requests)
  local c, w, all, woken, example = 0, 0, {}, {}, nil
  for _, t in ipairs(threads) do
    c, w = c + t:get("checked"), w + t:get("wrong")
    example = example or t:get("first_wrong")
    for _, v in ipairs(t:get("late") or {}) do table.insert(all, v) end
    for _, v in ipairs(t:get("woke") or {}) do table.insert(woken, v) end
  end
  io.write(string.format("kefu-check: %d %d\n", c, w))
  if example then io.write("kefu-first-wrong: " .. example .. "\n") end
  table.sort(all)
  table.sort(woken)
  if #woken > 0 then
    io.write(string.format("kefu-woke: %.3f %.3f\n", woken[math.ceil(#woken * 0.5)], woken[math.ceil(#woken * 0.99)]))
  end
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    local sent_ms = latency:percentile(p) / 1000.0
    local due_ms = #all > 0 and all[math.max(1, math.ceil(#all * p / 100))] or sent_ms
    io.write(string.format("kefu-latency: %s %.3f %.3f\n", p, sent_ms, due_ms))
  end
  local e = summary.errors
  io.write(string.format("kefu-total: %d %d %d\n", summary.requests, summary.duration,
    e.status + e.connect + e.read + e.write + e.timeout))
end
