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
