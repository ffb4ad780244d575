#pragma once

// Runs `switchboard serve` in the background for integration tests: waits
// for its listening line, stops it with a signal, reports its exit code.
// POSIX only.

#include <functional>
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

/// A fresh empty directory under the system temp dir.
std::string make_temp_dir();

struct http_result {
  long status = 0;
  std::string body;
};

/// One HTTP request with libcurl; status 0 when the transfer failed.
http_result http(const std::string& method, const std::string& url,
                 const std::string& body = "",
                 const std::vector<std::string>& headers = {});

/// Opens a GET stream; calls `on_open` once the response headers arrived,
/// then reads until `stop_at` appears; returns the body read.
std::string read_stream(const std::string& url,
                        const std::function<void()>& on_open,
                        const std::string& stop_at);

} // namespace switchboard::testing
