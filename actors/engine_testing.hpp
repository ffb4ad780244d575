#pragma once

// Test seams of the engine (no CAF here). Production code uses
// engine::start; tests and benchmarks may use start_with to inject a store
// wrapper, a flush hook, a random source, and to trigger passivation.

#include "actors/engine.hpp"
#include "core/session_id.hpp"
#include "core/store.hpp"

#include <functional>
#include <memory>

namespace switchboard::actors {

struct engine_options {
  /// engine::start's options (cluster mode).
  start_options start;
  /// Wraps the opened store writer (e.g. to inject failures).
  std::function<std::unique_ptr<core::store_writer>(
    std::unique_ptr<core::store_writer>)>
    wrap_writer;
  /// Replaces the configured flush hook (runs on hook threads).
  std::function<core::status(const nlohmann::json&)> flush_hook;
  /// Random bits for session ids (called on the writer thread only).
  core::random_source random;
  /// First retry delay of the flush hook (default 1 s; doubles per attempt).
  std::optional<double> flush_backoff_seconds;
};

/// An engine with the hooks tests need.
class testable_engine : public engine {
public:
  /// Drops every key state idle for passivate_after_seconds on the
  /// engine clock; completes with how many left memory (a key busy with an
  /// op leaves when the op is done and is not counted).
  virtual void passivate_idle(completion<std::int64_t> done) = 0;
  /// What the supervisor's retention timer does when it fires: runs the
  /// retention rule if retention is on and retention.interval_seconds have
  /// passed on the engine clock since the last scheduled run (the first
  /// one is due at start). nullopt: not due, nothing ran.
  virtual void retention_tick(completion<std::optional<prune_report>> done) = 0;
};

core::result<std::unique_ptr<testable_engine>>
start_with(const core::settings& cfg, std::shared_ptr<core::clock> clk,
           engine_options opts);

} // namespace switchboard::actors
