# Helpers shared by every folder's CMakeLists.txt.

# Our own targets are strict; third-party headers are included as SYSTEM so
# their warnings never fail our build.
function(switchboard_strict target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Werror)
endfunction()

# switchboard_library(NAME SOURCES...) adds one library target per folder.
function(switchboard_library name)
  add_library(${name} STATIC ${ARGN})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  switchboard_strict(${name})
endfunction()
