#pragma once

// Membership: the KV bucket SB_MEMBERS (shared/CLUSTER.md "Membership").
// Each node puts only its own key, its node id, about every second; the
// bucket's TTL (member_ttl_seconds, fixed when the bucket is created)
// removes the key of a node that stopped putting. The live members are the
// keys present. Membership only steers placement and failover timing: it
// never carries safety (the partition logs' fence does).
//
// Value of a key: {"node_id": ID, "url": URL, "last_seen": ISO-8601 UTC,
// "applied": {"PARTITION": SEQ, ...}}; "applied" (the partitions whose file
// the node keeps, with the last log sequence applied to each) is left out
// when empty and ignored when malformed: it steers handoffs, nothing else.

#include "cluster/nats_client.hpp"
#include "cluster/partition.hpp"

#include "core/cluster_rules.hpp"
#include "core/result.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::cluster {

struct member {
  std::string node_id;
  std::string url;       // the node's HTTP address, as it advertises it
  std::string last_seen; // when it last put its key (ISO-8601 UTC)
  /// Partition -> the last log sequence applied to this node's file of it.
  std::map<int, std::uint64_t> applied = {};

  friend bool operator==(const member&, const member&) = default;
};

/// The node id rule (core/cluster_rules.hpp): 1-64 characters of
/// [A-Za-z0-9_-] (a KV key, and a token safe in subjects and file names).
using core::check_node_id;

class membership {
public:
  /// Creates the bucket (R `replicas`, TTL `ttl_seconds`, history 1, file
  /// storage) or finds it with the same configuration. Errors: internal
  /// when it exists with another configuration; overloaded when NATS is
  /// unavailable. REQUIRES: `c` outlives the returned object.
  static core::result<membership>
  create(nats_client& c, int ttl_seconds, int replicas,
         std::string_view bucket = member_bucket);

  /// Binds to an existing bucket. Errors: not_found "the cluster is not
  /// initialised (no KV bucket <bucket>): run switchboard cluster init".
  static core::result<membership> open(nats_client& c,
                                       std::string_view bucket = member_bucket);

  /// Puts `m` under the key m.node_id (refreshing its TTL).
  /// REQUIRES: check_node_id(m.node_id) is ok.
  core::status put(const member& m);

  /// Puts `m` only when no live member has its id: true when it did, false
  /// when the key already had a value (then unchanged). Not a safe mutual
  /// exclusion on nats-server 2.9.10 (the per-subject check behind it is
  /// made before the Raft proposal; shared/CLUSTER.md), so two nodes
  /// starting with the same id at the same instant may both succeed.
  core::result<bool> create(const member& m);

  /// The live member `node_id`, nullopt when it has no live key (or a value
  /// that does not decode).
  core::result<std::optional<member>> find(std::string_view node_id);

  /// Deletes the key of `node_id` at once (a node leaving), so the others
  /// stop listing it without waiting for the TTL.
  core::status remove(std::string_view node_id);

  /// The live members (keys not expired), sorted by node id. Values that
  /// do not decode are skipped (a key with a foreign value is not a node).
  core::result<std::vector<member>> list();

private:
  membership(nats_client& c, kv_store_ptr kv)
    : client_(&c), kv_(std::move(kv)) {}
  nats_client* client_;
  kv_store_ptr kv_;
};

} // namespace switchboard::cluster
