// The helpers that several session ops share (declared in
// session_ops_detail.hpp) and the rules the supervisor uses too
// (should_flush, policy_for, reset_state_of). The ops themselves live by
// responsibility: route_ops.cpp (SPEC 5 route and the SPEC 12 idempotency),
// lifecycle_ops.cpp (reset, switch, busy, expiry), transcript_ops.cpp
// (append, usage, rewrite, get, delete). All of them follow
// session_ops.hpp: a key runs one op at a time and each op calls finish()
// exactly once.
//
// Contract of the helpers: the ones taking a store_writer run inside a write
// function on the writer thread; the ones taking a session_ctx run on the
// key's shard; write_entry adopts the new entry only after its write
// committed.

#include "actors/session_ops.hpp"

#include "actors/session_ops_detail.hpp"
#include "core/reset_policy.hpp"
#include "core/session_id.hpp"

#include <utility>

namespace switchboard::actors {

namespace detail {

bool has_thread(const std::optional<core::source>& s) {
  return s && s->thread_id && !s->thread_id->empty();
}

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

} // namespace detail

using namespace detail;

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

} // namespace switchboard::actors
