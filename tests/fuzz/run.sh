#!/usr/bin/env bash
# Builds the libFuzzer targets in build-fuzz (clang, ASan + UBSan) and runs
# each one: first over its committed seed corpus (regression: every seed must
# pass), then fuzzing for SECONDS on a scratch copy of that corpus kept in
# build-fuzz/fuzz-work/<target>/ (the committed corpus is never written).
# JOBS targets run at the same time (default 2).
#
# usage: tests/fuzz/run.sh [SECONDS] [TARGET...]   (default 60 s, all targets)
# Exits non-zero when any target crashes, breaks an invariant or times out,
# and prints the path of the input that did it. Works from any directory.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=${1:-60}
[[ $# -gt 0 ]] && shift
all=(fuzz_source fuzz_message fuzz_config fuzz_search fuzz_title fuzz_http)
targets=("${@:-${all[@]}}")
build="$root/build-fuzz"
fuzz_dir="$root/tests/fuzz"
jobs=${JOBS:-2}

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
  -DSWITCHBOARD_FUZZ=ON >/dev/null
cmake --build "$build" -j "$jobs" --target "${targets[@]}"

# Prints the crash/timeout input a libFuzzer log names, if any.
report_crash() {
  local log=$1
  grep -E 'Test unit written to|^artifact_prefix|ERROR: libFuzzer|invariant failed' \
    "$log" || true
  tail -n 40 "$log" >&2
}

# "Done N runs" of a libFuzzer log (0 when absent).
runs_in() {
  { grep -oE 'Done [0-9]+ runs' "$1" || echo "Done 0 runs"; } |
    tail -n 1 | awk '{print $2}'
}

# One target: the regression over its seeds, then fuzzing. Writes its
# outcome ("ok", "regression" or "finding") to $work/outcome.
run_target() {
  local t=$1
  local bin="$build/tests/fuzz/$t"
  local seeds="$fuzz_dir/corpus/$t"
  local work="$build/fuzz-work/$t"
  local dict=()
  [[ $t == fuzz_search || $t == fuzz_title ]] || dict=(-dict="$fuzz_dir/json.dict")
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"

  echo "== $t: regression over $seeds"
  if ! "$bin" -runs=0 -artifact_prefix="$work/artifacts/" "$seeds" \
      >"$work/regression.log" 2>&1; then
    echo "!! $t: a committed seed fails (log $work/regression.log)"
    report_crash "$work/regression.log"
    echo regression >"$work/outcome"
    return
  fi

  echo "== $t: fuzzing for ${seconds}s"
  cp "$seeds"/* "$work/corpus/"
  if ! "$bin" -max_total_time="$seconds" -max_len=4096 -timeout=25 \
      -print_final_stats=1 -artifact_prefix="$work/artifacts/" "${dict[@]}" \
      "$work/corpus" >"$work/fuzz.log" 2>&1; then
    echo "!! $t: finding (log $work/fuzz.log)"
    report_crash "$work/fuzz.log"
    echo finding >"$work/outcome"
    return
  fi
  echo ok >"$work/outcome"
}

# JOBS targets at a time (each fuzzer is one process on one core): on 2
# cores the six targets take 3 x SECONDS instead of 6 x SECONDS, and each
# still fuzzes for SECONDS.
running=0
for t in "${targets[@]}"; do
  run_target "$t" &
  if (( ++running >= jobs )); then
    wait -n || true
    running=$((running - 1))
  fi
done
wait

declare -A execs
failed=()
for t in "${targets[@]}"; do
  work="$build/fuzz-work/$t"
  case "$(cat "$work/outcome" 2>/dev/null || echo missing)" in
    ok) ;;
    regression) failed+=("$t(regression)") ;;
    *) failed+=("$t") ;;
  esac
  [[ -f $work/fuzz.log ]] && execs[$t]=$(runs_in "$work/fuzz.log")
done

echo "== executions (fuzzing phase, ${seconds}s each)"
for t in "${targets[@]}"; do
  printf '%-14s %s\n' "$t" "${execs[$t]:-n/a}"
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all fuzz targets passed"
