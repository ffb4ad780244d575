#pragma once

// The one validated settings value every layer is started from (shared/API.md
// "Configuration"). Plain data with the documented defaults; config/ fills it
// from the file, the environment and the command line, and validates it.

#include "core/cluster_rules.hpp"
#include "core/context_prompt.hpp"
#include "core/reset_policy.hpp"
#include "core/session_key.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::core {

enum class flush_hook { none, webhook, command };
enum class durability { normal, full };

struct reset_settings {
  policy_table policies;
  std::string timezone = "local";
  int busy_max_hours = 24;
};

struct flush_settings {
  flush_hook hook = flush_hook::none;
  std::optional<std::string> url;
  std::optional<std::string> command;
  int min_messages = 4;
  int max_attempts = 3;
  double timeout_seconds = 30;
  int concurrency = 8;
};

/// SPEC 13: applied by the supervisor every interval_seconds and by
/// POST /v1/admin/retention. 0 switches a limit off.
struct retention_settings {
  std::int64_t max_age_days = 0;
  std::int64_t max_ended_sessions = 0;
  double interval_seconds = 3600;

  bool enabled() const { return max_age_days > 0 || max_ended_sessions > 0; }
};

/// Cluster mode (shared/CLUSTER.md). No NATS URLs: single-node mode, and
/// nothing else here is used. partitions, replicas and member_ttl_seconds
/// describe the cluster the node joins: serve refuses to start when they
/// differ from what `cluster init` stored.
struct cluster_settings {
  std::vector<std::string> nats_urls;
  std::optional<std::string> node_id; // required with nats_urls
  int partitions = default_partitions;
  int replicas = default_replicas;
  int member_ttl_seconds = default_member_ttl_seconds;
  /// An owner snapshots a partition once its log holds this many records
  /// after the last snapshot, then trims the log below it, keeping
  /// log_keep_records records (cluster/snapshot.hpp). Per node.
  int snapshot_every_records = 10000;
  int log_keep_records = 1000;

  bool enabled() const { return !nats_urls.empty(); }
};

struct settings {
  std::string listen = "127.0.0.1:8377";
  std::string data_dir = "./var";
  key_settings keys; // agent_name, group/thread_sessions_per_user
  reset_settings reset;
  double expiry_interval_seconds = 60;
  flush_settings flush;
  retention_settings retention;
  struct {
    int max_batch = 1000;
    durability mode = durability::normal;
    int max_queue = 100000; // requests waiting for the writer before overload
    // Before committing a batch while at least as many other requests are
    // in flight as the batch holds, wait this long once for them (0: off).
    int commit_delay_us = 0;
    // Most committed writes before a sweep folds the derived state in (the
    // writer aims each sweep at ~50 ms of work, from 2,000 writes up to
    // this; core/fold_pacing.hpp).
    int fold_max_jobs = 20000;
  } writer;
  struct {
    double passivate_after_seconds = 600;
    std::int64_t max_resident = 1000000;
    int threads = 0; // 0 = hardware concurrency
    int shards = 0;  // 0 = threads * 4
  } actors;
  struct {
    std::optional<std::string> token_file;
    std::int64_t max_body_bytes = 1048576;
    int max_in_flight = 10000;
    int max_connections =
      256; // open client connections; more wait to be accepted
  } api;
  struct {
    bool sessions_json_mirror = false;
    double mirror_interval_seconds = 5;
  } index;
  struct {
    /// How long a request_id is remembered (SPEC 12); > 0.
    double window_hours = 24;
  } idempotency;
  struct {
    std::vector<std::string> connected_platforms;
    std::vector<home_channel> home_channels;
    std::string local_output_path = "~/.hermes/cron/output/";
  } context;
  cluster_settings cluster;
};

} // namespace switchboard::core
