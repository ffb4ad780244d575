// POST /v1/sessions/KEY/expire: one key expired now, on its shard, by the
// supervisor's own expiry op (make_expire_op) with a forced job. This file
// only adds what a request needs and a sweep does not: the checks that give
// a caller a clear error (and change nothing), the message count the sweep's
// scan would have read, and the reason.
//
// Runs as one op of the key, so nothing else of the key interleaves: a
// message that arrives meanwhile waits (SPEC 8), and a sweep that queued the
// same key finds it finalized and does nothing.

#include "actors/session_ops.hpp"

#include "core/reset_policy.hpp"
#include "core/zone.hpp"

#include <memory>

namespace switchboard::actors {

namespace {

/// Why the key cannot be expired now, if it cannot.
std::optional<core::error> refusal(session_ctx& c,
                                   const std::optional<std::string>& id) {
  const auto& e = c.entry();
  const auto& key = c.key();
  if (!e)
    return core::not_found("no session for key '" + key + "'");
  if (id && *id != e->session_id)
    return core::conflict("key '" + key + "' now points at session " +
                          e->session_id + ", not " + *id);
  if (e->expiry_finalized)
    return core::conflict("session " + e->session_id + " of key '" + key +
                          "' has already expired");
  auto now = c.rt().now();
  if (e->busy_until && *e->busy_until > now)
    return core::conflict("session " + e->session_id + " is busy until " +
                          core::format_iso_utc(*e->busy_until) +
                          "; clear the busy mark first");
  return std::nullopt;
}

/// The policy's reason when the entry is due now (what a sweep would
/// record), else manual.
core::reset_reason reason_now(session_ctx& c) {
  auto& rt = c.rt();
  const auto& e = *c.entry();
  auto r = core::evaluate_deferred(policy_for(rt.cfg, e), reset_state_of(e),
                                   rt.now(), rt.zone)
             .reason;
  return r == core::reset_reason::none ? core::reset_reason::manual : r;
}

/// Runs the sweep's op on `c` with a forced job for the current session.
void expire_current(session_ctx& c, std::int64_t message_count,
                    const completion<expire_reply>& done) {
  expiry_job job{c.entry()->session_id, reason_now(c), message_count};
  job.forced = true;
  expire_reply r{c.key(), job.session_id, job.reason};
  auto report = [r, done](expiry_outcome o) mutable {
    if (!o.expired)
      return done(core::internal_error(
        "expiring session " + r.session_id +
        " did not complete (a failed write or the engine stopping); "
        "nothing was finalized"));
    r.flushed = o.flushed;
    r.flush_failed = o.flush_failed;
    done(std::move(r));
  };
  make_expire_op(std::move(job), std::move(report)).run(c);
}

} // namespace

session_op make_expire_key_op(std::optional<std::string> session_id,
                              completion<expire_reply> done) {
  auto run = [session_id, done](session_ctx& c) {
    if (auto no = refusal(c, session_id)) {
      done(std::move(*no));
      return c.finish();
    }
    // The flush rule needs the count the sweep's scan reads.
    auto count = std::make_shared<core::result<std::int64_t>>(std::int64_t{0});
    auto id = c.entry()->session_id;
    c.read([count, id](core::store_reader& r) { *count = r.message_count(id); },
           [&c, count, done] {
             if (!*count) {
               done(count->err());
               return c.finish();
             }
             expire_current(c, **count, done);
           });
  };
  auto fail = [done](core::error e) {
    done(std::move(e));
  };
  return {run, fail};
}

} // namespace switchboard::actors
