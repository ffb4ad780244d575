#pragma once

// Runs a program to completion and captures what it printed, for integration
// tests that drive the real `switchboard` binary. POSIX only.

#include <string>
#include <vector>

#include <sys/types.h>

namespace switchboard::testing {

struct process_result {
  int exit_code = -1; // the exit status; 128 + signal when killed; -1 on error
  std::string out;    // everything written to stdout
  std::string err;    // everything written to stderr
};

/// Runs args[0] (a path, not looked up in PATH) with args[1..] as its
/// arguments, no shell involved, and waits for it. stdout and stderr go to
/// pipes read concurrently, so a chatty child never blocks. stdin is
/// /dev/null. REQUIRES: !args.empty().
process_result run_command(const std::vector<std::string>& args);

/// Starts args[0] (a path) with args[1..] in the background, stdin, stdout
/// and stderr on /dev/null; returns its pid (-1 when fork fails). The
/// caller kills and reaps it. REQUIRES: !args.empty().
pid_t spawn_quiet(const std::vector<std::string>& args);

/// The binary under test: $SWITCHBOARD_BIN, else the one this build made.
std::string switchboard_bin();

} // namespace switchboard::testing
