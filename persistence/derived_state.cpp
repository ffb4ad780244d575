// Derived state written behind (schema.cpp, "Derived state"): the message
// counters of `sessions` and session_entries.updated_at.
//
// Why: beyond the message and its FTS row, each message used to update its
// session's counters and its entry's updated_at (two indexes). At 100k keys
// each of those lands on a random page, so one batch dirtied thousands of
// pages and the writer reached 0.26 of the raw insert ceiling. Folding them
// in from the message rows, in bulk and in id order, every flush keeps the
// hot path append-shaped (the ceiling's two inserts).
//
// Contract:
//  - A message is folded when its entry is in message_index, unfolded when
//    it is in message_tail (every message is in exactly one). Folded
//    messages are counted in sessions.message_count / tool_call_count (when
//    active) and in their entry's updated_at (when an inbound user message:
//    role 'user', not inserted by a transcript rewrite); unfolded ones are
//    not. A session is folded whole: its tail rows are counted and moved to
//    the index together.
//  - W (derived_state.watermark): every message with id <= W is folded
//    (a lower bound: slices fold sessions above it). Nothing reads it to
//    answer a request.
//  - flush_derived() folds every session with unfolded messages;
//    fold_slice(n) folds the next n of them after the last slice's (a sweep
//    in slices, so the writer never stalls for a whole fold). Both run
//    inside the open transaction: durable exactly when it commits, undone
//    with it by a rollback. They are computed from the rows, never from
//    memory, so the same call recovers exactly after a kill -9 (open_writer
//    runs flush_derived) and a replayed batch cannot count twice.
//  - Readers add the unfolded part of the snapshot they read (pending_of:
//    the session's tail rows), so what they report is exact in every
//    snapshot. The entry list also orders, filters and pages by the exact
//    updated_at (sqlite_entries.cpp), so its pages never depend on when the
//    fold ran.

#include "persistence/sqlite_store.hpp"

#include "persistence/store_util.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

namespace switchboard::persistence {

using core::result;
using core::status;

namespace {

/// The exact microseconds of a REAL epoch timestamp written from a
/// core::time_point (the error of the double is below 0.4 us here).
std::int64_t micros_of(double seconds) {
  return static_cast<std::int64_t>(std::llround(seconds * 1e6));
}

} // namespace

result<pending_derived> sqlite_reader::pending_of(std::string_view session_id) {
  SB_QUERY(q, *db_,
           "SELECT COALESCE(SUM(m.active), 0), COALESCE(SUM(CASE WHEN "
           "m.active = 1 THEN " SB_TOOL_CALLS(
             "m.tool_calls") " ELSE 0 END), "
                             "0), MAX(" SB_ACTIVITY_TS
                             ") FROM messages m WHERE m.id "
                             "IN " SB_SESSION_UNFOLDED_IDS("?1"));
  q->bind(1, session_id);
  auto row = q->step();
  if (!row)
    return std::move(row).err();
  pending_derived p;
  p.messages = q->int64(0);
  p.tool_calls = q->int64(1);
  if (!q->is_null(2))
    p.last_activity = detail::from_micros(micros_of(q->real(2)));
  return p;
}

status sqlite_reader::add_pending(nlohmann::json& session_row) {
  if (!session_row.contains("id") || !session_row["id"].is_string())
    return {};
  auto p = pending_of(session_row["id"].get<std::string>());
  if (!p)
    return std::move(p).err();
  for (const char* col : {"message_count", "tool_call_count"})
    if (!session_row[col].is_number_integer())
      session_row[col] = 0;
  session_row["message_count"] =
    session_row["message_count"].get<std::int64_t>() + p->messages;
  session_row["tool_call_count"] =
    session_row["tool_call_count"].get<std::int64_t>() + p->tool_calls;
  return {};
}

status sqlite_reader::add_pending(core::session_entry& e) {
  auto p = pending_of(e.session_id);
  if (!p)
    return std::move(p).err();
  if (p->last_activity && *p->last_activity > e.updated_at)
    e.updated_at = *p->last_activity;
  return {};
}

/// All or nothing, without failing the caller's transaction: a partial
/// fold would count its rows twice at the next one.
template <class F>
status sqlite_writer::in_fold_savepoint(F&& fold) {
  SB_TRY(run("SAVEPOINT derived"));
  auto st = fold();
  if (st)
    return run("RELEASE derived");
  if (db_->in_transaction() && run("ROLLBACK TO derived"))
    (void)run("RELEASE derived");
  return st;
}

status sqlite_writer::flush_derived() {
  auto st = in_fold_savepoint([&]() -> status {
    auto r = fold_sessions("", -1);
    if (!r)
      return std::move(r).err();
    return advance_watermark();
  });
  if (st)
    slice_cursor_.clear(); // a sweep in progress has nothing left to fold
  return st;
}

result<core::store_writer::fold_slice_result>
sqlite_writer::fold_slice(std::int64_t max_sessions) {
  folded_range r;
  auto st = in_fold_savepoint([&]() -> status {
    auto folded =
      fold_sessions(slice_cursor_, std::max<std::int64_t>(1, max_sessions));
    if (!folded)
      return std::move(folded).err();
    r = std::move(*folded);
    return r.done ? advance_watermark() : status{};
  });
  if (!st)
    return std::move(st).err();
  slice_cursor_ = r.done ? std::string{} : r.last;
  return fold_slice_result{r.done, r.sessions};
}

/// W = the newest id below every unfolded message (the tail's), or the
/// newest message when nothing is unfolded. Never moves back: every
/// message up to the old W was folded, so the tail's ids are above it.
status sqlite_writer::advance_watermark() {
  return run("UPDATE derived_state SET watermark = COALESCE((SELECT MIN(id) "
             "FROM message_tail) - 1, (SELECT MAX(id) FROM messages), 0) "
             "WHERE id = 1");
}

result<sqlite_writer::folded_range>
sqlite_writer::fold_sessions(const std::string& after, std::int64_t limit) {
  // Per session after `after` (in id order, the tail's and the sessions
  // table's): its counters and its newest activity, from its tail rows.
  SB_QUERY(q, *db_,
           "SELECT t.session_id, SUM(m.active), SUM(CASE WHEN m.active = 1 "
           "THEN " SB_TOOL_CALLS(
             "m.tool_calls") " ELSE 0 END), MAX(" SB_ACTIVITY_TS ") FROM "
                             "message_tail t JOIN messages m ON m.id = t.id "
                             "WHERE t.session_id > ?1 GROUP BY t.session_id "
                             "ORDER BY t.session_id LIMIT ?2");
  q->bind(1, after).bind(2, limit);
  folded_range r;
  std::vector<activity> active;
  for (;;) {
    auto row = q->step();
    if (!row)
      return std::move(row).err();
    if (!*row)
      break;
    r.last = q->text(0);
    ++r.sessions;
    SB_TRY(add_counts(r.last, q->int64(1), q->int64(2)));
    if (!q->is_null(3))
      active.push_back({{}, r.last, micros_of(q->real(3))});
  }
  r.done = limit < 0 || r.sessions < limit;
  auto keyed = with_entry_keys(active);
  if (!keyed)
    return std::move(keyed).err();
  SB_TRY(move_entries(*keyed));
  SB_TRY(move_tail(after,
                   r.done ? std::nullopt : std::optional<std::string>{r.last}));
  return r;
}

/// Moves the tail entries of the sessions in (after, upto] (no upper bound
/// without `upto`) into message_index (schema.cpp, v9): one pass in the
/// tail's key order, so each leaf page of the large index is written once
/// per move, not once per message.
status sqlite_writer::move_tail(const std::string& after,
                                const std::optional<std::string>& upto) {
  // Two statements, not one with "?2 IS NULL OR": the planner then reads
  // only the range (with the OR it read the tail to its end, every slice).
  const std::string range = upto ? " WHERE session_id > ?1 AND session_id <= ?2"
                                 : " WHERE session_id > ?1";
  SB_QUERY(i, *db_,
           "INSERT INTO message_index (session_id, at_us, id) SELECT "
           "session_id, at_us, id FROM message_tail" +
             range);
  i->bind(1, after);
  if (upto)
    i->bind(2, *upto);
  SB_TRY(i->run());
  SB_QUERY(d, *db_, "DELETE FROM message_tail" + range);
  d->bind(1, after);
  if (upto)
    d->bind(2, *upto);
  return d->run();
}

status sqlite_writer::add_counts(const std::string& session_id,
                                 std::int64_t messages,
                                 std::int64_t tool_calls) {
  if (messages == 0 && tool_calls == 0)
    return {};
  SB_QUERY(c, *db_,
           "UPDATE sessions SET message_count = message_count + ?1, "
           "tool_call_count = tool_call_count + ?2 WHERE id = ?3");
  c->bind(1, messages).bind(2, tool_calls).bind(3, session_id);
  return c->run();
}

/// One activity per entry pointing at a session of `by_session` (several
/// keys may point at one session), sorted by key.
result<std::vector<sqlite_writer::activity>>
sqlite_writer::with_entry_keys(const std::vector<activity>& by_session) {
  std::vector<activity> out;
  out.reserve(by_session.size());
  for (const auto& a : by_session) {
    SB_QUERY(k, *db_,
             "SELECT session_key FROM session_entries WHERE session_id = ?");
    k->bind(1, a.session_id);
    for (;;) {
      auto row = k->step();
      if (!row)
        return std::move(row).err();
      if (!*row)
        break;
      out.push_back({k->text(0), a.session_id, a.at_us});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const activity& x, const activity& y) { return x.key < y.key; });
  return out;
}

/// Why key order (`active` comes sorted by key): the entries table is keyed
/// by session_key; updating it in that order touches each page once per
/// fold and in sequence (in session order each update landed on a random
/// page at 100k keys).
status sqlite_writer::move_entries(const std::vector<activity>& active) {
  for (const auto& a : active) {
    SB_QUERY(e, *db_,
             "UPDATE session_entries SET updated_at = MAX(updated_at, ?1) "
             "WHERE session_key = ?2 AND session_id = ?3");
    e->bind(1, a.at_us).bind(2, a.key).bind(3, a.session_id);
    SB_TRY(e->run());
  }
  return {};
}

} // namespace switchboard::persistence
