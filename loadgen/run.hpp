#pragma once

// The load generator's driver: a few threads (one per target, a "lane";
// one for an embedded engine, one per core for HTTP) keep `concurrency`
// turns in flight between them (closed loop), or send them at their
// intended times (open loop, --rate; latency counted from the intended time,
// so a slow server cannot hide its queueing), never more than `concurrency`
// at once. Each thread drives its own target; no thread per request.
// A ticker thread drives the virtual clock and the live progress line.
// Everything acknowledged goes into the ledger that verification checks.

#include "loadgen/ledger.hpp"
#include "loadgen/stats.hpp"
#include "loadgen/target.hpp"
#include "loadgen/workload.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace switchboard::loadgen {

struct run_options {
  std::int64_t messages = 10000; // user + assistant messages in total
  int concurrency = 32;          // requests (turns) in flight at most
  int batch = 0;                 // > 1: turns per batch request
  double rate = 0;               // > 0: open loop, messages per second
  bool virtual_clock = false;
  double sim_speed = 3600;    // simulated seconds per real second
  double sim_per_message = 0; // > 0: simulated seconds per message instead
  bool progress = false;      // live line (on a terminal)
};

struct run_result {
  recorder stats;
  ledger acked;
  std::atomic<std::int64_t> sent{0}; // messages sent so far (acked or not)
  std::int64_t messages = 0;         // messages sent, once the run is over
  double seconds = 0;                // once the run is over
  // When the run started: set by run_load, or before it by a caller that
  // starts other threads reading the result (they must not read it before).
  std::chrono::steady_clock::time_point started{};
  std::vector<std::string> first_errors; // a few, for the summary
  // Per server URL (HTTP runs): set by the caller once the run is over,
  // from the targets' per_url() (see add_per_url).
  std::vector<url_count> targets;
};

/// Adds the per_url() counts of `t` to `out` (URL by URL, in order; the
/// lanes of one run share their URL list).
void add_per_url(const target& t, std::vector<url_count>& out);

/// Runs the workload against `t` until `o.messages` messages were sent and
/// answered. Fills `out` (not copyable, so passed in). `out.stats`,
/// `out.acked` and `out.sent` may be read from other threads meanwhile.
void run_load(target& t, workload& w, const run_options& o, run_result& out);
/// The same over several targets, each driven by its own thread (the
/// caller's for the first) with its share of `o.concurrency`. The first
/// target also makes the clock and expiry calls.
void run_load(const std::vector<target*>& lanes, workload& w,
              const run_options& o, run_result& out);

} // namespace switchboard::loadgen
