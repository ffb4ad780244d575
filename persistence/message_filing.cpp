// Filing messages under their session, in bulk (schema.cpp, v9).
//
// A message goes in unfiled (filed = 0): its entry lands in the small
// idx_messages_unfiled. file_messages() moves unfiled rows into
// idx_messages_session (filed = 1) one slice at a time, in session order:
// a cycle walks the unfiled index from the first session id to the last,
// each slice taking about `max_rows` rows (a slice ends after a whole
// session, so it may take a few more). Why slices in key order: each slice
// touches only the leaves of its key range, so over a cycle every leaf of
// the big index is written about once, as with one big UPDATE, while no
// transaction holds up the requests behind it for long (one UPDATE of a
// second's messages doubled the HTTP p99 in an A/B).
//
// Contract:
//  - Runs in the caller's open transaction; commits and rollbacks are the
//    caller's. The cursor (filed_through_) only moves forward within a
//    cycle: rows that a rolled-back slice left unfiled, or that arrived
//    behind the cursor, are filed by the next cycle.
//  - Readers never depend on it (SB_IN_SESSION searches both indexes).

#include "persistence/sqlite_store.hpp"

#include "persistence/store_util.hpp"

namespace switchboard::persistence {

using core::result;

result<bool> sqlite_writer::file_messages(std::int64_t max_rows) {
  if (max_rows <= 0) {
    filed_through_.clear();
    SB_TRY(run("UPDATE messages SET filed = 1 WHERE filed = 0"));
    return true;
  }
  // The session id of the max_rows-th unfiled row after the cursor.
  SB_QUERY(b, *db_,
           "SELECT session_id FROM messages WHERE filed = 0 AND "
           "session_id > ?1 ORDER BY session_id LIMIT 1 OFFSET ?2");
  b->bind(1, filed_through_).bind(2, max_rows - 1);
  auto row = b->step();
  if (!row)
    return std::move(row).err();
  std::optional<std::string> bound;
  if (*row)
    bound = b->text(0);
  b->done();
  if (!bound) { // the rest of the cycle
    SB_QUERY(u, *db_,
             "UPDATE messages SET filed = 1 WHERE filed = 0 AND "
             "session_id > ?1");
    u->bind(1, filed_through_);
    SB_TRY(u->run());
    filed_through_.clear();
    return true;
  }
  SB_QUERY(u, *db_,
           "UPDATE messages SET filed = 1 WHERE filed = 0 AND "
           "session_id > ?1 AND session_id <= ?2");
  u->bind(1, filed_through_).bind(2, *bound);
  SB_TRY(u->run());
  filed_through_ = std::move(*bound);
  return false;
}

} // namespace switchboard::persistence
