#!/usr/bin/env bash
# `make bench`: builds Release in build-release, runs every scenario of issue
# 12's targets in one run, and prints one markdown table: each measured
# value, its ratio (to the raw SQLite+FTS ceiling C of this same run, or to
# wrk on the same server), the target, whether it is met, and the command
# that reruns that line. Sized to finish within ~12 minutes on 2 cores
# (warm build).
#
# Environment: BUILD_DIR (build-release), BUILD_TYPE (Release), CXX
# (clang++, as `make`), JOBS (2),
# BENCH_SCALE (1.0: multiplies every message count, key count and
# duration), BENCH_DIR (the scratch dir's parent, $TMPDIR or /tmp). wrk
# (Debian) is installed here when missing.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$here/build-release}"
build_type="${BUILD_TYPE:-Release}"
jobs="${JOBS:-2}"
scale="${BENCH_SCALE:-1.0}"
work="$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/switchboard-bench-XXXXXX")"
server_pid=""
url=""

cleanup() {
  if [[ -n "$server_pid" ]]; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# n COUNT [MIN]: COUNT scaled, at least MIN (default 1).
n() { python3 -c "print(max(${2:-1}, int($1 * $scale)))"; }
log() { echo "bench: $*" >&2; }
last_line() { tail -n 1 | tr -d '\r'; }

if ! command -v wrk >/dev/null; then
  log "installing wrk (Debian) for the HTTP lines"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends wrk >&2
fi

log "building $build_type in $build"
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE="$build_type" \
  -DCMAKE_CXX_COMPILER="${CXX:-clang++}" >/dev/null
cmake --build "$build" -j "$jobs" --target switchboard store_bench engine_bench index_bench \
  >/dev/null
bin="$build/tools/switchboard"
store_bench="$build/tests/bench/store_bench"
engine_bench="$build/tests/bench/engine_bench"
index_bench="$build/tests/bench/index_bench"
lua="$here/tests/bench/wrk/messages.lua"
results="$work/results.jsonl"
: >"$results"

# record NAME COMMAND JSON_LINE: keeps one scenario's JSON and its rerun command.
record() {
  python3 - "$1" "$2" "$3" >>"$results" <<'PY'
import json, sys
name, cmd, line = sys.argv[1], sys.argv[2], sys.argv[3]
try:
    j = json.loads(line)
except ValueError:
    j = {}
print(json.dumps({"name": name, "cmd": cmd, "result": j}))
PY
}

# run NAME COMMAND...: runs the command, records its last stdout line.
run() {
  local name="$1"
  shift
  local out
  out="$("$@" 2>"$work/$name.err" | last_line || true)"
  [[ -n "$out" ]] || log "$name printed nothing: $(tail -n 3 "$work/$name.err")"
  local cmd="$*"
  cmd="${cmd//$here\//}"
  cmd="${cmd//$work/\/tmp}"
  [[ -z "${url:-}" ]] || cmd="${cmd//$url/URL}"
  record "$name" "$cmd" "$out"
}

# -- in process ---------------------------------------------------------------
log "store_bench: the raw SQLite+FTS ceiling C"
run store "$store_bench" --json --reps 3 "$(n 200000 2000)" 100000 "$work"
log "store_bench --engine-ids: the same ceiling with the engine's session ids (C')"
run store_engine_ids "$store_bench" --json --reps 1 --engine-ids "$(n 200000 2000)" \
  100000 "$work"
log "index_bench: what the session index costs C', and a tail table moved in bulk"
run index_shapes "$index_bench" --json "$(n 200000 2000)" 100000 20 "$work"

log "engine_bench --mode route: 1000 in flight, 1k and 100k keys (with writer-only)"
run engine_1k "$engine_bench" --mode route --keys 1000 --concurrency 1000 \
  --messages "$(n 200000 2000)" --reps 1 --json
# The target line: 100k existing keys (created untimed first, as C's
# sessions are); then the same with every key's first message timed (half
# the messages create a session: creation, not ingest).
run engine_100k "$engine_bench" --mode route --keys "$(n 100000 1000)" \
  --concurrency 1000 --messages "$(n 200000 2000)" --reps 3 --warm --json
run engine_100k_new "$engine_bench" --mode route --keys "$(n 100000 1000)" \
  --concurrency 1000 --messages "$(n 200000 2000)" --reps 1 --json
log "engine_bench --mode route: 1k keys, every message with a request_id"
run engine_1k_request_ids "$engine_bench" --mode route --keys 1000 \
  --concurrency 1000 --messages "$(n 200000 2000)" --reps 1 --request-ids --json

# 1k chats as such; 100k scaled (BENCH_SCALE) like the key counts.
for chats in 1000 "$(n 100000 1000)"; do
  log "loadgen --embedded: 256 in flight, $chats chats"
  run "embedded_$chats" "$bin" loadgen --embedded --chats "$chats" \
    --messages "$(n 200000 2000)" --replies 0 --concurrency 256 --no-verify --json
done

# -- over HTTP ------------------------------------------------------------------
# start_server DIR: starts `switchboard serve` on a free port; sets $url.
start_server() {
  mkdir -p "$1"
  "$bin" serve --data-dir "$1" --listen 127.0.0.1:0 >"$1.out" 2>"$1.err" &
  server_pid=$!
  url=""
  for _ in $(seq 1 200); do
    url="$(sed -n 's/^switchboard listening on //p' "$1.out" 2>/dev/null | head -n 1)"
    [[ -n "$url" ]] && return 0
    sleep 0.1
  done
  log "server did not start: $(cat "$1.err")"
  exit 1
}

stop_server() {
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

seconds="$(n 15 2)"
# The workload wrk sends (messages.lua): uniform over the chats, telegram
# DMs, no replies; so the loadgen / wrk ratio compares the clients only.
like_wrk=(--chats 1000 --zipf 0 --groups 0 --threads 0 --platforms telegram:1 --replies 0)
json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

start_server "$work/http"
log "wrk: batch of 100, 8 connections, 1k chats, ${seconds}s"
run wrk_batch env CHATS=1000 BATCH=100 wrk -t2 -c8 -d"${seconds}s" -s "$lua" "$url"
log "wrk: single, 64 keep-alive connections, 1k chats, ${seconds}s"
run wrk_single env CHATS=1000 wrk -t2 -c64 -d"${seconds}s" -s "$lua" "$url"

# loadgen --url closed loop on the same server, about as long as wrk ran,
# between two wrk runs sending the load generator's own words (its texts
# have about 470 distinct words, messages.lua's default 28: each of its
# messages costs the server a few percent more, measured 6%), so that the
# ratio compares the clients and nothing else. Two runs, before and after,
# so that a store that grew meanwhile weighs on both sides.
words="$work/loadgen-words.txt"
grep -o '"[A-Za-z'"'"']*"' "$here/loadgen/words.cpp" | tr -d '"' > "$words"
if [[ "$(wc -l < "$words")" -lt 100 ]]; then
  echo "bench: could not read the load generator's words from loadgen/words.cpp" >&2
  exit 1
fi
log "wrk with the load generator's words: single, 64 connections, ${seconds}s"
run wrk_loadgen_words env WORDS_FILE="$words" CHATS=1000 wrk -t2 -c64 \
  -d"${seconds}s" -s "$lua" "$url"
wrk_rate="$(tail -n 1 "$results" | json_field '["result"].get("msgs_per_s", 1000)')"
closed_n="$(python3 -c "print(max(1000, int($wrk_rate * $seconds)))")"
log "loadgen --url: closed loop, 64 connections, $closed_n messages"
run loadgen_closed "$bin" loadgen --url "$url" "${like_wrk[@]}" --messages "$closed_n" \
  --concurrency 64 --json
run wrk_loadgen_words_after env WORDS_FILE="$words" CHATS=1000 wrk -t2 -c64 \
  -d"${seconds}s" -s "$lua" "$url"

closed_rate="$(tail -n 2 "$results" | head -n 1 | json_field '["result"].get("msgs_per_s", 1000)')"
half="$(python3 -c "print(max(10, round($closed_rate / 2)))")"
open_n="$(python3 -c "print(max(500, int($half * $seconds)))")"
log "loadgen --url --rate $half (half the closed loop): open loop, $open_n messages"
run loadgen_open "$bin" loadgen --url "$url" "${like_wrk[@]}" --messages "$open_n" \
  --concurrency 64 --rate "$half" --json
stop_server

# -- memory and shutdown ----------------------------------------------------------
# load_keys URL FROM TO: routes one short message to each key FROM..TO-1
# (POST /v1/messages:batch, 500 a request, one keep-alive connection).
load_keys() {
  python3 - "$@" <<'PY'
import http.client, json, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
lo, hi = int(sys.argv[2]), int(sys.argv[3])
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
for start in range(lo, hi, 500):
    items = [{"source": {"platform": "telegram", "chat_id": f"r{i}"},
              "message": {"role": "user", "content": "hi"}}
             for i in range(start, min(hi, start + 500))]
    conn.request("POST", "/v1/messages:batch", json.dumps({"items": items}),
                 {"Content-Type": "application/json"})
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        sys.exit(f"load_keys: HTTP {r.status}: {body[:200]!r}")
PY
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

keys="$(n 200000 1000)"
log "serve: RSS per resident session over $keys keys, then stop time at $((2 * keys))"
start_server "$work/mem"
load_keys "$url" 0 100
rss0="$(rss_kb "$server_pid")"
t0="$(date +%s.%N)"
load_keys "$url" 100 "$((100 + keys))"
t1="$(date +%s.%N)"
rss1="$(rss_kb "$server_pid")"
load_keys "$url" "$((100 + keys))" "$((100 + 2 * keys))"
s0="$(date +%s.%N)"
kill -TERM "$server_pid"
wait "$server_pid" || true
s1="$(date +%s.%N)"
server_pid=""
record memory "switchboard serve + POST /v1/messages:batch to $keys new keys; VmRSS before/after" \
  "$(python3 -c "print('{\"keys\": $keys, \"rss_before_kb\": $rss0, \"rss_after_kb\": $rss1, \"bytes_per_key\": %.1f, \"load_seconds\": %.2f}' % (($rss1 - $rss0) * 1024 / $keys, $t1 - $t0))")"
record stop "switchboard serve with $((2 * keys)) resident keys; kill -TERM; wait" \
  "$(python3 -c "print('{\"keys\": $((2 * keys)), \"stop_seconds\": %.3f}' % ($s1 - $s0))")"

# -- the table ----------------------------------------------------------------------
python3 - "$results" "$(date -u +%Y-%m-%d)" "$(nproc)" "$scale" "$build_type" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {r["name"]: r["result"] for r in rows}
cmd = {r["name"]: r["cmd"] for r in rows}
C = by.get("store", {}).get("raw_msgs_per_s")
C2 = by.get("store_engine_ids", {}).get("raw_msgs_per_s")

def num(v, digits=0):
    return "n/a" if v is None else f"{v:,.{digits}f}"

def ratio(a, b):
    return a / b if a and b else None

def lat(name):
    l = by.get(name, {}).get("latency_ms", {})
    return l.get("p50"), l.get("p99")

out = []
def row(path, value, r, target, ok, extra, name, note=""):
    met = "n/a" if ok is None else ("yes" if ok else "**no**")
    out.append(f"| {path} | {value} | {num(r, 2) if r is not None else ''} "
               f"| {target} | {met} | {extra} | `{cmd.get(name, '')}`{note} |")

def rate_row(path, name, key, target, base=None, base_name="C", latency=True):
    v = by.get(name, {}).get(key)
    r = ratio(v, base if base is not None else C)
    p50, p99 = lat(name)
    extra = (f"p50 {num(p50, 2)} ms, p99 {num(p99, 2)} ms"
             if p50 is not None and latency else "")
    r2 = ratio(v, C2) if base is None else None
    if r2 is not None:
        extra = f"{r2:.2f} C'" + (", " + extra if extra else "")
    errors = by.get(name, {}).get("errors")
    if errors:
        extra += f", {errors} errors"
    row(path, f"{num(v)} msgs/s", r, f">= {target} {base_name}" if target else "",
        None if not target or r is None else r >= target, extra, name)

print(f"switchboard benchmarks, {sys.argv[2]}, {sys.argv[3]} cores, {sys.argv[5]}, "
      f"BENCH_SCALE={sys.argv[4]}\n")
print("| path | measured | ratio | target | met | also | rerun |")
print("| --- | ---: | ---: | --- | --- | --- | --- |")
row("C: raw SQLite+FTS ceiling (batch 1000, 200 B, WAL NORMAL)", f"{num(C)} msgs/s",
    1.0 if C else None, "", None, "", "store")
row("C': C with the engine's 24-char session ids (random index order)",
    f"{num(C2)} msgs/s", ratio(C2, C), "", None, "", "store_engine_ids")
ix = by.get("index_shapes", {})
for shape, what in (("tail", "a small tail table, moved in bulk every 20 batches"),
                    ("none", "no session index (upper bound)")):
    v, base = ix.get(f"{shape}_msgs_per_s"), ix.get("inline_msgs_per_s")
    row(f"diagnostic: C' with the session index as {what}", f"{num(v)} msgs/s",
        ratio(v, C), "", None,
        "" if ratio(v, base) is None else f"{ratio(v, base):.2f} x today's index, same run",
        "index_shapes")
def keys_of(name):
    k = num(by.get(name, {}).get("keys"))
    return {"engine_100k": f"{k} existing keys",
            "engine_100k_new": f"{k} keys, half the messages a key's first"
            }.get(name, f"{k} keys")
engines = ("engine_1k", "engine_100k", "engine_100k_new")
for name in engines:
    rate_row(f"writer alone, the engine's SQL ({keys_of(name)})", name,
             "writer_only_msgs_per_s", 0.85 if name == "engine_100k" else None,
             latency=False)
for name in engines:
    rate_row(f"engine, 1000 in flight, {keys_of(name)}", name, "msgs_per_s",
             0.8 if name == "engine_100k" else None)
rate_row("engine, 1000 in flight, 1000 keys, every message with a request_id",
         "engine_1k_request_ids", "msgs_per_s", None)
rate_row("HTTP batch of 100, wrk, 8 connections, 1k chats", "wrk_batch", "msgs_per_s", 0.7)
rate_row("HTTP single, wrk, 64 keep-alive connections, 1k chats", "wrk_single",
         "msgs_per_s", 0.5)
p50, p99 = lat("wrk_single")
q = ratio(p99, p50)
row("HTTP single, wrk: p99 / p50", f"{num(p99, 2)} / {num(p50, 2)} ms", q, "<= 4",
    None if q is None else q <= 4, "", "wrk_single")
wrk_rates = [by.get(n, {}).get("msgs_per_s")
             for n in ("wrk_loadgen_words", "wrk_loadgen_words_after")]
wrk_rates = [v for v in wrk_rates if v]
wrk_mean = sum(wrk_rates) / len(wrk_rates) if wrk_rates else None
rate_row("`loadgen --url`, closed loop, 64 connections, 1k chats", "loadgen_closed",
         "msgs_per_s", 0.9, wrk_mean,
         "wrk with the same words (mean of the runs before and after)")
p50, p99 = lat("loadgen_open")
q = ratio(p99, p50)
row("`loadgen --url --rate` (half the closed loop): p99 / p50",
    f"{num(p99, 2)} / {num(p50, 2)} ms", q, "<= 4", None if q is None else q <= 4,
    f"{num(by.get('loadgen_open', {}).get('msgs_per_s'))} msgs/s achieved",
    "loadgen_open")
embedded = sorted((int(n.split("_")[1]), n) for n in by if n.startswith("embedded_"))
for chats, name in embedded:
    rate_row(f"`loadgen --embedded`, 256 in flight, {num(chats)} chats", name,
             "msgs_per_s", 0.7 if chats <= 1000 else 0.5)
mem = by.get("memory", {})
b = mem.get("bytes_per_key")
row(f"RSS per resident session, `serve`, {num(mem.get('keys'))} keys",
    f"{num(b)} B", None, "<= 1536 B", None if b is None else b <= 1536,
    f"VmRSS {num(mem.get('rss_before_kb'))} -> {num(mem.get('rss_after_kb'))} kB",
    "memory")
st = by.get("stop", {})
s = st.get("stop_seconds")
row(f"stop (SIGTERM -> exit), `serve` with {num(st.get('keys'))} resident keys",
    f"{num(s, 2)} s", None, "<= 1 s", None if s is None else s <= 1, "", "stop")
print("\n".join(out))
print("\nRatios are to C of this run, except `loadgen --url` (to wrk on the same "
      "server); \"also\" gives them to C' too. C's ids (s0, s1, ...) make the "
      "message index grow almost sequentially; C' is the same SQL with ids "
      "as the engine makes them. HTTP batch latencies are per request of 100 messages. "
      "The server lines need a running `switchboard serve` at URL "
      "(`build-release/tools/switchboard serve --data-dir DIR --listen 127.0.0.1:0`). "
      "The 100k-key and 100k-chat lines use 100k x BENCH_SCALE.")
PY
