#pragma once

// What every endpoint handler can reach: the engine, the settings, the
// optional manual clock, the server's own HTTP counters and latencies, the
// event log, the stats sampler and the published load tests.

#include "actors/engine.hpp"
#include "api/cluster_status.hpp"
#include "api/event_log.hpp"
#include "api/http.hpp"
#include "api/loadtests.hpp"
#include "api/stats.hpp"
#include "core/clock.hpp"
#include "core/settings.hpp"
#include "core/zone.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace switchboard::api {

/// HTTP requests by status, counted by the server itself. Thread-safe.
class http_counters {
public:
  void count(int status);
  std::map<int, std::uint64_t> read() const;

private:
  mutable std::mutex mtx_;
  std::map<int, std::uint64_t> by_status_;
};

struct api_context {
  actors::engine& eng;
  core::settings cfg;
  core::manual_clock* clock = nullptr; // null: POST /v1/admin/clock is 404
  core::zone zone;                     // the reset-policy time zone
  http_counters http;
  latency_meters latency;
  std::shared_ptr<event_log> events = std::make_shared<event_log>();
  loadtest_registry loadtests;
  std::unique_ptr<stats_sampler> stats; // set by the server
  cluster_status_fn cluster_status;     // empty: not a cluster node

  /// Publishes message_appended (opt-in: only built while a stream asks).
  void appended(const std::string& session_key, const std::string& session_id,
                std::int64_t message_id, const std::string& role) const;
};

/// One matched request: the context, the request and the path parameters
/// ({} segments of the route pattern, in order).
struct call {
  api_context& ctx;
  const request& req;
  std::vector<std::string> params;
};

/// An endpoint: reads what it needs from `c` synchronously (c does not
/// outlive the call), then answers through `respond`, now or later.
using handler = std::function<void(const call& c, respond_fn respond)>;

} // namespace switchboard::api
