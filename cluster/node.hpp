#pragma once

// A `switchboard serve --nats ...` process as a cluster member (phase 2a,
// docs/CLUSTER_STATUS.md). It checks the cluster it joins, keeps its own
// member key in SB_MEMBERS alive, answers GET /v1/cluster, and deletes its
// key when it stops. It owns, partitions and replicates no data yet.
//
// Threads: the heartbeat (one put every second, or every TTL/3 when the
// member TTL is shorter than 3 s) and the status answers each run on a
// thread of their own, never on a CAF scheduler or HTTP I/O thread.

#include "cluster/admin.hpp"
#include "cluster/job_thread.hpp"
#include "cluster/membership.hpp"
#include "cluster/nats_client.hpp"
#include "cluster/periodic_thread.hpp"

#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace switchboard::cluster {

struct node_options {
  std::vector<std::string> nats_urls;
  std::string node_id;
  /// The node's own `cluster` settings (partitions, replicas, member TTL).
  cluster_config expected;
  /// Told, from the heartbeat thread, when a put fails after working and
  /// when it works again after failing (so an outage logs two lines).
  std::function<void(const std::string&)> log;
};

using status_callback = std::function<void(core::result<nlohmann::json>)>;

class node {
public:
  /// Connects to NATS and reads the config `cluster init` stored. Errors:
  /// bad_request for a bad node id ("cluster.node_id must be ...");
  /// overloaded when NATS is unreachable; not_found "the cluster is not
  /// initialised ...: run switchboard cluster init"; conflict when the
  /// node's settings differ from the stored config, naming each field and
  /// both values ("cluster.partitions is 8 in this node's settings, but the
  /// cluster was initialised with 16; ...").
  static core::result<std::unique_ptr<node>> connect(const node_options& o);

  /// Calls leave(), then answers the status requests still queued.
  ~node();
  node(const node&) = delete;
  node& operator=(const node&) = delete;

  /// Puts the member key {node_id, url, last_seen} and starts the
  /// heartbeat. Errors: conflict "node id ID is already a live member of
  /// the cluster at URL ..." when a live key of this id has another URL
  /// (another node uses the id, or an earlier run of it ended without
  /// leaving less than member_ttl_seconds ago); the errors of NATS. On an
  /// error nothing was put and no thread started.
  /// REQUIRES: called at most once.
  core::status join(const std::string& url);

  /// Answers with cluster_status(node_id) from the status thread; at once
  /// with overloaded when 64 requests are already waiting. Thread-safe.
  void status(status_callback done);

  /// Stops the heartbeat and deletes the member key, so the other nodes
  /// stop listing this one at once. Idempotent. Errors: those of the
  /// delete (the key then expires after the member TTL).
  core::status leave();

  /// The partitions whose file this node keeps, with the last log sequence
  /// applied to each (the ownership loop's publish_applied): sent with
  /// the next heartbeat (member::applied). Thread-safe.
  void set_applied(std::map<int, std::uint64_t> applied);

  const std::string& id() const { return id_; }
  const cluster_config& config() const { return config_; }

private:
  node(std::unique_ptr<nats_client> c, membership m, node_options o,
       cluster_config stored);
  void beat();

  std::unique_ptr<nats_client> client_;
  membership members_;
  std::string id_;
  cluster_config config_; // as stored by cluster init
  std::function<void(const std::string&)> log_;
  std::mutex self_mtx_;
  member self_;               // under self_mtx_
  bool beat_failing_ = false; // heartbeat thread only
  std::mutex leave_mtx_;
  bool joined_ = false;
  std::unique_ptr<periodic_thread> heartbeat_;
  job_thread status_jobs_{64};
};

/// The conflict error when `mine` (a node's settings) differs from
/// `stored`, naming each differing field; ok when they are equal.
core::status check_matches_stored(const cluster_config& mine,
                                  const cluster_config& stored);

/// How often a node puts its key for a member TTL: every second, or every
/// TTL/3 when that is shorter, so that a missed put or two never lets a
/// live node's key expire.
std::chrono::milliseconds heartbeat_period(int member_ttl_seconds);

} // namespace switchboard::cluster
