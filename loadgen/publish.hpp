#pragma once

// Publishing a run to the server it loads (`loadgen --url URL --publish`):
// POST URL/v1/admin/loadtests {"run_id", "state": "running"|"done",
// "summary"} once a second from its own thread while the run lasts, and
// once at the end with the verdict. A server that does not know the
// endpoint (an older one answers 404) or refuses never fails the run: the
// first failure prints one warning on stderr, later ones stay silent.

#include "loadgen/run.hpp"

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace switchboard::loadgen {

struct publish_options {
  std::string url; // http://HOST:PORT
  std::optional<std::string> token;
  std::string run_id;      // make_run_id() when empty
  double target_rate = 0;  // > 0: "target_rate" in every summary
  std::string report_html; // non-empty: "report_html" in the final summary
};

/// "lg-YYYYMMDDTHHMMSSZ-xxxxxx" (UTC time and random hex).
std::string make_run_id();

class publisher {
public:
  /// Starts posting live_summary(run) every second.
  publisher(publish_options o, const run_result& run);
  ~publisher();
  publisher(const publisher&) = delete;
  publisher& operator=(const publisher&) = delete;

  /// Stops the periodic posts (idempotent).
  void stop();
  /// Stops, then posts state "done" with `summary` (the --json object) plus
  /// "verdict" ("pass" or "fail") and the options' extra fields.
  void finish(nlohmann::json summary, const std::string& verdict);

  const std::string& run_id() const { return opts_.run_id; }
  /// Posts that were refused or failed so far.
  int failures() const;

private:
  void loop();
  void post(const std::string& state, nlohmann::json summary);

  publish_options opts_;
  const run_result& run_;
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  bool stopped_ = false;
  int failures_ = 0;
  std::thread thread_;
};

} // namespace switchboard::loadgen
