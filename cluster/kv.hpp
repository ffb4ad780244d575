#pragma once

// JetStream KV buckets through nats.c, as results: what membership and the
// cluster config need (create or bind a bucket, put, create-only, get, all
// live entries). KV never carries safety here (shared/CLUSTER.md).

#include "cluster/nats_client.hpp"

#include "core/result.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::cluster {

struct bucket_config {
  std::string name;
  int replicas = 1;
  int ttl_seconds = 0; // 0: entries never expire
};

/// Creates the bucket (history 1, file storage) or finds it with the same
/// configuration. Errors: internal when it exists with another one.
core::result<kv_store_ptr> create_bucket(nats_client& c,
                                         const bucket_config& cfg);

/// Binds to an existing bucket; nullptr (no error) when there is none.
core::result<kv_store_ptr> find_bucket(nats_client& c, std::string_view name);

core::status kv_put(kvStore* kv, std::string_view key, std::string_view value);

/// Deletes `key` (a delete marker: watchers and kv_entries no longer list
/// it). Deleting a key that has no value is not an error.
core::status kv_delete(kvStore* kv, std::string_view key);

/// Puts `value` only if `key` has no value: true when it did, false when
/// the key already had one (the value is then unchanged).
core::result<bool> kv_create(kvStore* kv, std::string_view key,
                             std::string_view value);

/// The value of `key`, nullopt when it has none.
core::result<std::optional<std::string>> kv_get(kvStore* kv,
                                                std::string_view key);

/// Every live (not deleted, not expired) key with its value, in key order,
/// as the bucket's stream leader has them (no consumer is created).
core::result<std::vector<std::pair<std::string, std::string>>>
kv_entries(nats_client& c, kvStore* kv);

} // namespace switchboard::cluster
