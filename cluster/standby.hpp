#pragma once

// A standby of one partition (docs/CLUSTER_REPLICATION.md, "What phase 3
// must do", item 2, in its simplest form): a thread of its own keeps a
// partition file caught up with the partition's log, so that a takeover
// has little left to apply.
//
// Contract:
//  - The thread runs catch_up on the file every `interval` (at once again
//    after a round that applied records), until stop(). The applied
//    sequence is in the file (cluster_applied), so a new standby on the
//    same file resumes where the last one stopped.
//  - A failing round (NATS unavailable) is retried at the next interval and
//    its error is kept in last_error() until a round succeeds. A diverged
//    replica ("replica diverged") stops the thread: it never skips a
//    record.
//  - A file behind the trimmed log (a new, empty file, or one that was
//    away for long) continues from the partition's newest snapshot
//    (cluster/snapshot.hpp): the round closes the file, installs the
//    snapshot over it, reopens it and catches up from the snapshot's
//    sequence. start() first finishes an install a crash interrupted.
//  - Taking over: stop() the standby, then start the engine on the file
//    with cluster::replicate_to (replicated_writer::open runs take_over:
//    catch up to the end, append the fenced takeover record). Success
//    means every batch the old owner had acknowledged is in the file.
//  - The file is opened without the recovery fold (open_fold::deferred):
//    a standby never writes anything the log does not hold.
// Thread safety: applied(), last_error(), stop() from any thread.

#include "cluster/nats_client.hpp"

#include "core/result.hpp"
#include "persistence/sqlite_store.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace switchboard::cluster {

class standby {
public:
  /// Opens (creating if needed) the partition file at `path` and starts
  /// tailing partition `partition`'s log. Errors: the file cannot be opened.
  /// `log` (optional) is told when a snapshot was installed.
  static core::result<std::unique_ptr<standby>>
  start(std::shared_ptr<nats_client> nats, int partition, std::string path,
        std::chrono::milliseconds interval = std::chrono::milliseconds(200),
        std::function<void(const std::string&)> log = {});
  ~standby(); // stop()
  standby(const standby&) = delete;
  standby& operator=(const standby&) = delete;

  /// The applied sequence after the last round.
  std::uint64_t applied() const {
    return applied_.load(std::memory_order_acquire);
  }
  /// The error of the last round, if it failed.
  std::optional<core::error> last_error() const;
  /// True once a divergence stopped the thread.
  bool stopped_by_divergence() const {
    return diverged_.load(std::memory_order_acquire);
  }
  /// Stops the thread and closes the file (idempotent).
  void stop();

private:
  standby(std::shared_ptr<nats_client> nats, int partition, std::string path,
          std::chrono::milliseconds interval);
  core::status open_file();
  core::status install_snapshot();
  void run();
  bool round();                   // true when records were applied
  bool note_round(core::error e); // keeps e as last_error(); false

  std::shared_ptr<nats_client> nats_;
  int partition_;
  std::string path_;
  std::unique_ptr<persistence::sqlite_writer> file_; // the thread's after start
  std::chrono::milliseconds interval_;
  std::function<void(const std::string&)> log_;
  std::atomic<std::uint64_t> applied_{0};
  std::atomic<bool> diverged_{false};
  mutable std::mutex mtx_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::optional<core::error> error_;
  std::thread thread_;
};

} // namespace switchboard::cluster
