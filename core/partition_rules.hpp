#pragma once

// The partition of a session key in cluster mode (shared/CLUSTER.md
// "Shape"): FNV-1a-32(key) mod P. Pure; here in core so that actors/ (the
// partitioned engine) and cluster/ (the logs, placement) use one function.
// cluster/partition.hpp re-exports both names.
//
// P is fixed when the cluster is initialised and never changes: changing it
// would move keys between partitions and so between logs and files.

#include <cstdint>
#include <string_view>

namespace switchboard::core {

/// FNV-1a, 32 bits, over the bytes of `data`.
std::uint32_t fnv1a_32(std::string_view data);

/// The partition of a session key: fnv1a_32(key) mod partitions.
/// REQUIRES: 1 <= partitions <= max_partitions (core/cluster_rules.hpp).
int partition_of(std::string_view session_key, int partitions);

} // namespace switchboard::core
