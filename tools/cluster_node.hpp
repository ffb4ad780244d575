#pragma once

// `serve --nats URLS --node-id ID`: the cluster node beside the engine
// (phase 2a, docs/CLUSTER_STATUS.md). Only serve_command.cpp uses it, and
// only when the settings name NATS URLs: a single-node serve never calls
// into the cluster library.

#include "api/cluster_status.hpp"
#include "cluster/node.hpp"
#include "core/result.hpp"
#include "core/settings.hpp"

#include <memory>

namespace switchboard::tools {

/// The node of `s.cluster`, connected, with the cluster it joins checked
/// (cluster::node::connect's errors); nullptr in single-node mode (no NATS
/// URLs), where nothing of the cluster library runs. Heartbeat problems are
/// logged (spdlog, warning).
core::result<std::unique_ptr<cluster::node>>
connect_node(const core::settings& s);

/// Joins the cluster with this node's `url` (cluster::node::join's errors);
/// ok at once for no node.
core::status join_cluster(cluster::node* n, const std::string& url);

/// Leaves the cluster (deletes the member key, so the others stop listing
/// this node at once); a failure is logged, as the key then expires after
/// the member TTL. Nothing for no node.
void leave_cluster(cluster::node* n);

/// GET /v1/cluster's source for the API: the node's status.
/// REQUIRES: `n` outlives the server it is given to.
api::cluster_status_fn status_source(cluster::node& n);

} // namespace switchboard::tools
