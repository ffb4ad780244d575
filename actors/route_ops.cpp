// SPEC 5 route (get_or_create + append, POST /v1/messages): create a
// session (new key, force_new, or a reset the policy asks for) or continue
// the current one; and the idempotency of a request (SPEC 12):
// repeat_keys_for / check_repeat / remember_reply, which the append op
// (transcript_ops.cpp) uses too.
//
// Contract: a route answers only after its writes committed; a repeat
// writes nothing and adopts no state; the consumed-once flags are cleared in
// the same write that creates the session.
//
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

#include "actors/session_ops_detail.hpp"

#include "core/reset_policy.hpp"

#include <chrono>
#include <utility>

namespace switchboard::actors {

using namespace detail;

namespace {

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

} // namespace

namespace detail {

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

status remember_reply(core::store_writer& w, const repeat_ptr& k,
                      const route_reply& r, time_point now) {
  if (!k || !k->request_id)
    return {};
  return w.remember_request(*k->request_id, encode_reply(r), now);
}

} // namespace detail

namespace {

// -- route -------------------------------------------------------------------

struct created_out {
  std::string session_id;
  std::optional<std::int64_t> message_id;
  std::optional<route_reply> first; // set: a repeat, with the first reply
};

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

/// A message continuing the current session, pipelined (session_ctx::
/// write_pipelined): the entry takes its new updated_at now, so the key's
/// next route decides on it without waiting for this COMMIT. Why: a hot key
/// (a busy group chat) got one message per commit; now its messages share
/// the writer's batches.
void pipeline_continue(session_ctx& c, write_fn fn,
                       std::shared_ptr<session_entry> next,
                       std::shared_ptr<created_out> out,
                       std::shared_ptr<std::optional<core::message>> msg,
                       completion<route_reply> done) {
  auto before = c.entry()->updated_at;
  c.entry()->updated_at = next->updated_at;
  // A failed write or a repeat adopts no state (SPEC 12): undo the update
  // unless a later route moved updated_at again, and reload the entry from
  // the routing index once the key is idle in any case.
  auto undo = [&c, before, after = next->updated_at] {
    if (c.entry() && c.entry()->updated_at == after)
      c.entry()->updated_at = before;
    c.request_passivation();
  };
  c.write_pipelined(std::move(fn), [&c, next, out, msg, undo,
                                    done = std::move(done)](status st) {
    auto& rt = c.rt();
    if (!st) {
      undo();
      return done(st.err());
    }
    if (out->first) {
      undo();
      rt.stats.duplicates.fetch_add(1, std::memory_order_relaxed);
      return done(*out->first);
    }
    rt.stats.messages_routed.fetch_add(1, std::memory_order_relaxed);
    route_reply r;
    r.session_key = c.key();
    r.session_id = next->session_id;
    r.message_id = out->message_id;
    done(std::move(r));
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
  if (*msg && !full)
    return pipeline_continue(c, std::move(fn), next, out, msg, std::move(done));
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
  // Pipelined writes in flight are messages of the old session.
  if (e->total_tokens > 0 || c.pipelined_writes() > 0)
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

} // namespace

session_op make_route_op(route_request req, completion<route_reply> done) {
  // run is called at most once: it gives its copies away (fail keeps its own).
  auto fail = failer(done);
  auto run = [req = std::move(req),
              done = std::move(done)](session_ctx& c) mutable {
    route_step(c, std::move(req), std::move(done));
  };
  return {std::move(run), std::move(fail), true};
}

} // namespace switchboard::actors
