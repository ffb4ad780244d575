// The transcript ops: append (with the idempotency of route_ops.cpp),
// usage, rewrite, get, delete.
//
// Contract: each op answers only after its writes committed; a repeated
// request_id / platform_message_id writes nothing (SPEC 12); a delete clears
// the key's entry only when it pointed at the deleted session.

#include "actors/session_ops_detail.hpp"

#include <utility>

namespace switchboard::actors {

using namespace detail;

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

} // namespace switchboard::actors
