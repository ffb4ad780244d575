#pragma once

// GET /v1/cluster's source (shared/CLUSTER.md "Contract"). The API does not
// depend on the cluster library: the binary injects this function when it
// runs as a cluster node (serve --nats), and leaves it empty otherwise.

#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <functional>

namespace switchboard::api {

/// Called with the status ({"node_id", "members", "partitions"}) or an
/// error, exactly once, from any thread.
using cluster_status_done = std::function<void(core::result<nlohmann::json>)>;

/// Asks for the cluster's status without blocking the caller (the HTTP I/O
/// thread); answers through `done`.
using cluster_status_fn = std::function<void(cluster_status_done done)>;

} // namespace switchboard::api
