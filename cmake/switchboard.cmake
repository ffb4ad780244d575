# Helpers shared by every folder's CMakeLists.txt.

# Our own targets are strict; third-party headers are included as SYSTEM so
# their warnings never fail our build.
function(switchboard_strict target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Werror)
  # GCC 12 at -O2/-O3 reports std::string operator+ as a -Wrestrict overlap
  # (a known false positive, GCC bug 105651): keep it a warning, not an error.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND
     CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-error=restrict)
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
