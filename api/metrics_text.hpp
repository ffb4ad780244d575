#pragma once

// GET /metrics: the engine's metrics and the server's HTTP counters in the
// Prometheus text exposition format (version 0.0.4).

#include "actors/engine.hpp"

#include <cstdint>
#include <map>
#include <string>

namespace switchboard::api {

/// The server's own latency histograms (seconds).
struct server_latencies {
  core::histogram::snapshot route_ack;
  core::histogram::snapshot http;
};

/// Renders counters (switchboard_*_total), the gauges (resident actors,
/// writer queue depth, flushes queued / in flight), the writer and latency
/// histograms (_bucket{le=...} cumulative, _sum, _count) and
/// switchboard_http_requests_total{status="..."}.
std::string render_metrics(const actors::metrics_snapshot& m,
                           const std::map<int, std::uint64_t>& http_by_status,
                           const server_latencies& latencies = {});

/// A number as the shortest decimal that reads back as the same double,
/// after rounding to 15 significant digits so that computed bounds print
/// as people write them: 2e-05, not 1.9999999999999998e-05.
std::string prom_number(double v);

} // namespace switchboard::api
