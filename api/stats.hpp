#pragma once

// GET /v1/stats and the 1 Hz `stats` event: a sampler that the server ticks
// once a second keeps the last minute of counter samples, so rates and
// latency percentiles over 1/10/60 s cost one subtraction each. A request
// reads the newest sample; nothing is computed per row.

#include "actors/engine.hpp"
#include "core/histogram.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <mutex>
#include <string>

namespace switchboard::api {

/// Latencies the server measures itself (seconds). Thread-safe.
struct latency_meters {
  /// POST /v1/messages and :batch, request received -> reply written.
  core::histogram route_ack{1e-6};
  /// Every HTTP request, received -> reply written.
  core::histogram http{1e-6};
};

class stats_sampler {
public:
  using steady = std::chrono::steady_clock;

  stats_sampler(const actors::engine& eng, const latency_meters& lat,
                std::string data_dir);

  /// Takes one sample (the server calls it once a second). Thread-safe.
  void sample(steady::time_point now = steady::now());

  /// The /v1/stats object: counters, gauges and sweep times as of now,
  /// rates and percentiles from the samples. Thread-safe.
  nlohmann::json snapshot() const;

private:
  struct point {
    steady::time_point at;
    actors::metrics_snapshot m;
    core::histogram::snapshot route_ack;
    core::histogram::snapshot http;
    std::int64_t db_bytes = 0;
    std::int64_t wal_bytes = 0;
  };

  nlohmann::json window(std::size_t seconds) const;

  const actors::engine& eng_;
  const latency_meters& lat_;
  std::string data_dir_;
  steady::time_point started_;
  mutable std::mutex mtx_;
  std::deque<point> points_; // oldest first, at most 61
};

} // namespace switchboard::api
