#!/usr/bin/env bash
# Cluster throughput on this machine (README "Cluster mode"): the same
# closed-loop load (loadgen --url over every node, verified through each)
# against one single-node `serve`, then against clusters of 1, 2 and 3
# `serve --nats` nodes on a 3-server JetStream cluster (R3). Everything runs
# on 127.0.0.1 in a temp dir that is removed at exit.
#
#   tools/cluster-throughput.sh [MESSAGES] [PARTITIONS]
#
# On one 2-core machine every node, every NATS server and the load
# generator share the same cores: the numbers show what the replication
# costs, not how a cluster scales.
set -euo pipefail
cd "$(dirname "$0")/.."
MESSAGES=${1:-20000}
PARTITIONS=${2:-8}
SB=${SWITCHBOARD_BIN:-build/tools/switchboard}
NATS=${NATS_SERVER_BIN:-$(command -v nats-server || echo /usr/sbin/nats-server)}
WORK=$(mktemp -d /tmp/sb-cluster-bench.XXXXXX)
PIDS=()

cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_nats DIR: three JetStream servers routed to each other; sets NATS_URLS.
start_nats() {
  local dir=$1 i ports=() cports=() routes=""
  for i in 0 1 2; do ports+=("$(free_port)"); cports+=("$(free_port)"); done
  for i in 0 1 2; do routes+="${routes:+,}nats://127.0.0.1:${cports[$i]}"; done
  NATS_URLS=""
  for i in 0 1 2; do
    "$NATS" -js -a 127.0.0.1 -p "${ports[$i]}" --server_name "s$i" \
      -sd "$dir/js$i" --cluster "nats://127.0.0.1:${cports[$i]}" \
      --cluster_name bench --routes "$routes" >"$dir/nats$i.log" 2>&1 &
    PIDS+=($!)
    NATS_URLS+="${NATS_URLS:+,}nats://127.0.0.1:${ports[$i]}"
  done
  for _ in $(seq 1 100); do # JetStream is ready once init succeeds
    if "$SB" cluster init --nats "$NATS_URLS" --partitions "$PARTITIONS" \
      --replicas 3 >"$dir/init.out" 2>&1; then return 0; fi
    sleep 0.3
  done
  echo "JetStream did not become ready: $(cat "$dir/init.out")" >&2
  exit 1
}

# start_node DIR ID [NATS_URLS]: prints the node's URL.
start_node() {
  local dir=$1 id=$2 out="$1/$2.out"
  local args=(serve --listen 127.0.0.1:0 --data-dir "$dir/$id")
  if [[ $# -ge 3 ]]; then
    args+=(--nats "$3" --node-id "$id")
    export SWITCHBOARD_CLUSTER_PARTITIONS=$PARTITIONS
  fi
  "$SB" "${args[@]}" >"$out" 2>"$dir/$id.err" &
  PIDS+=($!)
  for _ in $(seq 1 300); do
    if grep -q '^switchboard listening on ' "$out"; then
      sed -n 's/^switchboard listening on //p' "$out"
      return 0
    fi
    sleep 0.1
  done
  echo "$id did not start: $(tail -5 "$dir/$id.err")" >&2
  exit 1
}

# settled URL NODES: waits until every partition is served by its placement.
settled() {
  for _ in $(seq 1 300); do
    if curl -s "$1/v1/cluster" | python3 -c '
import json, sys
s = json.load(sys.stdin)
live = {m["node_id"] for m in s["members"]}
ok = len(live) == int(sys.argv[1]) and all(
    p["owner"] in live and p["owner"] != p["standby"] for p in s["partitions"])
owners = {p["owner"] for p in s["partitions"]}
sys.exit(0 if ok and len(owners) == len(live) else 1)' "$2"; then
      return 0
    fi
    sleep 0.2
  done
  echo "the cluster did not settle" >&2
  exit 1
}

# load NAME URLS: one closed-loop run; prints its rate, errors, verdict.
load() {
  local name=$1 urls=$2 json verdict=ok
  json=$("$SB" loadgen --url "$urls" --chats 1000 --messages "$MESSAGES" \
    --message-bytes 200 --concurrency 64 --replies 0 --seed 7 --verify \
    --json 2>"$WORK/verify.err" | tail -1) || verdict=FAILED
  python3 -c '
import json, sys
j = json.loads(sys.argv[2])
lat = j["latency_ms"]
print("%-26s %8.0f msgs/s  p50 %.1f ms  p99 %.1f ms  errors %d  verify %s"
      % (sys.argv[1], j["msgs_per_s"], lat["p50"], lat["p99"], j["errors"],
         sys.argv[3]))
' "$name" "$json" "$verdict"
}

echo "loadgen --url: $MESSAGES messages, 1000 chats, 64 in flight, 200 B"
mkdir -p "$WORK/single"
load "single node (no NATS)" "$(start_node "$WORK/single" solo)"
for n in 1 2 3; do
  dir="$WORK/cluster$n"
  mkdir -p "$dir"
  start_nats "$dir"
  urls=""
  for i in $(seq 1 "$n"); do
    urls+="${urls:+,}$(start_node "$dir" "n$i" "$NATS_URLS")"
  done
  settled "${urls%%,*}" "$n"
  load "cluster, $n node(s), R3" "$urls"
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  PIDS=()
  wait 2>/dev/null || true
done
