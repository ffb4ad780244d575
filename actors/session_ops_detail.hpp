#pragma once

// Actors-private, for the session ops files only (session_ops.cpp,
// route_ops.cpp, lifecycle_ops.cpp, transcript_ops.cpp; not included
// outside actors/): the declarations that more than one kind of op uses.
// Each runs either on the key's shard (takes a session_ctx) or inside a
// write function on the writer thread (takes a store_writer), as its
// comment says. No CAF.

#include "actors/session_ops.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace switchboard::actors::detail {

using core::session_entry;
using core::status;
using core::time_point;

bool has_thread(const std::optional<core::source>& s);

/// end_session that tolerates a row that is already gone (deleted/pruned).
status end_row(core::store_writer& w, std::string_view id,
               std::string_view reason, time_point at);

core::session_row_init row_for(const std::string& key,
                               const std::optional<core::source>& origin,
                               const std::string& platform,
                               core::chat_type type, time_point at);

/// Creates the row under a fresh id; on an id collision retries with a new
/// random suffix (SPEC 2). Runs on the writer thread.
core::result<std::string> create_unique(core::store_writer& w, runtime* rt,
                                        core::session_row_init row);

session_entry fresh_entry(const std::string& key,
                          const std::optional<core::source>& origin,
                          const std::optional<std::string>& display_name,
                          const std::string& platform, core::chat_type type,
                          time_point now);

session_entry fresh_from(const session_entry& old, time_point now);

core::error no_entry(const std::string& key);

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
                           const std::optional<core::message>& msg);

/// Inside a write function: checks `k` (when set) and stores a repeat's
/// first reply in `first`. Returns an error, or whether it was a repeat.
core::result<bool> check_repeat(core::store_writer& w, const repeat_ptr& k,
                                time_point now,
                                std::optional<route_reply>& first);

/// Inside a write function, after the request's writes: keeps its reply.
status remember_reply(core::store_writer& w, const repeat_ptr& k,
                      const route_reply& r, time_point now);

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
                 completion<session_entry> done);

/// Counts a new session (and a reset when `old` is set) and publishes
/// session_created / session_reset with reason `why`.
void publish_created(runtime& rt, const session_entry& e,
                     const std::optional<session_entry>& old,
                     std::string_view why);

/// A session_op's `fail`: answers `done` with the error.
template <class T>
std::function<void(core::error)> failer(completion<T> done) {
  return [done](core::error e) {
    done(std::move(e));
  };
}

} // namespace switchboard::actors::detail
