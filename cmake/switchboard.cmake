# Helpers shared by every folder's CMakeLists.txt.

# Our own targets are strict; third-party headers are included as SYSTEM so
# their warnings never fail our build.
function(switchboard_strict target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Werror)
  # GCC 12 at -O2/-O3 reports std::string operator+ as a -Wrestrict overlap
  # (a known false positive, GCC bug 105651), and at -O3 (Release, make
  # bench) std::string copies inlined into vectors as out-of-bounds memcpys
  # (-Warray-bounds, -Wstringop-overflow: the same family of false
  # positives, GCC bug 106199): keep them warnings, not errors.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND
     CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-error=restrict
      -Wno-error=array-bounds -Wno-error=stringop-overflow
      -Wno-error=stringop-overread)
  endif()
endfunction()

# switchboard_library(NAME SOURCES...) adds one library target per folder.
function(switchboard_library name)
  add_library(${name} STATIC ${ARGN})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  switchboard_strict(${name})
endfunction()

# switchboard_use_mimalloc(TARGET): links mimalloc (Debian libmimalloc-dev)
# into an executable so that it replaces malloc process-wide. Why: ~25% of
# the engine profile was glibc malloc/free (closures, strings, CAF messages);
# the engine benchmark ran 5-25% faster with it. Only executables and
# benchmarks, never the libraries; skipped when the library is absent.
function(switchboard_use_mimalloc target)
  find_library(MIMALLOC_LIBRARY NAMES mimalloc)
  if(MIMALLOC_LIBRARY)
    target_link_libraries(${target} PRIVATE
      -Wl,--push-state,--no-as-needed ${MIMALLOC_LIBRARY} -Wl,--pop-state)
  endif()
endfunction()

# Build cost (docs/TESTING.md "Build cost"): precompiled headers per layer,
# shared where the compile flags match; test code compiled cheaper than the
# code it tests; unity batches only for test files verified to compile
# together.
option(SWITCHBOARD_PCH "Precompile the heavy third-party headers" ON)

# The headers most files of a layer include. Only what most of the target's
# files need: a precompiled header is force-included into every file, and a
# header with static objects (asio, CLI11) would cost every file that does
# not use it.
set(switchboard_pch_base
  <nlohmann/json.hpp> <date/date.h>
  <algorithm> <chrono> <cstdint> <functional> <map> <memory> <optional>
  <sstream> <string> <string_view> <unordered_map> <variant> <vector>)

# switchboard_pch(TARGET HEADERS...): precompiles HEADERS for TARGET.
# switchboard_pch(TARGET REUSE DONOR): uses DONOR's precompiled header (the
# compile flags and definitions must be the same; GCC rejects a mismatch
# under -Winvalid-pch -Werror, so a mistake shows at once).
function(switchboard_pch target)
  if(NOT SWITCHBOARD_PCH)
    return()
  endif()
  if(ARGV1 STREQUAL "REUSE")
    set_target_properties(${target} PROPERTIES
      PRECOMPILE_HEADERS_REUSE_FROM ${ARGV2})
  else()
    target_precompile_headers(${target} PRIVATE ${ARGN})
  endif()
endfunction()

# Test code (suites, their support library) is built -O1 -g1 in the default
# RelWithDebInfo build: half the compile time of -O2 -g. The code under
# test (every library and the binary) keeps -O2 (with -g1, CMakeLists.txt),
# so the tests check what ships; -g1 keeps function names and line numbers
# for backtraces. A full
# debug build of the tests: -DSWITCHBOARD_TEST_FLAGS= (or a Debug build).
set(SWITCHBOARD_TEST_FLAGS "-O1;-g1" CACHE STRING
  "Extra compile flags for test code in RelWithDebInfo builds")
function(switchboard_test_flags target)
  if(SWITCHBOARD_TEST_FLAGS)
    target_compile_options(${target} PRIVATE
      "$<$<CONFIG:RelWithDebInfo>:${SWITCHBOARD_TEST_FLAGS}>")
  endif()
endfunction()

# switchboard_unity(TARGET BASE_DIR VERIFIED...): unity batches (8 files
# compiled as one translation unit, so shared templates are compiled once
# per batch) made only of TARGET's sources listed in VERIFIED (paths
# relative to BASE_DIR), each checked to compile with the others: no
# clashing names in anonymous namespaces, no `using` leaking into a
# neighbour. Every other source compiles on its own, so a new file can never
# break the build; add it to the list once the batch builds with it.
function(switchboard_unity target base_dir)
  get_target_property(sources ${target} SOURCES)
  set(batched 0)
  foreach(src ${sources})
    file(RELATIVE_PATH rel ${base_dir} ${src})
    if(rel IN_LIST ARGN)
      math(EXPR batched "${batched} + 1")
    else()
      set_source_files_properties(${src} TARGET_DIRECTORY ${target}
        PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
    endif()
  endforeach()
  if(batched GREATER 1)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON
      UNITY_BUILD_BATCH_SIZE 8)
  endif()
endfunction()
