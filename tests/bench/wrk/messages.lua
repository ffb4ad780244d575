-- wrk script for `make bench`: POST /v1/messages (BATCH unset or 0) or
-- POST /v1/messages:batch with BATCH items per request, each a ~200-byte
-- message of common words in a chat drawn at random from CHATS (default
-- 1000) chats. done() prints one JSON line:
--   {"requests", "messages", "seconds", "requests_per_s", "msgs_per_s",
--    "errors", "latency_ms": {"p50", "p90", "p99", "max"}}
-- Rerun: CHATS=1000 BATCH=100 wrk -t2 -c8 -d20s -s messages.lua URL
-- (optionally WORDS_FILE=FILE, below)

local chats = tonumber(os.getenv("CHATS") or "1000")
local batch = tonumber(os.getenv("BATCH") or "0")

local words = {
  "the", "deploy", "server", "please", "check", "config", "yesterday",
  "docker", "container", "restart", "error", "message", "user", "account",
  "thanks", "could", "you", "update", "schedule", "meeting", "tomorrow",
  "database", "query", "slow", "index", "cache", "memory", "network"}

-- WORDS_FILE (one word per line) replaces the list: `make bench` passes
-- the load generator's own words, so that wrk and `loadgen --url` send the
-- same vocabulary when their rates are compared.
local words_file = os.getenv("WORDS_FILE")
if words_file then
  words = {}
  for w in io.lines(words_file) do words[#words + 1] = w end
end

local texts = {}

local function make_text()
  local out = {}
  local size = 0
  while size < 200 do
    local w = words[math.random(#words)]
    out[#out + 1] = w
    size = size + #w + 1
  end
  return table.concat(out, " ")
end

local function item(chat)
  return '{"source":{"platform":"telegram","chat_id":"w' .. chat ..
         '","user_id":"u' .. chat .. '"},"message":{"role":"user",' ..
         '"content":"' .. texts[math.random(#texts)] .. '"}}'
end

local thread_no = 0
function setup(thread)
  thread_no = thread_no + 1
  thread:set("seed", thread_no)
end

function init(args)
  math.randomseed(os.time() * 100 + (seed or 0))
  for i = 1, 64 do texts[i] = make_text() end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.path = batch > 0 and "/v1/messages:batch" or "/v1/messages"
end

function request()
  if batch <= 0 then
    return wrk.format(nil, nil, nil, item(math.random(chats)))
  end
  local items = {}
  for i = 1, batch do items[i] = item(math.random(chats)) end
  return wrk.format(nil, nil, nil, '{"items":[' .. table.concat(items, ",") .. ']}')
end

function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  local seconds = summary.duration / 1e6
  local per = batch > 0 and batch or 1
  local ok = summary.requests - errors
  io.write(string.format(
    '{"requests": %d, "messages": %d, "seconds": %.3f, ' ..
    '"requests_per_s": %.1f, "msgs_per_s": %.1f, "errors": %d, ' ..
    '"latency_ms": {"p50": %.3f, "p90": %.3f, "p99": %.3f, "max": %.3f}}\n',
    summary.requests, ok * per, seconds, summary.requests / seconds,
    ok * per / seconds, errors,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
