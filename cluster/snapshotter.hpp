#pragma once

// The node's snapshot thread (cluster/snapshot.hpp): every `period`, for
// each partition served here, publishes a snapshot once the log holds
// policy.every_records records after the newest one, and trims the log
// below it. Runs on a thread of its own (periodic_thread): a snapshot of a
// large file takes seconds and must not hold up the ownership loop; the
// copy is a read transaction, so the partition's writer goes on meanwhile.
//
// Contract:
//  - Creates SB_SNAPSHOTS first when it is missing (a cluster initialised
//    before snapshots existed), retried every pass until it works.
//  - A failed snapshot or trim is logged (each distinct error once) and
//    tried again at the next pass; nothing else depends on it.
//  - `serves(p)` and `file_of(p)` are called on this thread: they must be
//    thread-safe.

#include "cluster/nats_client.hpp"
#include "cluster/periodic_thread.hpp"
#include "cluster/snapshot.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::cluster {

struct snapshotter_options {
  std::shared_ptr<nats_client> nats;
  std::string node_id;
  int partitions = 0;
  int replicas = 1;
  snapshot_policy policy;
  std::chrono::milliseconds period{2000};
  std::function<bool(int)> serves;
  std::function<std::string(int)> file_of;
  std::function<void(const std::string&)> log;
};

class snapshotter {
public:
  /// Starts the thread (its first pass after one period).
  explicit snapshotter(snapshotter_options o);
  /// Calls stop().
  ~snapshotter();
  snapshotter(const snapshotter&) = delete;
  snapshotter& operator=(const snapshotter&) = delete;

  /// Ends the thread after the pass in progress. Idempotent.
  void stop();

private:
  void pass();
  void snapshot_partition(int p);
  void report(const std::string& line);

  snapshotter_options opts_;
  bool stream_ready_ = false;
  /// The newest snapshot's seq per partition, once read (thread only).
  std::vector<std::optional<std::uint64_t>> last_;
  std::string last_report_;
  std::unique_ptr<periodic_thread> thread_; // last: starts after the rest
};

} // namespace switchboard::cluster
