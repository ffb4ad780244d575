#pragma once

// A node's partitions (shared/CLUSTER.md "Shape", "Failover"): the
// partition_host that carries out the ownership loop's actions with the
// pieces of phases 3a-3c, behind the partitioned engine the HTTP layer
// talks to.
//
// Per partition p, in <data_dir>/partitions/NN/state.db:
//  - serve / take_over: a file behind the trimmed log first installs the
//    newest snapshot (ensure_log_reachable); then a local engine on the
//    file whose writer replicates
//    into p's log (replicate_to: starting it takes p over, fenced), an
//    rpc_server answering p's forwarded calls, and the front's slot p
//    pointing at the local engine. Already serving: nothing to do.
//  - hand_off: the front's slot points at a proxy first, then the rpc
//    server and the local engine stop (its last batch is published), then a
//    `handoff` record is appended fenced after this node's last record, and
//    the file is followed.
//  - follow: a standby thread keeps the file applied (no local engine);
//    calls are forwarded.
//  - forward: no local engine, no standby; calls are forwarded.
// Forwarded calls go to the owner the log named at the last pass
// (sb.rpc.NN.<node>), or to any node serving p while none is named.
// A local engine whose writer was deposed stops serving on the next pass,
// whether or not that pass could read the log.
// A failed step (NATS unavailable, a fenced takeover) leaves the partition
// without a local engine and is tried again by the loop's next pass.
//
// Threads: apply() runs on the ownership loop's thread only; stop_all()
// after the loop has stopped. Engines taken out of the front are stopped
// on this thread, never on one of their own.

#include "cluster/nats_client.hpp"
#include "cluster/ownership_loop.hpp"
#include "cluster/rpc_client.hpp"
#include "cluster/rpc_server.hpp"
#include "cluster/standby.hpp"

#include "actors/partitioned_engine.hpp"
#include "core/clock.hpp"
#include "core/settings.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace switchboard::cluster {

struct node_partitions_options {
  /// The node's engine settings; each partition's engine runs them on
  /// <data_dir>/partitions/NN.
  core::settings engine_cfg;
  std::shared_ptr<core::clock> clock;
  std::shared_ptr<nats_client> nats;
  std::shared_ptr<rpc_client> rpc;
  std::string node_id;
  /// Told what happened to a partition (took over, handed off, ...).
  std::function<void(const std::string&)> log;
};

class node_partitions final : public partition_host {
public:
  /// REQUIRES: `front` has engine_cfg's partitions and outlives this.
  node_partitions(node_partitions_options o, actors::partitioned_engine& front);
  ~node_partitions() override;
  node_partitions(const node_partitions&) = delete;
  node_partitions& operator=(const node_partitions&) = delete;

  std::optional<std::uint64_t> apply(int partition, partition_action action,
                                     std::uint64_t last_seq) override;
  void facts_unknown(int partition) override;
  /// Forwarded calls of the partition go to that node from now on.
  void log_owner_is(int partition, const std::string& node) override;

  /// Hands off every partition served here (a graceful leave): after it,
  /// the next owner of each can take it over without waiting for this
  /// node's member key to expire.
  void hand_off_all();

  /// Stops every local engine, server, standby and proxy.
  void stop_all();

  /// The partition's file (for tests, status and snapshots). Thread-safe.
  std::string file_of(int partition) const;

  /// True while a local engine serves the partition. Thread-safe.
  bool serves(int partition) const;

private:
  struct slot {
    std::shared_ptr<actors::engine> local; // serving
    /// Set by the local engine's writer once another node appended.
    std::shared_ptr<std::atomic<bool>> deposed;
    std::unique_ptr<rpc_server> server;
    std::unique_ptr<standby> follower;
    bool remote = false; // the front's slot is a proxy
  };

  std::optional<std::uint64_t> serve(int p, std::uint64_t last_seq);
  std::optional<std::uint64_t> follow(int p);
  void hand_off(int p);
  void note_deposed(int p) const;
  bool writer_deposed(int p) const;
  void stop_local(int p);
  void stop_follower(int p);
  void point_front_at_remote(int p);
  void replace_front(int p, std::shared_ptr<actors::engine> e);
  std::string dir_of(int p) const;
  void log(const std::string& line) const;

  node_partitions_options opts_;
  actors::partitioned_engine& front_;
  std::vector<slot> slots_;
  std::unique_ptr<std::atomic<bool>[]>
    serving_; // slots_[p].local, for serves()
};

} // namespace switchboard::cluster
