# Thin wrapper over CMake: `make run` and `make test` are the README's quick start.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
# The compiler: Debian's clang 14 unless CXX is given (`CXX=g++ make test`).
# Why clang: a cold build of every default target costs about 0.8 of GCC
# 12's CPU time for binaries that benchmark the same (docs/TESTING.md,
# "Build cost"). The tree stays warning-free under both.
ifeq ($(origin CXX),default)
CXX = clang++
endif

.PHONY: deps configure build run test test-asan test-tsan bench fuzz clean \
	format format-check

deps:
	tools/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_CXX_COMPILER=$(CXX) $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	mkdir -p var
	$(BUILD_DIR)/tools/switchboard serve --data-dir ./var

bench: deps
	CXX=$(CXX) tools/run-benchmarks.sh

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# Every test binary and the server, for the sanitizer runs. Not the
# end-to-end failover suite (cluster_failover_tests): it runs in `make
# test`; under ASan its six processes per case mostly measured the
# sanitizer's slowness against its time bounds (about 3 minutes of CI),
# while the cluster library and the node's composition keep running under
# ASan in cluster_tests (replicated writer, snapshots, node partitions,
# forwarding, the ownership loop, serve --nats nodes).
TEST_TARGETS = switchboard core_tests persistence_tests config_tests \
	actors_tests api_tests loadgen_tests integration_tests cluster_tests

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer. The
# benchmarks are built here too (cheap at -O0): no other CI step compiles
# them, and they must keep compiling. Built with clang (Debian's clang, the
# fuzz build's compiler): at -O0 with the sanitizers it compiled the same
# targets in about half of GCC 12's CPU time (docs/TESTING.md, "Build
# cost"), and the tree keeps compiling warning-free with both compilers.
test-asan: deps
	cmake -S . -B build-asan -DSANITIZE=address,undefined -DCMAKE_BUILD_TYPE=Debug \
	  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang
	cmake --build build-asan -j $(JOBS) --target $(TEST_TARGETS) benchmarks
	cd build-asan && ctest --output-on-failure -j $(JOBS) \
	  -E '^(FailoverTest\.|cluster_failover_tests_NOT_BUILT)'


# The concurrent suites (actors, api, integration) under ThreadSanitizer,
# against CAF's core built with TSan too (tools/build-caf-tsan.sh), so that
# the actor code is checked with no suppressions.
CAF_TSAN = $(CURDIR)/build-tsan/caf-clang/install
test-tsan: deps
	tools/build-caf-tsan.sh
	cmake -S . -B build-tsan -DSANITIZE=thread -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
	  -DCAF_INCLUDE_DIR=$(CAF_TSAN)/include \
	  -DCAF_CORE_LIBRARY=$(CAF_TSAN)/lib/libcaf_core.so
	cmake --build build-tsan -j $(JOBS) --target actors_tests api_tests integration_tests
	cd build-tsan && ctest --output-on-failure -j $(JOBS) -L '^(actors|api|integration)_tests$$'

# libFuzzer targets (clang, ASan + UBSan) in build-fuzz: each replays its
# committed corpus, then fuzzes for FUZZ_SECONDS (tests/fuzz/run.sh).
FUZZ_SECONDS ?= 60
fuzz: deps
	tests/fuzz/run.sh $(FUZZ_SECONDS)

# Formatting of every tracked C++ file with the committed .clang-format
# (Debian's clang-format 14: another version formats some constructs
# differently). `make format` rewrites them; `make format-check` (CI) lists
# the files that differ and fails.
FORMAT_FILES = $(shell git ls-files '*.cpp' '*.hpp')
format: deps
	clang-format -i $(FORMAT_FILES)

format-check: deps
	@bad=$$(clang-format --dry-run --Werror $(FORMAT_FILES) 2>&1 | \
	  sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error:.*/\1/p' | sort -u); \
	if [ -n "$$bad" ]; then \
	  echo "format-check: these files differ from .clang-format (make format fixes them):"; \
	  echo "$$bad"; exit 1; \
	fi; echo "format-check: $(words $(FORMAT_FILES)) files ok"

clean:
	rm -rf $(BUILD_DIR) build-asan build-tsan build-release build-fuzz
