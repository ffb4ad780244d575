#pragma once

// Runs `switchboard serve` in the background for integration tests: waits
// for its listening line, stops it with a signal, reports its exit code.
// POSIX only. Includes the HTTP client and temp dirs its users need.

#include "tests/support/http_client.hpp"
#include "tests/support/temp_dir.hpp"

#include <string>
#include <vector>

#include <sys/types.h>

namespace switchboard::testing {

class server_process {
public:
  /// Starts $SWITCHBOARD_BIN serve --listen 127.0.0.1:0 <extra args> and
  /// reads stdout up to the listening line. On failure url() is empty.
  explicit server_process(const std::vector<std::string>& extra_args);
  ~server_process(); // SIGKILLs a server still running

  /// "http://127.0.0.1:PORT", or "" when the server did not start.
  const std::string& url() const { return url_; }
  /// The server's process id (-1 once stopped).
  pid_t pid() const { return pid_; }
  /// The first stdout line.
  const std::string& line() const { return line_; }

  /// Sends `sig` and waits; returns the exit status (128 + signal when
  /// killed by one).
  int stop(int sig);

private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string line_;
  std::string url_;
};

} // namespace switchboard::testing
