#!/usr/bin/env bash
# Installs every Debian package switchboard's build, tests and benchmarks need.
# Idempotent: when everything is already installed it returns at once, without
# touching the network.
set -euo pipefail

packages=(
  cmake make g++ ccache pkg-config
  libcaf-dev libmimalloc-dev libsqlite3-dev sqlite3 nlohmann-json3-dev libspdlog-dev libfmt-dev
  librestinio-dev libcli11-dev libhowardhinnant-date-dev tzdata libssl-dev
  libcurl4-openssl-dev libasio-dev libgtest-dev libgmock-dev libbenchmark-dev python3 curl
  python3-pytest python3-jsonschema # ctest -L python (clients/python)
  clang libclang-rt-14-dev # clang 14, every make build's compiler (g++: libstdc++, CXX=g++); libFuzzer, sanitizer runtimes
  python3-selenium chromium chromium-driver # dashboard browser tests (label browser)
  prometheus # promtool check metrics (dashboard test of /metrics)
  lld          # the linker (CMakeLists.txt: SWITCHBOARD_LLD)
  clang-format # make format / make format-check
  nats-server libnats-dev # cluster mode (cluster/), ctest -L cluster
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
