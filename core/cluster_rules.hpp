#pragma once

// The rules of cluster mode's settings (shared/CLUSTER.md "Contract") that
// both config/ (the `cluster` section) and cluster/ (the commands and the
// node) check: limits and defaults, node ids, NATS URL lists. Pure.

#include "core/result.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace switchboard::core {

/// Partition ids are 0..P-1 and are written with two digits in stream
/// names (SB_P00..SB_P99), hence at most 100 partitions.
inline constexpr int max_partitions = 100;
inline constexpr int default_partitions = 16;
/// JetStream keeps at most 5 replicas of a stream.
inline constexpr int max_replicas = 5;
inline constexpr int default_replicas = 3;
inline constexpr int default_member_ttl_seconds = 5;
inline constexpr int max_member_ttl_seconds = 3600;

/// ok, or bad_request "<field> must be 1 to 64 characters of A-Z, a-z,
/// 0-9, '_' and '-'" (a KV key, and a token safe in subjects and file
/// names).
core::status check_node_id(std::string_view id, std::string_view field);

/// The URLs of "nats://a:4222,nats://b:4222" (spaces around commas are
/// ignored), or bad_request naming `field` when the list or an item is
/// empty, or an item is not nats://HOST:PORT or HOST:PORT.
core::result<std::vector<std::string>> parse_nats_urls(std::string_view list,
                                                       std::string_view field);

} // namespace switchboard::core
