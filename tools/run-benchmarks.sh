#!/usr/bin/env bash
# `make bench`: builds Release in build-release and runs the standard
# scenarios, then prints one markdown table (messages/s, ratio to the raw
# SQLite+FTS ceiling, p50/p99). Sized to finish within ~10 minutes on 2 cores.
#
# Environment: BUILD_DIR (build-release), JOBS (2), BENCH_SCALE (1.0:
# multiplies every message count).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$here/build-release}"
jobs="${JOBS:-2}"
scale="${BENCH_SCALE:-1.0}"
work="$(mktemp -d "${TMPDIR:-/tmp}/switchboard-bench-XXXXXX")"
server_pid=""

cleanup() {
  if [[ -n "$server_pid" ]]; then kill -TERM "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

n() { python3 -c "print(max(1, int($1 * $scale)))"; }
log() { echo "bench: $*" >&2; }

log "building Release in $build"
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$jobs" --target switchboard store_bench engine_bench \
  >/dev/null
bin="$build/tools/switchboard"
results="$work/results.jsonl"
: >"$results"

# record NAME JSON_LINE: keeps one scenario's JSON summary.
record() {
  python3 - "$1" "$2" >>"$results" <<'PY'
import json, sys
name, line = sys.argv[1], sys.argv[2]
try:
    j = json.loads(line)
except ValueError:
    j = {}
print(json.dumps({"name": name, "result": j}))
PY
}

last_line() { tail -n 1 | tr -d '\r'; }

log "store_bench (raw SQLite+FTS ceiling, writer only)"
store_json="$("$build/tests/bench/store_bench" --json 2>/dev/null | last_line || true)"
record store "$store_json"

loadgen_embedded() { # NAME CHATS MESSAGES
  log "loadgen embedded: $2 chats, $3 messages"
  local out
  out="$("$bin" loadgen --embedded --chats "$2" --messages "$3" --replies 0 \
           --concurrency 64 --no-verify --json 2>/dev/null | last_line || true)"
  record "$1" "$out"
}
loadgen_embedded embedded_1k 1000 "$(n 200000)"
loadgen_embedded embedded_100k 100000 "$(n 200000)"

log "starting switchboard serve"
mkdir -p "$work/srv"
"$bin" serve --data-dir "$work/srv" --listen 127.0.0.1:0 \
  >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$work/serve.out" 2>/dev/null && break
  sleep 0.1
done
url="$(sed -n 's/^switchboard listening on //p' "$work/serve.out" | head -n 1)"
if [[ -z "$url" ]]; then
  log "server did not start: $(cat "$work/serve.err")"
  exit 1
fi

loadgen_http() { # NAME MESSAGES BATCH
  log "loadgen $url: batch $3, $2 messages"
  local out
  out="$("$bin" loadgen --url "$url" --chats 1000 --messages "$2" --replies 0 \
           --concurrency 64 --batch "$3" --json 2>/dev/null | last_line || true)"
  record "$1" "$out"
}
loadgen_http http_single "$(n 50000)" 0
loadgen_http http_batch "$(n 300000)" 100

kill -TERM "$server_pid" && wait "$server_pid" || true
server_pid=""

engine_route() { # NAME KEYS [EXTRA FLAGS]
  log "engine_bench --mode route: $2 keys, engine vs writer-only, 3 pairs ${3:-}"
  local out
  # shellcheck disable=SC2086 # $3: optional flags, split on purpose
  out="$("$build/tests/bench/engine_bench" --mode route --keys "$2" ${3:-} \
           --messages "$(n 200000)" --reps 3 --json 2>/dev/null | last_line || true)"
  record "$1" "$out"
}
engine_route engine_1k 1000
engine_route engine_1k_request_ids 1000 --request-ids
engine_route engine_100k 100000

log "engine_bench --mode memory (100k resident session actors)"
mem_json="$("$build/tests/bench/engine_bench" --mode memory --keys 100000 --json \
             2>/dev/null | last_line || true)"
record memory "$mem_json"

python3 - "$results" "$(date -u +%Y-%m-%d)" "$(nproc)" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {r["name"]: r["result"] for r in rows}
store = by.get("store", {})
ceiling = store.get("raw_msgs_per_s")

def fmt(v, digits=0):
    if v is None:
        return "n/a"
    return f"{v:,.{digits}f}"

def ratio(v):
    return f"{v / ceiling:.2f}" if v and ceiling else "n/a"

print(f"switchboard benchmarks, {sys.argv[2]}, {sys.argv[3]} cores, Release\n")
print("| scenario | messages | msgs/s | ratio to ceiling | p50 ms | p99 ms |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
print(f"| raw SQLite+FTS ceiling (store_bench) | {fmt(store.get('messages'))} "
      f"| {fmt(ceiling)} | {ratio(ceiling)} | | |")
print(f"| writer only (store_bench) | {fmt(store.get('messages'))} "
      f"| {fmt(store.get('store_msgs_per_s'))} "
      f"| {ratio(store.get('store_msgs_per_s'))} | | |")
names = [("embedded_1k", "embedded engine, 1k chats"),
         ("embedded_100k", "embedded engine, 100k chats"),
         ("http_single", "HTTP single message, 1k chats, c=64"),
         ("http_batch", "HTTP batch of 100, 1k chats, c=64")]
for key, label in names:
    r = by.get(key, {})
    lat = r.get("latency_ms", {})
    errors = r.get("errors")
    note = f" ({errors} errors)" if errors else ""
    print(f"| {label}{note} | {fmt(r.get('acked'))} | {fmt(r.get('msgs_per_s'))} "
          f"| {ratio(r.get('msgs_per_s'))} | {fmt(lat.get('p50'), 2)} "
          f"| {fmt(lat.get('p99'), 2)} |")
print("\n| in-process routing (engine_bench, 1000 in flight) | engine msgs/s "
      "| writer-only msgs/s (same SQL, same run) | engine / writer-only "
      "| p50 ms | p99 ms |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
for key, label in [("engine_1k", "1k keys"),
                   ("engine_1k_request_ids", "1k keys, every message with a request_id"),
                   ("engine_100k", "100k keys")]:
    r = by.get(key, {})
    lat = r.get("latency_ms", {})
    rng = r.get("ratios") or []
    span = f" ({min(rng):.2f}-{max(rng):.2f})" if rng else ""
    print(f"| {label} | {fmt(r.get('msgs_per_s'))} "
          f"| {fmt(r.get('writer_only_msgs_per_s'))} "
          f"| {r.get('ratio', 0):.2f}{span} | {fmt(lat.get('p50'), 2)} "
          f"| {fmt(lat.get('p99'), 2)} |")
mem = by.get("memory")
if mem:
    print(f"\nresident memory per session actor: {fmt(mem.get('bytes_per_actor'))} "
          f"bytes ({fmt(mem.get('resident'))} resident)")
else:
    print("\nresident memory per session actor: not measured")
print("\nHTTP batch p50/p99 are per batch request (100 messages).")
PY
