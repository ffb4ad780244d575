#pragma once

// `switchboard cluster init` and `cluster status` (shared/CLUSTER.md
// "Contract"), as library calls the CLI (and later GET /v1/cluster) use.
//
// Where P lives: the KV bucket SB_CLUSTER (no TTL, R replicas) holds the key
// `config` = {"partitions", "replicas", "member_ttl_seconds"}, written once
// by the first init with a create-only put. Every later init compares its
// request with it and fails without changing anything when they differ: P
// cannot change after init (it would move keys between logs), and neither
// can the replicas or the member TTL through init.

#include "cluster/nats_client.hpp"
#include "cluster/partition.hpp"

#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>

namespace switchboard::cluster {

struct cluster_config {
  int partitions = default_partitions;
  int replicas = default_replicas;
  int member_ttl_seconds = default_member_ttl_seconds;

  friend bool operator==(const cluster_config&,
                         const cluster_config&) = default;
};

/// ok, or bad_request naming the field ("cluster.partitions must be
/// between 1 and 100", ...). member_ttl_seconds: 1 to 3600.
core::status check_config(const cluster_config& cfg);

nlohmann::json to_json(const cluster_config& cfg);
/// The stored config, or bad_request naming the field.
core::result<cluster_config> decode_config(std::string_view text);

struct init_report {
  cluster_config config;
  bool created = false; // false: the cluster was already initialised
};

/// Creates, in order: the config bucket and its `config` key, the member
/// bucket (TTL cfg.member_ttl_seconds), and the P partition streams SB_Pnn
/// (R replicas, file storage), each starting with a `genesis` record
/// (epoch 0, node "", no ops) appended with the fence (expecting an empty
/// stream, so concurrent inits write it once), then the snapshot stream
/// SB_SNAPSHOTS (R replicas; cluster/snapshot.hpp).
/// Idempotent: with the stored config, a second run changes nothing (and
/// repairs what a first, interrupted run did not create).
/// Errors: bad_request for an invalid cfg; conflict "the cluster was
/// initialised with 16 partitions, 3 replicas, member TTL 5 s; this init
/// asks for 8 partitions, ..." when a config is stored and differs (then
/// nothing is changed); the errors of NATS otherwise.
core::result<init_report> init_cluster(nats_client& c,
                                       const cluster_config& cfg);

/// The config stored by init. Errors: not_found "the cluster is not
/// initialised ...: run switchboard cluster init".
core::result<cluster_config> read_config(nats_client& c);

/// {"node_id": node_id or null,
///  "members": [{"node_id", "url", "last_seen"}],
///  "partitions": [{"id", "owner", "standby", "applied_seq", "last_seq"}]}
/// owner: the node the log names (its last takeover or batch record), the
/// one serving the partition now; null after genesis or a handoff, and
/// during a failover until the takeover. standby: the live node that takes
/// the partition over or receives it next (the first of its rendezvous
/// placement over the live members that is not the owner), null when
/// there is none. last_seq: the stream's last sequence. applied_seq: the
/// last record `applied` (the asking node's file) holds, null when that
/// node keeps no file of the partition (it forwards); without `applied`
/// (the CLI, which is no node) the stream's last sequence.
core::result<nlohmann::json>
cluster_status(nats_client& c, const std::optional<std::string>& node_id,
               const std::map<int, std::uint64_t>* applied = nullptr);

} // namespace switchboard::cluster
