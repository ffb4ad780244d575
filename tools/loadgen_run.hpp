#pragma once

// The load generator's driver: worker threads that take turns from the
// workload and send them to a target (closed loop with C workers, or open
// loop at a target rate with latency measured from the intended send time),
// the virtual clock, the live progress line, and the ledger of everything
// acknowledged that verification checks against the store.

#include "tools/loadgen_stats.hpp"
#include "tools/loadgen_target.hpp"
#include "tools/loadgen_workload.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace switchboard::tools::loadgen {

struct run_options {
  std::int64_t messages = 10000; // user + assistant messages in total
  int concurrency = 32;          // workers (requests in flight)
  int batch = 0;                 // > 1: turns per batch request
  double rate = 0;               // > 0: open loop, messages per second
  bool virtual_clock = false;
  double sim_speed = 3600;       // simulated seconds per real second
  double sim_per_message = 0;    // > 0: simulated seconds per message instead
  bool progress = false;         // live line (on a terminal)
};

/// Everything acknowledged, by key and by session. Thread-safe.
class ledger {
public:
  struct key_info {
    std::set<std::string> sessions;
    std::int64_t resets = 0; // created by an auto reset
    std::int64_t fresh = 0;  // created without one (the key was new)
  };
  struct session_info {
    std::string key;
    bool created = false; // in this run (else it held messages before)
    std::vector<std::int64_t> message_ids;
  };

  void route(const actors::route_reply& r);
  void append(const std::string& key, const actors::append_reply& r);
  void sweep(const actors::sweep_report& r);

  // Read after the run (no lock needed then, but taken anyway).
  std::map<std::string, key_info> keys() const;
  std::map<std::string, session_info> sessions() const;
  std::int64_t resets(core::reset_reason why) const;
  std::int64_t expired() const;
  std::int64_t flushed() const;

private:
  mutable std::mutex mtx_;
  std::map<std::string, key_info> keys_;
  std::map<std::string, session_info> sessions_;
  std::int64_t idle_ = 0, daily_ = 0, expired_ = 0, flushed_ = 0;
};

struct run_result {
  recorder stats;
  ledger acked;
  std::int64_t messages = 0; // messages sent (acknowledged or not)
  double seconds = 0;
  std::vector<std::string> first_errors; // a few, for the summary
};

/// Runs the workload against `t` until `o.messages` messages were sent.
/// Fills `out` (not copyable, so passed in).
void run_load(target& t, workload& w, const run_options& o, run_result& out);

} // namespace switchboard::tools::loadgen
