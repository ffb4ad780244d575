// store_writer on SQLite: idempotency keys and platform message ids
// (SPEC 12). The table and indexes are described at the top of schema.cpp.
// Each call is one cached point statement on the writer's connection, so it
// sees the open transaction's own rows: two requests with one id in one
// batch find each other.

#include "persistence/sqlite_store.hpp"

#include "persistence/store_util.hpp"

namespace switchboard::persistence {

using core::result;
using core::status;

result<std::optional<std::string>>
sqlite_writer::find_request(std::string_view request_id,
                            core::time_point since) {
  SB_QUERY(q, *db_,
           "SELECT reply FROM request_ids WHERE request_id = ? AND at >= ?");
  q->bind(1, request_id).bind(2, detail::to_micros(since));
  auto row = q->step();
  if (!row)
    return std::move(row).err();
  if (!*row)
    return std::optional<std::string>{};
  std::optional<std::string> reply = q->text(0);
  SB_TRY(q->run()); // finish the statement
  return reply;
}

status sqlite_writer::remember_request(std::string_view request_id,
                                       std::string_view reply,
                                       core::time_point at) {
  // REPLACE: an id found forgotten by find_request may still have its row.
  SB_QUERY(q, *db_,
           "INSERT OR REPLACE INTO request_ids (request_id, at, reply) "
           "VALUES (?, ?, ?)");
  q->bind(1, request_id).bind(2, detail::to_micros(at)).bind(3, reply);
  return q->run();
}

result<std::int64_t> sqlite_writer::forget_requests(core::time_point cutoff,
                                                    std::int64_t limit) {
  SB_QUERY(q, *db_,
           "DELETE FROM request_ids WHERE request_id IN (SELECT request_id "
           "FROM request_ids WHERE at < ? ORDER BY at LIMIT ?)");
  q->bind(1, detail::to_micros(cutoff)).bind(2, limit);
  SB_TRY(q->run());
  return static_cast<std::int64_t>(db_->changes());
}

result<std::optional<std::int64_t>>
sqlite_writer::find_platform_message(std::string_view session_id,
                                     std::string_view platform_message_id) {
  SB_QUERY(q, *db_,
           "SELECT id FROM messages WHERE session_id = ? AND "
           "platform_message_id = ? ORDER BY id LIMIT 1");
  q->bind(1, session_id).bind(2, platform_message_id);
  auto row = q->step();
  if (!row)
    return std::move(row).err();
  if (!*row)
    return std::optional<std::int64_t>{};
  std::optional<std::int64_t> id = q->int64(0);
  SB_TRY(q->run());
  return id;
}

} // namespace switchboard::persistence
