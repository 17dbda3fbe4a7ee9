-- A wrk script for tools/bench-vs-etcd --driver wrk: puts, linearizable gets or local gets
-- of random keys, against paxoskv's /v1/kv API or etcd's JSON gateway (/v3/kv/...).
--
--   BENCH_SYSTEM=paxoskv|etcd BENCH_WORKLOAD=put|get|local-get \
--   [BENCH_KEYS=1000] [BENCH_VALUE_SIZE=100] [BENCH_KEY_PREFIX=bench/] \
--     wrk -t2 -c64 -d5s -s tools/bench/wrk/kv.lua http://127.0.0.1:PORT
--
-- Keys are named as paxoskv-bench names them (prefix, then the index zero-padded to the
-- width of BENCH_KEYS - 1), chosen uniformly at random, so a `paxoskv-bench put
-- --key-dist sequential` preload writes exactly the keys read here. Every thread has its
-- own random sequence. At the end it prints one line, `wrk-result {...}`, a JSON object
-- with the requests, the duration, wrk's error counts (status: answers of 400 and up)
-- and latency percentiles in microseconds, for the calling script to parse. When any
-- answer was an error or a connection could not be opened, wrk then exits with status 1:
-- a rate of error answers measures nothing.

local system = os.getenv("BENCH_SYSTEM") or "paxoskv"
local workload = os.getenv("BENCH_WORKLOAD") or "get"
local key_count = tonumber(os.getenv("BENCH_KEYS") or "1000")
local value_size = tonumber(os.getenv("BENCH_VALUE_SIZE") or "100")
local prefix = os.getenv("BENCH_KEY_PREFIX") or "bench/"

if system ~= "paxoskv" and system ~= "etcd" then
  error("BENCH_SYSTEM must be paxoskv or etcd, not " .. system)
end
if workload ~= "put" and workload ~= "get" and workload ~= "local-get" then
  error("BENCH_WORKLOAD must be put, get or local-get, not " .. workload)
end
if not key_count or key_count < 1 then error("BENCH_KEYS must be a positive number") end

local width = #tostring(key_count - 1)
local value = string.rep("x", value_size)

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(bytes)
  local out = {}
  for i = 1, #bytes, 3 do
    local a, b, c = bytes:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local s1 = math.floor(n / 262144) % 64
    local s2 = math.floor(n / 4096) % 64
    local s3 = math.floor(n / 64) % 64
    local s4 = n % 64
    out[#out + 1] = alphabet:sub(s1 + 1, s1 + 1) .. alphabet:sub(s2 + 1, s2 + 1) ..
        (b and alphabet:sub(s3 + 1, s3 + 1) or "=") .. (c and alphabet:sub(s4 + 1, s4 + 1) or "=")
  end
  return table.concat(out)
end

-- The encoder checks itself once: a wrong key would make etcd's gets misses, not errors.
assert(base64("bench/0999") == "YmVuY2gvMDk5OQ==" and base64("ab") == "YWI=" and
  base64("a") == "YQ==" and base64("bench/000001") == "YmVuY2gvMDAwMDAx", "base64 is broken")

local function key_name(index)
  return prefix .. string.format("%0" .. width .. "d", index)
end

local etcd_value = base64(value)
local json_headers = { ["Content-Type"] = "application/json" }

local function format(index)
  local key = key_name(index)
  if system == "paxoskv" then
    if workload == "put" then return wrk.format("PUT", "/v1/kv/" .. key, nil, value) end
    if workload == "local-get" then
      return wrk.format("GET", "/v1/kv/" .. key .. "?consistency=local")
    end
    return wrk.format("GET", "/v1/kv/" .. key)
  end
  local quoted = '"' .. base64(key) .. '"'
  if workload == "put" then
    return wrk.format("POST", "/v3/kv/put", json_headers,
      '{"key":' .. quoted .. ',"value":"' .. etcd_value .. '"}')
  end
  local serializable = workload == "local-get" and "true" or "false"
  return wrk.format("POST", "/v3/kv/range", json_headers,
    '{"key":' .. quoted .. ',"serializable":' .. serializable .. '}')
end

-- Up to this many keys every request is formatted once, in init; above, per request.
local precomputed_limit = 100000
local requests = nil

local thread_count = 0
function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
end

function init(args)
  math.randomseed(os.time() * 1000 + (thread_number or 0) * 7919)
  if key_count <= precomputed_limit then
    requests = {}
    for i = 0, key_count - 1 do requests[i + 1] = format(i) end
  end
end

function request()
  if requests then return requests[math.random(key_count)] end
  return format(math.random(key_count) - 1)
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    'wrk-result {"requests":%d,"duration_us":%d,"errors":{"connect":%d,"read":%d,' ..
    '"write":%d,"status":%d,"timeout":%d},"latency_us":{"p50":%d,"p90":%d,"p99":%d,' ..
    '"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
  if e.status > 0 or e.connect > 0 then
    io.stderr:write(string.format(
      "kv.lua: %d of %d answers were errors (status 400 and up), %d connections failed\n",
      e.status, summary.requests, e.connect))
    os.exit(1)
  end
end
