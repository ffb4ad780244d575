#pragma once

// Actors-private: the operations applied to one session key (SPEC 5),
// written against session_ctx so that the logic needs no CAF. A key runs one
// op at a time (on its router shard): an op starts, may ask the writer / a
// reader / the flush hook for work (each continuation runs back on the
// shard), and calls finish() exactly once when it is done; only then does
// the next op of that key start. This is what keeps a key's messages in
// arrival order.

#include "actors/engine.hpp"
#include "actors/runtime.hpp"

#include <functional>
#include <optional>
#include <string>

namespace switchboard::actors {

using write_fn = std::function<core::status(core::store_writer&)>;
using read_fn = std::function<void(core::store_reader&)>;

/// What an op sees of its key (hosted by the key's router shard).
class session_ctx {
public:
  virtual ~session_ctx() = default;
  virtual const std::string& key() const = 0;
  /// The key's entry as of the last acknowledged write (absent: no entry).
  virtual std::optional<core::session_entry>& entry() = 0;
  virtual runtime& rt() = 0;
  /// Sends `fn` to the writer (all or nothing; it may run more than once, see
  /// write_job); `then` runs on this actor after COMMIT, or with the error of
  /// the request or of the COMMIT.
  virtual void write(write_fn fn, std::function<void(core::status)> then) = 0;
  /// Runs `fn` on a reader thread; `then` runs on this actor afterwards.
  virtual void read(read_fn fn, std::function<void()> then) = 0;
  /// Runs the flush hook (with retries) off the scheduler; `then(ok,
  /// attempts)` runs on this actor. attempts == 0: the hook did not run to
  /// an outcome because the engine is stopping.
  virtual void flush(nlohmann::json payload,
                     std::function<void(bool, int)> then) = 0;
  /// Pipelining (a hot key's messages share one commit): like write(), but
  /// the current op ends at once as far as the key's queue is concerned.
  /// The next queued op may start before `then` runs when it is
  /// pipelinable; any other op waits until every pipelined write of the
  /// key has been answered. The writer runs one key's writes in order, so a
  /// later write sees this one's. The caller has already adopted the
  /// write's effect on entry(); `then` answers the op's caller, runs on
  /// this actor after COMMIT (or with the error), and must not call
  /// finish().
  virtual void write_pipelined(write_fn fn,
                               std::function<void(core::status)> then) = 0;
  /// Writes sent with write_pipelined and not yet answered.
  virtual int pipelined_writes() const = 0;
  /// Asks the shard to passivate this actor after the current op.
  virtual void request_passivation() = 0;
  /// The current op is done: start the next one.
  virtual void finish() = 0;
};

/// One operation on a key. `fail` answers the caller when the op cannot run
/// at all (the entry could not be loaded, the engine is stopping).
struct session_op {
  std::function<void(session_ctx&)> run;
  std::function<void(core::error)> fail;
  /// May start while the key's pipelined writes are unanswered (a route:
  /// it copes with an entry() that already holds their effect).
  bool pipelinable = false;
};

/// SPEC 5 get_or_create + append (POST /v1/messages).
session_op make_route_op(route_request req, completion<route_reply> done);
/// Appends to the current session (no reset evaluation). A repeated
/// request_id / platform_message_id writes nothing (SPEC 12).
session_op make_append_op(core::message msg,
                          std::optional<std::string> request_id,
                          completion<append_reply> done);
session_op make_usage_op(core::usage_update u,
                         completion<core::session_entry> done);
/// /new with an optional title.
session_op make_reset_op(std::optional<std::string> title,
                         completion<core::session_entry> done);
/// /resume by id (unique prefix) or by title (then the compression tip);
/// forbidden unless the resolved session and its tip are the key's under
/// target.scope (core/ownership.hpp).
session_op make_switch_op(switch_target target,
                          completion<core::session_entry> done);
session_op make_busy_op(bool busy, std::optional<double> ttl_seconds,
                        completion<core::session_entry> done);
session_op make_rewrite_op(std::vector<core::message> messages,
                           completion<rewrite_reply> done);
session_op make_get_op(completion<core::session_entry> done);
/// Deletes session `id` (by id); clears the entry when it points at it.
session_op make_delete_op(std::string id, completion<bool> done);

/// What the supervisor learned about one expired entry.
struct expiry_job {
  std::string session_id;    // the session the scan saw
  core::reset_reason reason; // idle | daily
  std::int64_t message_count = 0;
  /// Set by make_expire_key_op: expire with `reason` even when the policy
  /// does not say the entry is due.
  bool forced = false;
};

/// The outcome of one expiry op, reported to the supervisor.
struct expiry_outcome {
  bool expired = false; // finalized now (false: no longer due, or failed)
  bool flushed = false;
  bool flush_failed = false;
};

/// SPEC 8 for one entry, run through its key's shard: re-checks that it
/// is still due, runs the flush hook when the rule says so, marks
/// expiry_finalized, ends the row with the reason, then lets the actor go.
session_op make_expire_op(expiry_job job,
                          std::function<void(expiry_outcome)> done);

/// POST /v1/sessions/KEY/expire (engine::expire_key): checks the entry
/// (not_found, conflict), counts its session's messages, then runs
/// make_expire_op with a forced job. `session_id`: the session the caller
/// means (conflict when the key points at another one).
session_op make_expire_key_op(std::optional<std::string> session_id,
                              completion<expire_reply> done);

/// The flush rule: enough messages and not a cron session.
bool should_flush(const core::flush_settings& f, const core::session_entry& e,
                  std::int64_t message_count);

/// The policy of an entry (SPEC 4 lookup by its platform and origin).
const core::reset_policy& policy_for(const core::settings& cfg,
                                     const core::session_entry& e);

/// What core::evaluate_deferred needs of an entry.
core::reset_state reset_state_of(const core::session_entry& e);

} // namespace switchboard::actors
