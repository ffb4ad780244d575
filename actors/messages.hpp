#pragma once

// Actors-private: the CAF message types and actor entry points. Includes
// caf/all.hpp (15-18 s per file): include it only from actors/*.cpp that
// spawn or implement actors.
//
// Every message is local-only (closures, completions), hence
// CAF_ALLOW_UNSAFE_MESSAGE_TYPE instead of inspect().

#include "actors/runtime.hpp"
#include "actors/session_ops.hpp"

#include <caf/all.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace switchboard::actors {

/// A write request for the writer: `fn` runs in the current batch, all or
/// nothing (it may run again when another job of the batch fails: it must
/// only write through the store_writer and overwrite its outputs); `done`
/// runs (on the replier, must not block) after the batch COMMIT, or with the
/// request's or the COMMIT's error.
struct write_job {
  write_fn fn;
  std::function<void(core::status)> done;
  /// When set, `done` runs on this actor instead of the replier, in one
  /// run_closures message with the batch's other replies to it.
  caf::actor reply_to;
};

/// Several write jobs in one message (a shard's writes of one handler run).
struct write_jobs {
  std::vector<write_job> jobs;
};

/// A job's `done` and its own status (replies of a batch).
struct pending_reply {
  std::function<void(core::status)> done;
  core::status st;
  caf::actor reply_to;
};

/// writer -> its replier: one committed batch's replies, run in order.
struct reply_batch {
  std::vector<pending_reply> replies;
};

/// Runs a closure on the receiving actor (continuations of session ops).
struct run_closure {
  std::function<void()> fn;
};

/// Runs closures in order on the receiving actor (a batch's replies).
struct run_closures {
  std::vector<std::function<void()>> fns;
};

/// engine -> shard: one op for `key`.
struct keyed_op {
  std::string key;
  session_op op;
};

/// engine -> shard: several ops (a batch request's items of one shard), in
/// order.
struct keyed_ops {
  std::vector<keyed_op> ops;
};

/// supervisor/engine -> shard: drop every key idle since `now -
/// passivate_after` from memory; `done(count)` with how many left.
struct idle_sweep {
  core::time_point now;
  std::function<void(std::int64_t)> done;
};

/// engine -> supervisor: run an expiry sweep now.
struct sweep_request {
  std::function<void(sweep_report)> done;
};

/// engine -> supervisor: run the retention rule (SPEC 13). `scheduled`:
/// only when due on the engine clock, as its timer does (nullopt when not).
struct retention_request {
  bool scheduled = false;
  std::function<void(core::result<std::optional<prune_report>>)> done;
};

/// Self-messages.
using commit_atom = caf::atom_constant<caf::atom("commit")>;
using mirror_atom = caf::atom_constant<caf::atom("mirror")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using retain_atom = caf::atom_constant<caf::atom("retain")>;

/// The writer (SPEC 7). Handles write_job, write_jobs, (commit_atom, gen),
/// mirror_atom, flush_atom. Must be spawned detached: SQLite blocks.
caf::behavior writer_actor(caf::event_based_actor* self, runtime* rt,
                           std::shared_ptr<core::store_writer> w);

/// A router shard: owns its keys' state. Handles keyed_op, keyed_ops,
/// run_closure, run_closures, idle_sweep. Opens its own reader connection to
/// load entries.
caf::behavior router_shard(caf::event_based_actor* self, runtime* rt,
                           caf::actor writer);

/// The supervisor (SPEC 8, 13). Handles tick_atom (its expiry timer),
/// sweep_request, retain_atom (its retention timer), retention_request.
/// Sends retention runs to `writer`; each tick also drops request_ids older
/// than idempotency.window_hours (SPEC 12) through `writer`, in bounded
/// chunks.
caf::behavior supervisor_actor(caf::event_based_actor* self, runtime* rt,
                               std::vector<caf::actor> shards,
                               caf::actor writer);

/// The index of the shard that owns `key`.
std::size_t shard_of(const std::vector<caf::actor>& shards,
                     const std::string& key);

/// Sends `op` for `key` to the shard that owns the key.
void send_to_shard(const std::vector<caf::actor>& shards, std::string key,
                   session_op op);

} // namespace switchboard::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::write_job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::write_jobs)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::run_closures)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::keyed_ops)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::reply_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::run_closure)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::keyed_op)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::idle_sweep)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::sweep_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::retention_request)
