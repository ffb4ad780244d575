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
};

/// A job's `done` and its own status (replies of a batch).
struct pending_reply {
  std::function<void(core::status)> done;
  core::status st;
};

/// writer -> its replier: one committed batch's replies, run in order.
struct reply_batch {
  std::vector<pending_reply> replies;
};

/// Runs a closure on the receiving actor (continuations of session ops).
struct run_closure {
  std::function<void()> fn;
};

/// engine -> shard -> session actor: one op for `key`.
struct keyed_op {
  std::string key;
  session_op op;
};

/// session actor -> shard: actor `gen` of `key` has stopped (after its
/// passivate op), or asks to be stopped (`stopped` false).
struct session_stopped {
  std::string key;
  std::uint64_t gen = 0;
  bool stopped = true;
};

/// supervisor/engine -> shard: passivate every actor idle since `now -
/// passivate_after`; `done(count)` after each of them has stopped.
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
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using passivate_atom = caf::atom_constant<caf::atom("passivate")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using retain_atom = caf::atom_constant<caf::atom("retain")>;

/// The writer (SPEC 7). Handles write_job, (commit_atom, generation),
/// mirror_atom. Must be spawned detached: SQLite blocks.
caf::behavior writer_actor(caf::event_based_actor* self, runtime* rt,
                           std::shared_ptr<core::store_writer> w);

/// A router shard: key -> session actor. Handles keyed_op, session_stopped,
/// idle_sweep. Opens its own reader connection to load entries.
caf::behavior router_shard(caf::event_based_actor* self, runtime* rt,
                           caf::actor writer);

/// The supervisor (SPEC 8, 13). Handles tick_atom (its expiry timer),
/// sweep_request, retain_atom (its retention timer), retention_request.
/// Sends retention runs to `writer`.
caf::behavior supervisor_actor(caf::event_based_actor* self, runtime* rt,
                               std::vector<caf::actor> shards,
                               caf::actor writer);

/// Sends `op` for `key` to the shard that owns the key.
void send_to_shard(const std::vector<caf::actor>& shards, std::string key,
                   session_op op);

} // namespace switchboard::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::write_job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::reply_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::run_closure)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::keyed_op)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::session_stopped)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::idle_sweep)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::sweep_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::retention_request)
