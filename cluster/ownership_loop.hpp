#pragma once

// A node's ownership loop (shared/CLUSTER.md "Failover"): every period it
// reads the facts (the live members, each partition's last log record) on
// its own thread, decides every partition's action (cluster/ownership.hpp)
// and hands each to the node's partition host, which carries it out.
//
// Contract:
// - One pass per period on the loop's thread (a periodic_thread: never a
//   CAF or HTTP thread); a pass that cannot read the facts of a partition
//   (NATS unavailable) leaves that partition as it was until a later pass.
//   The partitions' facts are read concurrently (a short-lived thread
//   each), so a pass takes at most one NATS timeout.
// - The host is told the current action of every partition on every pass
//   (idempotent), so a failed attempt (a fenced takeover, a snapshot that
//   did not arrive) is simply tried again on the next pass.
// - The host's applied sequences are published in this node's member key
//   (member::applied) by whoever owns the key: the loop hands them to
//   `publish_applied` after each pass. A live placement owner counts as
//   caught up with a partition when it has applied at least the log's last
//   sequence minus `handoff_lag` records, or at least the last sequence
//   this loop saw `handoff_passes` passes ago: a follower that keeps pace
//   with a busy log is always a few records behind its end, but it is
//   never further behind than a few seconds of it.
// - A member counts as live in a pass when the bucket lists it in this
//   pass or in the loop's previous listing: a member key that NATS lost
//   and its node re-put a heartbeat later (all keys expire while the
//   bucket's stream elects a leader for longer than the TTL) does not make
//   its partitions change hands. A node is gone after two listings without
//   it, a period apart.
// - A listing without this node's own key is incomplete (the node puts its
//   key every second; the bucket lost or has not yet replicated it): the
//   pass fails and decides nothing, so no partition is taken from a node
//   that merely had not yet re-put its key.

#include "cluster/membership.hpp"
#include "cluster/nats_client.hpp"
#include "cluster/ownership.hpp"
#include "cluster/periodic_thread.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace switchboard::cluster {

/// What a node does with its partitions' actions (the node's engines: a
/// local engine for a served partition, a tailed file for a followed one,
/// forwarding otherwise).
class partition_host {
public:
  virtual ~partition_host() = default;

  /// Carries out `action` for `partition`, whose log ends at `last_seq`.
  /// Called on every pass with the current action, changed or not, from the
  /// loop's thread only. Returns the last sequence applied to this node's
  /// file of the partition when it keeps one (serve, follow), else nullopt.
  virtual std::optional<std::uint64_t>
  apply(int partition, partition_action action, std::uint64_t last_seq) = 0;

  /// Called instead of apply() when a pass could not read the partition's
  /// facts: the host keeps what it does, except what it knows is wrong
  /// (a local engine whose writer was deposed stops serving).
  virtual void facts_unknown(int /*partition*/) {}

  /// The owner the partition's log names ("" after genesis or a handoff),
  /// told on every pass that read it, before apply().
  virtual void log_owner_is(int /*partition*/, const std::string& /*node*/) {}
};

struct ownership_options {
  std::string node_id;
  int partitions = 16;
  std::chrono::milliseconds period{1000};
  /// How far behind the log a placement owner may be and still receive a
  /// handoff (it applies the rest before its takeover can succeed).
  std::uint64_t handoff_lag = 16;
  /// Receives the applied sequences after each pass (for the member key).
  std::function<void(std::map<int, std::uint64_t>)> publish_applied;
  /// Told when a pass could not read a fact, once per outage.
  std::function<void(const std::string&)> log;
  /// ... or at least the log's last sequence this many passes ago (the
  /// applied sequences reach the member key up to a heartbeat late).
  std::size_t handoff_passes = 3;
};

/// The facts of one pass: the live members and each partition's log tail
/// and last sequence. Separate from the loop so that tests and
/// `cluster status` can read them too.
struct partition_facts {
  ownership_facts facts;
  std::uint64_t last_seq = 0;
};

/// Reads partition `partition`'s log tail and its members' view of it.
/// Errors: those of NATS (overloaded), or internal for a missing stream.
core::result<partition_facts> read_facts(nats_client& c, int partition,
                                         const std::vector<member>& live,
                                         std::uint64_t handoff_lag);

class ownership_loop {
public:
  /// Starts the loop thread; the first pass runs one period after start.
  /// REQUIRES: `c`, `members` and `host` outlive the loop.
  ownership_loop(nats_client& c, membership& members, partition_host& host,
                 ownership_options o);
  /// Stops the loop (a pass in progress finishes first).
  ~ownership_loop();
  ownership_loop(const ownership_loop&) = delete;
  ownership_loop& operator=(const ownership_loop&) = delete;

  /// One pass now, on the caller's thread (tests; the loop's own passes
  /// use the same function). Passes never overlap.
  void run_pass();

  /// Stops the loop thread. Idempotent.
  void stop();

private:
  std::vector<core::result<partition_facts>>
  read_all_facts(const std::vector<member>& live);

  nats_client& client_;
  membership& members_;
  partition_host& host_;
  ownership_options opts_;
  std::mutex pass_mtx_; // one pass at a time
  /// The last pass's failure, "" if it read everything (under pass_mtx_):
  /// a failure is logged when it starts or changes, and its end once.
  std::string failing_;
  /// The host's applied sequences; a partition whose facts could not be
  /// read keeps its last value. Under pass_mtx_.
  std::map<int, std::uint64_t> applied_;
  /// The previous pass's complete listing (under pass_mtx_).
  std::vector<member> previous_listing_;
  /// Per partition, the last sequences of the latest passes, oldest
  /// first (at most handoff_passes + 1). Under pass_mtx_.
  std::map<int, std::deque<std::uint64_t>> recent_last_;
  std::unique_ptr<periodic_thread> thread_;
};

} // namespace switchboard::cluster
