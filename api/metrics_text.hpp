#pragma once

// GET /metrics: the engine's metrics and the server's HTTP counters in the
// Prometheus text exposition format (version 0.0.4).

#include "actors/engine.hpp"

#include <cstdint>
#include <map>
#include <string>

namespace switchboard::api {

/// Renders counters (switchboard_*_total), the resident-actors gauge, the
/// writer histograms (_bucket{le=...} cumulative, _sum, _count) and
/// switchboard_http_requests_total{status="..."}.
std::string render_metrics(const actors::metrics_snapshot& m,
                           const std::map<int, std::uint64_t>& http_by_status);

} // namespace switchboard::api
