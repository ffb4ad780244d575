#!/usr/bin/env bash
# Builds CAF 0.17.6's core library with -fsanitize=thread into
# build-tsan/caf-clang/install, for `make test-tsan`. With clang, because
# the TSan build of switchboard uses clang (Makefile, test-tsan): a process
# must have one TSan runtime, and GCC's libtsan and clang's differ.
#
# Why: Debian's libcaf_core is not instrumented, so ThreadSanitizer cannot see
# the acquire/release pairs of CAF's mailboxes and scheduler queues and
# reports every message handoff as a race. With an instrumented CAF the
# actor code is checked without suppressions.
#
# The source is Debian's own (the orig tarball of the actor-framework source
# package, the version libcaf-dev is built from), fetched with apt through a
# private deb-src list, so nothing on the machine's apt config changes.
# Idempotent: does nothing when the install exists.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="$root/build-tsan/caf-clang"
version=0.17.6
[[ -f "$out/install/lib/libcaf_core.so" ]] && exit 0

mkdir -p "$out/apt/lists/partial"
echo "deb-src http://deb.debian.org/debian bookworm main" >"$out/apt/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$out/apt/sources.list"
          -o "Dir::Etc::SourceParts=/dev/null"
          -o "Dir::State::Lists=$out/apt/lists")
apt-get "${apt_opts[@]}" update -qq
tarball="actor-framework_${version}.orig.tar.gz"
echo "build-caf-tsan: fetching $tarball (apt may report a 404 for the .debian.tar.xz: expected, only the orig tarball is used)"
(cd "$out" && [[ -f "$tarball" ]] ||
   apt-get "${apt_opts[@]}" source --download-only -qq "actor-framework=${version}-2.1" ||
   [[ -f "$tarball" ]]) # the .debian.tar.xz may be gone from the mirror; the orig is enough
tar -xzf "$out/$tarball" -C "$out"

# Through ccache when installed: CI rebuilds CAF in every fresh checkout,
# and the same sources give the same objects. Line tables (-g1), as in
# switchboard's sanitizer builds: TSan's report frames in CAF keep file and
# line, for less compile time than -g (docs/TESTING.md, "Build cost").
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$out/actor-framework-$version" -B "$out/build" "${launcher[@]}" \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS="-fsanitize=thread" \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
  -DCMAKE_INSTALL_PREFIX="$out/install" \
  -DCAF_NO_IO=ON -DCAF_NO_EXAMPLES=ON -DCAF_NO_UNIT_TESTS=ON \
  -DCAF_NO_OPENCL=ON -DCAF_NO_OPENSSL=ON -DCAF_NO_PYTHON=ON \
  -DCAF_NO_TOOLS=ON -DCAF_NO_SUMMARY=ON >/dev/null
cmake --build "$out/build" -j "${JOBS:-$(nproc)}"
cmake --install "$out/build" >/dev/null
