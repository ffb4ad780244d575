#pragma once

// `serve --nats URLS --node-id ID`: the cluster node beside the engine
// (phase 2a, docs/CLUSTER_STATUS.md). Only serve_command.cpp uses it, and
// only when the settings name NATS URLs: a single-node serve never calls
// into the cluster library.

#include "actors/partitioned_engine.hpp"
#include "api/cluster_status.hpp"
#include "cluster/membership.hpp"
#include "cluster/node.hpp"
#include "cluster/node_partitions.hpp"
#include "cluster/ownership_loop.hpp"
#include "cluster/rpc_client.hpp"
#include "cluster/snapshotter.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/settings.hpp"

#include <memory>
#include <optional>

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

/// A cluster node's data path (docs/CLUSTER_STATUS.md, phase 3): the
/// partitioned engine the HTTP layer serves, whose partitions this node
/// serves, follows or forwards as its ownership loop decides, and whose
/// served partitions it snapshots (cluster/snapshotter.hpp).
class data_path {
public:
  /// Connects the data path's own NATS connection and starts the loop
  /// (its first pass is run_first_pass()). Errors: those of NATS.
  static core::result<std::unique_ptr<data_path>>
  start(const core::settings& cfg, std::shared_ptr<core::clock> clk,
        cluster::node& n);
  ~data_path();

  actors::engine& engine() { return *front_; }
  /// One ownership pass now (serve start-up: the node serves what it owns
  /// before it prints its listening line).
  void run_first_pass() { loop_->run_pass(); }
  /// SIGTERM: stops the loop and hands every served partition off.
  void hand_off();
  /// Stops every partition's engine, then the front.
  void stop();

private:
  data_path() = default;
  std::shared_ptr<cluster::nats_client> nats_;
  std::unique_ptr<cluster::nats_client> loop_nats_;
  std::shared_ptr<cluster::rpc_client> rpc_;
  std::shared_ptr<actors::partitioned_engine> front_;
  std::optional<cluster::membership> members_;
  std::unique_ptr<cluster::node_partitions> host_;
  std::unique_ptr<cluster::ownership_loop> loop_;
  std::unique_ptr<cluster::snapshotter> snapshots_;
};

/// GET /v1/cluster's source for the API: the node's status.
/// REQUIRES: `n` outlives the server it is given to.
api::cluster_status_fn status_source(cluster::node& n);

} // namespace switchboard::tools
