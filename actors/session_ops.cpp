#include "actors/session_ops.hpp"

#include "core/reset_policy.hpp"
#include "core/session_id.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

// Decisions where SPEC 5 is silent (written down in the report too):
// - A route without a message, or with a user message, is activity and moves
//   updated_at; a routed assistant/tool/system message is not (SPEC 4).
// - The consumed-once flags are reported on the reply of the request that
//   created the new session and persisted already cleared in the same write,
//   so no later reply (or GET) reports them again.
// - An entry whose session the supervisor finalized always starts a new
//   session on its next message, even if the policy would no longer say so.
// - A platform_message_id repeat (SPEC 12) is answered with the stored
//   message's session_id and message_id, created/was_auto_reset false: the
//   first request may have had no request_id, so its reply was not kept. A
//   request_id repeat gets the stored first reply exactly.
// - A repeat found through platform_message_id does not remember its
//   request_id: it wrote nothing, so there is no first reply of its own.

namespace switchboard::actors {

namespace {

using core::session_entry;
using core::status;
using core::time_point;

bool has_thread(const std::optional<core::source>& s) {
  return s && s->thread_id && !s->thread_id->empty();
}

/// end_session that tolerates a row that is already gone (deleted/pruned).
status end_row(core::store_writer& w, std::string_view id,
               std::string_view reason, time_point at) {
  auto st = w.end_session(id, reason, at);
  if (!st && st.err().code == core::errc::not_found)
    return {};
  return st;
}

core::session_row_init row_for(const std::string& key,
                               const std::optional<core::source>& origin,
                               const std::string& platform,
                               core::chat_type type, time_point at) {
  core::session_row_init row;
  row.source = platform.empty() ? "unknown" : platform;
  row.session_key = key;
  row.chat_type = std::string(core::to_string(type));
  row.started_at = at;
  if (origin) {
    row.user_id = origin->user_id;
    row.chat_id = origin->chat_id;
    row.thread_id = origin->thread_id;
  }
  return row;
}

/// Creates the row under a fresh id; on an id collision retries with a new
/// random suffix (SPEC 2). Runs on the writer thread.
core::result<std::string> create_unique(core::store_writer& w, runtime* rt,
                                        core::session_row_init row) {
  auto local = rt->zone.to_local(row.started_at);
  for (int attempt = 0; attempt < 16; ++attempt) {
    row.id = core::make_session_id(local, rt->random);
    auto st = w.create_session(row);
    if (st)
      return row.id;
    if (st.err().code != core::errc::conflict)
      return st.err();
  }
  return core::internal_error("could not find a free session id");
}

session_entry fresh_entry(const std::string& key,
                          const std::optional<core::source>& origin,
                          const std::optional<std::string>& display_name,
                          const std::string& platform, core::chat_type type,
                          time_point now) {
  session_entry e;
  e.session_key = key;
  e.created_at = now;
  e.updated_at = now;
  e.origin = origin;
  e.display_name = display_name;
  e.platform = platform;
  e.type = type;
  return e;
}

session_entry fresh_from(const session_entry& old, time_point now) {
  return fresh_entry(old.session_key, old.origin, old.display_name,
                     old.platform, old.type, now);
}

core::error no_entry(const std::string& key) {
  return core::not_found("no session for key '" + key + "'");
}

// -- idempotency (SPEC 12) ---------------------------------------------------
// A request with a request_id, or a message with a platform_message_id, is
// checked inside its own write function, on the writer's connection: the one
// writer serializes concurrent repeats, and within a batch each sees the
// rows the earlier ones wrote. A repeat writes nothing and the op answers
// with the first reply without adopting any state (entry, updated_at,
// counters and events stay as they are). Requests without either id skip
// all of this (a null pointer in the closure).

/// What identifies a repeat of one request.
struct repeat_keys {
  std::string key;
  std::optional<std::string> request_id;
  std::optional<std::string> platform_message_id;
  std::string current; // the key's current session ("" when none)
  double window_hours = 24;
};
using repeat_ptr = std::shared_ptr<const repeat_keys>;

repeat_ptr repeat_keys_for(session_ctx& c,
                           const std::optional<std::string>& request_id,
                           const std::optional<core::message>& msg) {
  auto pmid = msg ? msg->platform_message_id : std::nullopt;
  if (!request_id && !pmid)
    return nullptr;
  const auto& e = c.entry();
  return std::make_shared<const repeat_keys>(
    repeat_keys{c.key(), request_id, pmid, e ? e->session_id : std::string{},
                c.rt().cfg.idempotency.window_hours});
}

std::string encode_reply(const route_reply& r) {
  nlohmann::json j{{"session_key", r.session_key},
                   {"session_id", r.session_id},
                   {"created", r.created},
                   {"was_auto_reset", r.was_auto_reset},
                   {"auto_reset_reason", core::to_string(r.auto_reset_reason)},
                   {"reset_had_activity", r.reset_had_activity},
                   {"message_id", nullptr}};
  if (r.message_id)
    j["message_id"] = *r.message_id;
  return j.dump();
}

core::result<route_reply> decode_reply(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object())
    return core::internal_error("unreadable stored reply of a request_id");
  route_reply r;
  r.session_key = j.value("session_key", "");
  r.session_id = j.value("session_id", "");
  r.created = j.value("created", false);
  r.was_auto_reset = j.value("was_auto_reset", false);
  r.auto_reset_reason =
    core::parse_reset_reason(j.value("auto_reset_reason", "none"))
      .value_or(core::reset_reason::none);
  r.reset_had_activity = j.value("reset_had_activity", false);
  if (j.contains("message_id") && j["message_id"].is_number_integer())
    r.message_id = j["message_id"].get<std::int64_t>();
  r.duplicate = true;
  return r;
}

/// Inside a write function: the first reply when the request repeats an
/// earlier one, else nullopt.
core::result<std::optional<route_reply>>
find_repeat(core::store_writer& w, const repeat_keys& k, time_point now) {
  using hours = std::chrono::duration<double, std::ratio<3600>>;
  if (k.request_id) {
    auto since =
      now - std::chrono::duration_cast<core::duration>(hours(k.window_hours));
    auto found = w.find_request(*k.request_id, since);
    if (!found)
      return found.err();
    if (*found) {
      auto r = decode_reply(**found);
      if (!r)
        return r.err();
      return std::optional<route_reply>{std::move(*r)};
    }
  }
  if (!k.platform_message_id || k.current.empty())
    return std::optional<route_reply>{};
  auto mid = w.find_platform_message(k.current, *k.platform_message_id);
  if (!mid)
    return mid.err();
  if (!*mid)
    return std::optional<route_reply>{};
  route_reply r;
  r.session_key = k.key;
  r.session_id = k.current;
  r.message_id = **mid;
  r.duplicate = true;
  return std::optional<route_reply>{std::move(r)};
}

/// Inside a write function: checks `k` (when set) and stores a repeat's
/// first reply in `first`. Returns an error, or whether it was a repeat.
core::result<bool> check_repeat(core::store_writer& w, const repeat_ptr& k,
                                time_point now,
                                std::optional<route_reply>& first) {
  first.reset(); // a write function may run again (write_job)
  if (!k)
    return false;
  auto found = find_repeat(w, *k, now);
  if (!found)
    return found.err();
  first = std::move(*found);
  return first.has_value();
}

/// Inside a write function, after the request's writes: keeps its reply.
status remember_reply(core::store_writer& w, const repeat_ptr& k,
                      const route_reply& r, time_point now) {
  if (!k || !k->request_id)
    return {};
  return w.remember_request(*k->request_id, encode_reply(r), now);
}

/// Answers a repeat: counts it and changes nothing else.
template <class T>
void answer_repeat(session_ctx& c, T reply, const completion<T>& done) {
  c.rt().stats.duplicates.fetch_add(1, std::memory_order_relaxed);
  done(std::move(reply));
  c.finish();
}

/// Writes an updated entry (plus `extra` first) and, once durable, adopts it
/// and answers with it.
void write_entry(session_ctx& c, session_entry next, write_fn extra,
                 completion<session_entry> done) {
  auto fn = [next, extra](core::store_writer& w) -> status {
    if (extra) {
      auto st = extra(w);
      if (!st)
        return st;
    }
    return w.upsert_entry(next);
  };
  c.write(fn, [&c, next, done](status st) {
    if (st)
      c.entry() = next;
    done(st ? core::result<session_entry>(next)
            : core::result<session_entry>(st.err()));
    c.finish();
  });
}

// -- route -------------------------------------------------------------------

struct created_out {
  std::string session_id;
  std::optional<std::int64_t> message_id;
  std::optional<route_reply> first; // set: a repeat, with the first reply
};

void publish_created(runtime& rt, const session_entry& e,
                     const std::optional<session_entry>& old,
                     std::string_view why) {
  rt.stats.sessions_created.fetch_add(1, std::memory_order_relaxed);
  if (old)
    rt.stats.sessions_reset.fetch_add(1, std::memory_order_relaxed);
  if (!rt.events.active())
    return;
  rt.events.publish("session_created", {{"session_key", e.session_key},
                                        {"session_id", e.session_id},
                                        {"platform", e.platform}});
  if (!old)
    return;
  rt.events.publish("session_reset", {{"session_key", e.session_key},
                                      {"old_session_id", old->session_id},
                                      {"session_id", e.session_id},
                                      {"reason", std::string(why)}});
}

/// The reply to the request that created a session.
route_reply created_reply(const std::string& key, const created_out& out,
                          core::reset_reason reason, bool had_activity) {
  route_reply r;
  r.session_key = key;
  r.session_id = out.session_id;
  r.created = true;
  r.was_auto_reset = reason != core::reset_reason::none;
  r.auto_reset_reason = reason;
  r.reset_had_activity = r.was_auto_reset && had_activity;
  r.message_id = out.message_id;
  return r;
}

/// The writes of create_session (on the writer thread).
status create_writes(core::store_writer& w, runtime* rt,
                     const std::optional<session_entry>& old,
                     const session_entry& next,
                     const core::session_row_init& row,
                     const std::optional<core::message>& msg, time_point now,
                     created_out& out) {
  if (old) {
    auto st = end_row(w, old->session_id, "session_reset", now);
    if (!st)
      return st;
  }
  auto id = create_unique(w, rt, row);
  if (!id)
    return status(id.err());
  auto stored = next;
  stored.session_id = *id;
  out.session_id = *id;
  out.message_id.reset();
  if (auto st = w.upsert_entry(stored); !st)
    return st;
  if (!msg)
    return status{};
  auto mid = w.append_message(*id, *msg, now);
  if (!mid)
    return status(mid.err());
  out.message_id = *mid;
  return status{};
}

void create_session(session_ctx& c, route_request req, time_point now,
                    core::reset_reason reason, bool had_activity,
                    completion<route_reply> done) {
  auto* rt = &c.rt();
  auto old = c.entry();
  auto next = fresh_entry(c.key(), req.origin, req.origin.chat_name,
                          req.origin.platform, req.origin.type, now);
  auto row = row_for(c.key(), next.origin, next.platform, next.type, now);
  auto out = std::make_shared<created_out>();
  auto msg = req.msg;
  auto repeat = repeat_keys_for(c, req.request_id, msg);
  auto key = c.key();
  auto fn = [rt, old, next, row, out, msg, now, repeat, key, reason,
             had_activity](core::store_writer& w) {
    auto is_repeat = check_repeat(w, repeat, now, out->first);
    if (!is_repeat)
      return status(is_repeat.err());
    if (*is_repeat)
      return status{};
    if (auto st = create_writes(w, rt, old, next, row, msg, now, *out); !st)
      return st;
    return remember_reply(w, repeat,
                          created_reply(key, *out, reason, had_activity), now);
  };
  c.write(fn, [&c, next, old, out, reason, had_activity, msg,
               done](status st) mutable {
    if (!st) {
      done(st.err());
      return c.finish();
    }
    if (out->first)
      return answer_repeat(c, *out->first, done);
    next.session_id = out->session_id;
    c.entry() = next;
    auto& rt = c.rt();
    if (msg)
      rt.stats.messages_routed.fetch_add(1, std::memory_order_relaxed);
    publish_created(rt, next, old,
                    reason == core::reset_reason::none
                      ? std::string_view("force_new")
                      : core::to_string(reason));
    done(created_reply(c.key(), *out, reason, had_activity));
    c.finish();
  });
}

/// Continues the current session. `deferred`: the entry owes a deferred
/// daily reset afterwards (SPEC 4.6); a change of it is a full entry write.
void continue_session(session_ctx& c, route_request req, time_point now,
                      bool deferred, completion<route_reply> done) {
  // Why shared: the entry (strings, origin) and the message were copied into
  // both closures and again by std::function on every request.
  auto next = std::make_shared<session_entry>(*c.entry());
  bool activity = !req.msg || req.msg->role == "user";
  if (activity)
    next->updated_at = now;
  bool full = next->daily_reset_deferred != deferred;
  next->daily_reset_deferred = deferred;
  auto out = std::make_shared<created_out>();
  auto repeat = repeat_keys_for(c, req.request_id, req.msg);
  auto msg = std::make_shared<std::optional<core::message>>(std::move(req.msg));
  auto fn = [next, activity, full, msg, out, now,
             repeat](core::store_writer& w) -> status {
    auto is_repeat = check_repeat(w, repeat, now, out->first);
    if (!is_repeat)
      return is_repeat.err();
    if (*is_repeat)
      return {};
    // A stored user message moves updated_at by itself (store.hpp: derived
    // state); the entry is written only for a route without a message, or
    // when its owed daily reset changed (a full write, SPEC 4.6).
    if (full) {
      if (auto st = w.upsert_entry(*next); !st)
        return st;
    } else if (activity && !*msg) {
      if (auto st = w.touch_entry(*next); !st)
        return st;
    }
    out->message_id.reset();
    if (*msg) {
      auto mid = w.append_message(next->session_id, **msg, now);
      if (!mid)
        return mid.err();
      out->message_id = *mid;
    }
    if (!repeat)
      return {};
    route_reply r;
    r.session_key = repeat->key;
    r.session_id = next->session_id;
    r.message_id = out->message_id;
    return remember_reply(w, repeat, r, now);
  };
  c.write(
    std::move(fn), [&c, next, out, msg, done = std::move(done)](status st) {
      if (!st) {
        done(st.err());
        return c.finish();
      }
      if (out->first)
        return answer_repeat(c, *out->first, done);
      c.entry()->updated_at = next->updated_at; // the only fields that changed
      c.entry()->daily_reset_deferred = next->daily_reset_deferred;
      if (*msg)
        c.rt().stats.messages_routed.fetch_add(1, std::memory_order_relaxed);
      route_reply r;
      r.session_key = c.key();
      r.session_id = next->session_id;
      r.message_id = out->message_id;
      done(std::move(r));
      c.finish();
    });
}

void route_step(session_ctx& c, route_request req,
                completion<route_reply> done) {
  auto& rt = c.rt();
  auto now = rt.now();
  auto& e = c.entry();
  if (!e || req.force_new)
    return create_session(c, std::move(req), now, core::reset_reason::none,
                          false, std::move(done));
  const auto& policy = rt.cfg.reset.policies.lookup(
    req.origin.platform, req.origin.type, has_thread(req.origin));
  auto verdict =
    core::evaluate_deferred(policy, reset_state_of(*e), now, rt.zone);
  auto reason = verdict.reason;
  if (reason == core::reset_reason::none && e->expiry_finalized)
    reason = core::reset_reason::idle;
  if (reason == core::reset_reason::none)
    return continue_session(c, std::move(req), now, verdict.daily_owed,
                            std::move(done));
  if (e->total_tokens > 0)
    return create_session(c, std::move(req), now, reason, true,
                          std::move(done));
  // Had the old session any messages? Ask a reader (resets are rare).
  auto count = std::make_shared<std::int64_t>(0);
  auto id = e->session_id;
  c.read(
    [count, id](core::store_reader& r) {
      auto n = r.message_count(id);
      *count = n ? *n : 0;
    },
    [&c, req, now, reason, count, done]() mutable {
      create_session(c, std::move(req), now, reason, *count > 0,
                     std::move(done));
    });
}

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

template <class T>
std::function<void(core::error)> failer(completion<T> done) {
  return [done](core::error e) {
    done(std::move(e));
  };
}

} // namespace

bool should_flush(const core::flush_settings& f, const session_entry& e,
                  std::int64_t message_count) {
  if (message_count < f.min_messages)
    return false;
  return e.platform != "cron" && e.session_id.rfind("cron_", 0) != 0;
}

const core::reset_policy& policy_for(const core::settings& cfg,
                                     const session_entry& e) {
  return cfg.reset.policies.lookup(e.platform, e.type, has_thread(e.origin));
}

core::reset_state reset_state_of(const session_entry& e) {
  return {e.updated_at, e.busy_until, e.daily_reset_deferred};
}

session_op make_route_op(route_request req, completion<route_reply> done) {
  // run is called at most once: it gives its copies away (fail keeps its own).
  auto fail = failer(done);
  auto run = [req = std::move(req),
              done = std::move(done)](session_ctx& c) mutable {
    route_step(c, std::move(req), std::move(done));
  };
  return {std::move(run), std::move(fail)};
}

namespace {

/// The writes of an append (on the writer thread): the entry's touch when
/// it is activity, the message; the reply is kept for a request_id.
/// The stored message moves updated_at by itself when it is a user message
/// (store.hpp: derived state).
status append_writes(core::store_writer& w, const session_entry& next,
                     const core::message& msg, const repeat_ptr& repeat,
                     time_point now, std::int64_t& mid) {
  auto r = w.append_message(next.session_id, msg, now);
  if (!r)
    return status(r.err());
  mid = *r;
  if (!repeat)
    return {};
  route_reply reply;
  reply.session_key = next.session_key;
  reply.session_id = next.session_id;
  reply.message_id = mid;
  return remember_reply(w, repeat, reply, now);
}

append_reply to_append_reply(const route_reply& r) {
  return {r.session_id, r.message_id.value_or(0), r.duplicate};
}

} // namespace

session_op make_append_op(core::message msg,
                          std::optional<std::string> request_id,
                          completion<append_reply> done) {
  auto run = [msg, request_id, done](session_ctx& c) {
    if (!c.entry()) {
      done(no_entry(c.key()));
      return c.finish();
    }
    auto now = c.rt().now();
    auto next = *c.entry();
    bool activity = msg.role == "user";
    if (activity)
      next.updated_at = now;
    auto mid = std::make_shared<std::int64_t>(0);
    auto first = std::make_shared<std::optional<route_reply>>();
    auto repeat = repeat_keys_for(c, request_id, msg);
    auto fn = [next, msg, mid, now, repeat, first](core::store_writer& w) {
      auto is_repeat = check_repeat(w, repeat, now, *first);
      if (!is_repeat)
        return status(is_repeat.err());
      if (*is_repeat)
        return status{};
      return append_writes(w, next, msg, repeat, now, *mid);
    };
    c.write(fn, [&c, next, mid, first, done](status st) {
      if (st && *first)
        return answer_repeat(c, to_append_reply(**first), done);
      if (st)
        c.entry() = next;
      done(st ? core::result<append_reply>(append_reply{next.session_id, *mid})
              : core::result<append_reply>(st.err()));
      c.finish();
    });
  };
  return {run, failer(done)};
}

session_op make_usage_op(core::usage_update u, completion<session_entry> done) {
  auto run = [u, done](session_ctx& c) {
    if (!c.entry()) {
      done(no_entry(c.key()));
      return c.finish();
    }
    auto next = *c.entry();
    core::apply_usage(next, u);
    auto id = next.session_id;
    auto now = c.rt().now();
    auto extra = [id, u, now](core::store_writer& w) -> status {
      auto st = w.update_usage(id, u, now); // also the daily rollup
      if (!st && st.err().code == core::errc::not_found)
        return {};
      return st;
    };
    write_entry(c, next, extra, done);
  };
  return {run, failer(done)};
}

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

session_op make_rewrite_op(std::vector<core::message> messages,
                           completion<rewrite_reply> done) {
  auto run = [messages, done](session_ctx& c) {
    if (!c.entry()) {
      done(no_entry(c.key()));
      return c.finish();
    }
    auto id = c.entry()->session_id;
    auto now = c.rt().now();
    auto count = std::make_shared<std::int64_t>(0);
    auto fn = [id, messages, now, count](core::store_writer& w) -> status {
      auto n = w.rewrite_transcript(id, messages, now);
      if (!n)
        return n.err();
      *count = *n;
      return {};
    };
    c.write(fn, [&c, id, count, done](status st) {
      done(st ? core::result<rewrite_reply>(rewrite_reply{id, *count})
              : core::result<rewrite_reply>(st.err()));
      c.finish();
    });
  };
  return {run, failer(done)};
}

session_op make_get_op(completion<session_entry> done) {
  auto run = [done](session_ctx& c) {
    if (c.entry())
      done(*c.entry());
    else
      done(no_entry(c.key()));
    c.finish();
  };
  return {run, failer(done)};
}

session_op make_delete_op(std::string id, completion<bool> done) {
  auto run = [id, done](session_ctx& c) {
    c.write([id](core::store_writer& w) { return w.delete_session(id); },
            [&c, id, done](status st) {
              if (st && c.entry() && c.entry()->session_id == id)
                c.entry().reset();
              done(st ? core::result<bool>(true)
                      : core::result<bool>(st.err()));
              c.finish();
            });
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
