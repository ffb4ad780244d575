#pragma once

// Partitions of the key space and the names of their JetStream assets
// (shared/CLUSTER.md "Shape"). Pure functions: no I/O.
//
// A session key belongs to partition FNV-1a-32(key) mod P. P is fixed when
// the cluster is initialised (`switchboard cluster init`), stored in the
// config bucket, and never changes: changing it would move keys between
// partitions and so between logs.

#include "core/cluster_rules.hpp"
#include "core/partition_rules.hpp"
#include "core/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::cluster {

// Limits and defaults (core/cluster_rules.hpp, shared with config/).
using core::default_member_ttl_seconds;
using core::default_partitions;
using core::default_replicas;
using core::max_partitions;
using core::max_replicas;

/// The KV bucket where each node puts its own key (TTL member_ttl_seconds).
inline constexpr std::string_view member_bucket = "SB_MEMBERS";
/// The KV bucket (no TTL) holding the key `config`: the partition count,
/// replicas and member TTL fixed by `cluster init`.
inline constexpr std::string_view config_bucket = "SB_CLUSTER";
inline constexpr std::string_view config_key = "config";

// FNV-1a-32 and partition_of (core/partition_rules.hpp, shared with the
// partitioned engine in actors/).
using core::fnv1a_32;
using core::partition_of;

/// "SB_P03": the stream of partition 3's log.
/// REQUIRES: 0 <= partition < max_partitions.
std::string stream_name(int partition);

/// "sb.log.03": the only subject of partition 3's stream. One subject per
/// stream, so "no message on the subject" and "empty stream" agree.
std::string log_subject(int partition);

/// ok, or bad_request "<field> must be between 1 and 100".
core::status check_partitions(int partitions, std::string_view field);
/// ok, or bad_request "<field> must be between 1 and 5".
core::status check_replicas(int replicas, std::string_view field);

} // namespace switchboard::cluster
