#pragma once

// Actors-private: what every actor of one engine shares (no CAF here). One
// runtime per engine, created by engine::start before any actor and destroyed
// after the actor system has stopped.

#include "actors/engine.hpp"
#include "core/clock.hpp"
#include "core/histogram.hpp"
#include "core/session_id.hpp"
#include "core/settings.hpp"
#include "core/store.hpp"
#include "core/zone.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace switchboard::actors {

/// Opens the only write connection (the writer calls it once).
using writer_factory =
  std::function<core::result<std::unique_ptr<core::store_writer>>()>;
/// Opens one read-only connection (shards, supervisor, reader pool).
using reader_factory =
  std::function<core::result<std::unique_ptr<core::store_reader>>()>;
/// Runs the memory flush hook once with its JSON payload (on a hook thread).
/// ok = the hook reported success (2xx / exit 0) within the timeout.
using flush_hook_fn = std::function<core::status(const nlohmann::json&)>;

/// Engine counters (metrics_snapshot without the histograms).
struct counters {
  std::atomic<std::int64_t> messages_routed{0};
  std::atomic<std::int64_t> sessions_created{0};
  std::atomic<std::int64_t> sessions_reset{0};
  std::atomic<std::int64_t> sessions_expired{0};
  std::atomic<std::int64_t> resident{0};
  std::atomic<std::int64_t> flushes_ok{0};
  std::atomic<std::int64_t> flushes_failed{0};
  std::atomic<std::int64_t> overloaded{0};
  std::atomic<std::int64_t> duplicates{0};
  // The supervisor's sweep state (times: engine clock, microseconds since
  // the epoch; 0 = none yet).
  std::atomic<std::int64_t> flushes_queued{0};
  std::atomic<std::int64_t> flushes_in_flight{0};
  std::atomic<std::int64_t> last_sweep_at_us{0};
  std::atomic<std::int64_t> last_sweep_us{0};
  std::atomic<std::int64_t> last_sweep_expired{0};
  std::atomic<std::int64_t> next_sweep_at_us{0};
  std::atomic<std::int64_t> retention_runs{0};
  std::atomic<std::int64_t> sessions_pruned{0};
};

/// Fans events out to subscriptions without blocking (subscription::push
/// never waits). Thread-safe.
class event_hub {
public:
  void add(std::shared_ptr<subscription> s);
  void publish(const std::string& type, nlohmann::json data);
  /// False when nobody subscribed (or every subscription was found closed):
  /// callers skip building the payload (it was ~3% of the worker threads'
  /// samples with 100k keys, each first message publishing
  /// session_created).
  bool active() const { return count_.load(std::memory_order_relaxed) > 0; }

private:
  std::mutex mtx_;
  std::vector<std::shared_ptr<subscription>> subs_;
  std::atomic<std::size_t> count_{0};
};

class reader_pool;
class worker_pool;

struct runtime {
  core::settings cfg;
  std::shared_ptr<core::clock> clk;
  core::zone zone = core::zone::utc();
  writer_factory open_writer;
  reader_factory open_reader;
  /// A reader for point lookups only (the router shards' entry loads): a
  /// small page cache. Falls back to open_reader when empty.
  reader_factory open_lookup_reader;
  flush_hook_fn flush_hook;
  /// Random bits for session ids; called on the writer thread only.
  core::random_source random;
  int shard_count = 1;
  /// First retry delay of the flush hook; doubles per attempt.
  double flush_backoff_seconds = 1.0;
  /// Writes the sessions.json mirror (writer thread); empty: no mirror.
  std::function<core::status()> write_mirror;
  counters stats;
  core::histogram batch_sizes{1.0};
  core::histogram commit_seconds{1e-6};
  event_hub events;
  reader_pool* readers = nullptr; // engine::read, session ops' reads
  worker_pool* hooks = nullptr;   // flush hooks (flush.concurrency threads)
  /// Write requests sent to the writer and not yet executed.
  std::atomic<std::int64_t> writer_queue{0};
  /// Requests the engine admitted and has not answered yet (engine.cpp).
  std::atomic<std::int64_t> in_flight{0};

  core::time_point now() const { return clk->now(); }
};

} // namespace switchboard::actors
