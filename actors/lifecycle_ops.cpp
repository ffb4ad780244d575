// The session lifecycle ops: reset (/new, with an optional title), switch
// (/resume, with the ownership check of its scope), busy, and expiry (SPEC 8:
// re-check, flush payload and hook, finalize).
//
// Contract: each op answers only after its writes committed and adopts the
// new entry only then; a switch resolves its target on a reader and is
// forbidden unless the session and its compression tip belong to the key
// under the requested scope; an expiry that is no longer due, or whose flush
// was cut short by stopping, changes nothing.

#include "actors/session_ops_detail.hpp"

#include "core/reset_policy.hpp"

#include <utility>

namespace switchboard::actors {

using namespace detail;

namespace {

// -- switch ------------------------------------------------------------------

struct resolved {
  core::result<std::string> id = core::not_found("unresolved");
  /// The owners of the resolved session and of its compression tip.
  std::vector<core::session_owner> owners;
};

core::status add_owner(core::store_reader& r, const std::string& id,
                       resolved& out) {
  auto row = r.get_session(id);
  if (!row)
    return row.err();
  if (!*row)
    return core::not_found("session '" + id + "' not found");
  const auto& j = **row;
  auto text = [&j](const char* name) -> std::optional<std::string> {
    auto it = j.find(name);
    if (it == j.end() || !it->is_string())
      return std::nullopt;
    return it->get<std::string>();
  };
  out.owners.push_back(core::session_owner{
    text("session_key"), text("source").value_or(""), text("user_id")});
  return {};
}

void resolve_target(core::store_reader& r, const switch_target& t,
                    resolved& out) {
  if (t.session_id) {
    out.id = r.resolve_session_id(*t.session_id);
  } else {
    auto byt = r.resolve_title(*t.title);
    if (!byt)
      out.id = byt.err();
    else if (!*byt)
      out.id = core::not_found("no session titled '" + *t.title + "'");
    else
      out.id = std::move(**byt);
  }
  if (!out.id)
    return;
  if (auto st = add_owner(r, *out.id, out); !st) {
    out.id = st.err();
    return;
  }
  out.id = r.compression_tip(*out.id);
  if (out.id) {
    if (auto st = add_owner(r, *out.id, out); !st)
      out.id = st.err();
  }
}

/// forbidden unless every owner in `res` allows `c`'s key under `scope`.
core::status check_owner(session_ctx& c, const resolved& res,
                         core::switch_scope scope) {
  const auto& e = *c.entry();
  if (*res.id == e.session_id)
    return {}; // already the key's session
  core::switch_requester who{c.key(), e.platform,
                             e.origin ? e.origin->user_id : std::nullopt};
  for (const auto& owner : res.owners)
    if (!core::may_switch(scope, who, owner))
      return core::forbidden(
        scope == core::switch_scope::key
          ? "switch: the session was not created under this key (scope key)"
          : "switch: the session belongs to another user (scope user)");
  return {};
}

void switch_step(session_ctx& c, std::string target,
                 completion<session_entry> done) {
  auto old = *c.entry();
  if (old.session_id == target) {
    done(old);
    return c.finish();
  }
  auto now = c.rt().now();
  auto next = fresh_from(old, now);
  next.session_id = target;
  auto extra = [old, target, now](core::store_writer& w) -> status {
    if (auto st = end_row(w, old.session_id, "session_switch", now); !st)
      return st;
    return w.reopen_session(target);
  };
  auto* rt = &c.rt();
  write_entry(c, next, extra,
              [rt, old, target, done](core::result<session_entry> r) {
                if (r)
                  rt->events.publish("session_switched",
                                     {{"session_key", old.session_key},
                                      {"from", old.session_id},
                                      {"to", target}});
                done(std::move(r));
              });
}

// -- expiry ------------------------------------------------------------------

void finalize_expiry(session_ctx& c, core::reset_reason reason,
                     expiry_outcome outcome,
                     std::function<void(expiry_outcome)> done) {
  auto next = *c.entry();
  next.expiry_finalized = true;
  auto now = c.rt().now();
  auto why = std::string(core::to_string(reason));
  auto fn = [next, why, now](core::store_writer& w) -> status {
    if (auto st = w.upsert_entry(next); !st)
      return st;
    return end_row(w, next.session_id, why, now);
  };
  c.write(fn, [&c, next, why, outcome, done](status st) {
    if (!st) {
      done(expiry_outcome{});
      return c.finish();
    }
    c.entry() = next;
    auto& rt = c.rt();
    rt.stats.sessions_expired.fetch_add(1, std::memory_order_relaxed);
    rt.events.publish("session_expired", {{"session_key", next.session_key},
                                          {"session_id", next.session_id},
                                          {"reason", why}});
    auto o = outcome;
    o.expired = true;
    c.request_passivation();
    done(o);
    c.finish();
  });
}

nlohmann::json flush_payload(const session_entry& e, core::reset_reason r,
                             std::int64_t message_count) {
  return {{"event", "memory_flush"},
          {"session_key", e.session_key},
          {"session_id", e.session_id},
          {"reason", std::string(core::to_string(r))},
          {"message_count", message_count},
          {"transcript_url", "/v1/session-ids/" + e.session_id + "/messages"}};
}

void expire_step(session_ctx& c, const expiry_job& job,
                 std::function<void(expiry_outcome)> done) {
  auto& rt = c.rt();
  auto& e = c.entry();
  if (!e || e->session_id != job.session_id || e->expiry_finalized) {
    done(expiry_outcome{});
    return c.finish();
  }
  auto reason = core::evaluate_deferred(policy_for(rt.cfg, *e),
                                        reset_state_of(*e), rt.now(), rt.zone)
                  .reason;
  if (job.forced) // make_expire_key_op chose the reason
    reason = job.reason;
  if (reason == core::reset_reason::none) {
    done(expiry_outcome{});
    return c.finish();
  }
  if (!should_flush(rt.cfg.flush, *e, job.message_count))
    return finalize_expiry(c, reason, expiry_outcome{}, std::move(done));
  auto payload = flush_payload(*e, reason, job.message_count);
  c.flush(payload, [&c, reason, payload, done](bool ok, int attempts) {
    if (attempts == 0) { // the engine is stopping: leave it for next time
      done(expiry_outcome{});
      return c.finish();
    }
    auto& rt = c.rt();
    (ok ? rt.stats.flushes_ok : rt.stats.flushes_failed)
      .fetch_add(1, std::memory_order_relaxed);
    rt.events.publish("memory_flush", {{"session_key", payload["session_key"]},
                                       {"session_id", payload["session_id"]},
                                       {"reason", payload["reason"]},
                                       {"ok", ok},
                                       {"attempts", attempts}});
    expiry_outcome o;
    o.flushed = ok;
    o.flush_failed = !ok;
    finalize_expiry(c, reason, o, done);
  });
}

} // namespace

session_op make_reset_op(std::optional<std::string> title,
                         completion<session_entry> done) {
  auto run = [title, done](session_ctx& c) {
    if (!c.entry()) {
      done(no_entry(c.key()));
      return c.finish();
    }
    auto* rt = &c.rt();
    auto old = *c.entry();
    auto now = rt->now();
    auto next = fresh_from(old, now);
    auto row =
      row_for(old.session_key, old.origin, old.platform, old.type, now);
    auto out = std::make_shared<std::string>();
    auto fn = [rt, old, next, row, out, title, now](core::store_writer& w) {
      if (auto st = end_row(w, old.session_id, "session_reset", now); !st)
        return st;
      auto id = create_unique(w, rt, row);
      if (!id)
        return status(id.err());
      *out = *id;
      if (title) {
        if (auto t = w.set_title(*id, *title); !t)
          return status(t.err());
      }
      auto stored = next;
      stored.session_id = *id;
      return w.upsert_entry(stored);
    };
    c.write(fn, [&c, old, next, out, done](status st) mutable {
      if (!st) {
        done(st.err());
        return c.finish();
      }
      next.session_id = *out;
      c.entry() = next;
      publish_created(c.rt(), next, old, "new");
      done(next);
      c.finish();
    });
  };
  return {run, failer(done)};
}

session_op make_switch_op(switch_target target,
                          completion<session_entry> done) {
  auto run = [target, done](session_ctx& c) {
    if (target.session_id.has_value() == target.title.has_value()) {
      done(core::bad_request("switch: give exactly one of session_id, title"));
      return c.finish();
    }
    if (!c.entry()) {
      done(no_entry(c.key()));
      return c.finish();
    }
    auto res = std::make_shared<resolved>();
    c.read(
      [res, target](core::store_reader& r) { resolve_target(r, target, *res); },
      [&c, res, scope = target.scope, done]() {
        if (!res->id) {
          done(res->id.err());
          return c.finish();
        }
        if (auto st = check_owner(c, *res, scope); !st) {
          done(st.err());
          return c.finish();
        }
        switch_step(c, *res->id, done);
      });
  };
  return {run, failer(done)};
}

session_op make_busy_op(bool busy, std::optional<double> ttl_seconds,
                        completion<session_entry> done) {
  auto run = [busy, ttl_seconds, done](session_ctx& c) {
    if (!c.entry()) {
      done(no_entry(c.key()));
      return c.finish();
    }
    auto next = *c.entry();
    auto now = c.rt().now();
    if (busy)
      next.busy_until = core::clamp_busy_until(now, ttl_seconds,
                                               c.rt().cfg.reset.busy_max_hours);
    else
      next.busy_until.reset();
    write_entry(c, next, nullptr, done);
  };
  return {run, failer(done)};
}

session_op make_expire_op(expiry_job job,
                          std::function<void(expiry_outcome)> done) {
  auto run = [job, done](session_ctx& c) {
    expire_step(c, job, done);
  };
  auto fail = [done](core::error) {
    done(expiry_outcome{});
  };
  return {run, fail};
}

} // namespace switchboard::actors
