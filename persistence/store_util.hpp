#pragma once

// Internal helpers shared by the sqlite_* translation units (not a public
// header of the persistence module).

#include "core/message.hpp"
#include "core/session_entry.hpp"
#include "core/store.hpp"
#include "persistence/sqlite.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace switchboard::persistence::detail {

/// Borrows the cached statement for `sql` into `name`, or returns its error
/// from the enclosing function.
#define SB_QUERY(name, db, sql)                                                \
  auto name##_stmt = (db).cached(sql);                                         \
  if (!name##_stmt)                                                            \
    return std::move(name##_stmt).err();                                       \
  ::switchboard::persistence::query name {                                     \
    **name##_stmt                                                              \
  }

/// Evaluates a status-returning expression and returns its error, if any.
#define SB_TRY(expr)                                                           \
  do {                                                                         \
    if (auto sb_st_ = (expr); !sb_st_)                                         \
      return std::move(sb_st_).err();                                          \
  } while (0)

/// SQL of the ids of one session's messages (schema.cpp, v9: an entry in
/// message_index or in message_tail), for `id IN SB_SESSION_MESSAGE_IDS(p)`;
/// `p` is a string literal naming the session id, e.g. "?1" or "s.id".
#define SB_SESSION_MESSAGE_IDS(p)                                              \
  "(SELECT id FROM message_index WHERE session_id = " p                        \
  " UNION ALL SELECT id FROM message_tail WHERE session_id = " p ")"

/// SQL of the INTEGER microseconds of a REAL epoch-seconds column written
/// from a core::time_point (exact: the double's error is below 0.4 us).
#define SB_MICROS(col) "CAST(ROUND(" col " * 1000000) AS INTEGER)"

/// SQL of the id of the first (`dir` "") or last (`dir` "DESC") message in
/// time order (at_us, then id) of session `p` that meets `cond` (an SQL
/// condition on the message as `m`), or NULL. Each of the two tables is
/// read in its key order (session_id, at_us, id) and stops at its first
/// match, so the cost does not grow with the session's length.
// clang-format off
#define SB_SESSION_EDGE_MESSAGE(p, cond, dir)                                  \
  "(SELECT id FROM (SELECT * FROM ("                                           \
  SB_EDGE_IN("message_index", p, cond, dir)                                    \
  ") UNION ALL SELECT * FROM ("                                                \
  SB_EDGE_IN("message_tail", p, cond, dir)                                     \
  ")) ORDER BY at_us " dir ", id " dir " LIMIT 1)"
#define SB_EDGE_IN(table, p, cond, dir)                                        \
  "SELECT x.id, x.at_us FROM " table " x JOIN messages m ON m.id = x.id "      \
  "WHERE x.session_id = " p " AND " cond " ORDER BY x.at_us " dir              \
  ", x.id " dir " LIMIT 1"
// clang-format on

/// SQL of the ids of one session's unfolded messages: exactly its entries
/// in message_tail (schema.cpp invariant, derived_state.cpp).
#define SB_SESSION_UNFOLDED_IDS(p)                                             \
  "(SELECT id FROM message_tail WHERE session_id = " p ")"

/// SQL of a message's time (`m`, REAL epoch seconds) when it is activity,
/// an inbound user message, else NULL: rows a transcript rewrite inserted
/// are not activity (they never move an entry's updated_at).
#define SB_ACTIVITY_TS                                                         \
  "CASE WHEN m.role = 'user' AND NOT EXISTS (SELECT 1 FROM "                   \
  "transcript_rewrites r WHERE r.session_id = m.session_id AND m.id BETWEEN "  \
  "r.first_id AND r.last_id) THEN m.timestamp END"

/// SQL of core::tool_call_count over a messages column (a string literal).
#define SB_TOOL_CALLS(col)                                                     \
  "CASE WHEN " col " IS NULL THEN 0 WHEN json_valid(" col                      \
  ") AND json_type(" col ") = 'array' THEN json_array_length(" col             \
  ") ELSE 1 END"

/// One snapshot for several read statements: a read transaction from
/// construction to destruction (a no-op when one is already open, e.g. the
/// writer's). Why: a reader that combines stored derived state with the
/// unfolded rows must see both as of the same commit.
class snapshot {
public:
  explicit snapshot(connection& db);
  ~snapshot();
  snapshot(const snapshot&) = delete;
  snapshot& operator=(const snapshot&) = delete;

private:
  connection* db_ = nullptr; // set when this object opened the transaction
};

/// The row as a JSON object (column names as keys; NULL -> null).
nlohmann::json row_to_json(const statement& s);

/// JSON text for a structured message field, nullopt when absent or empty
/// (the seed stores `json.dumps(x) if x else None`).
std::optional<std::string> json_text(const std::optional<nlohmann::json>& j);

/// Parses stored JSON text; nullopt when absent or not valid JSON.
std::optional<nlohmann::json>
parse_json_text(const std::optional<std::string>& s);

/// Microseconds since the epoch (session_entries times).
inline std::int64_t to_micros(core::time_point t) {
  return t.time_since_epoch().count();
}
inline core::time_point from_micros(std::int64_t us) {
  return core::time_point{core::duration{us}};
}

/// The columns of session_entries, in the order bind_entry/read_entry use.
extern const char* const entry_columns;

/// The number of columns in entry_columns.
inline constexpr int entry_column_count = 22;

/// Binds the 22 entry columns at parameters 1..22.
void bind_entry(statement& s, const core::session_entry& e);

/// Reads the 22 entry columns starting at column `first`.
core::result<core::session_entry> read_entry(const statement& s, int first);

/// SQL of sqlite_reader::list_entries for one sort key and direction:
/// ordered, filtered (?1..?5, as bind_filters) and paged (?6 limit, ?7
/// offset) by the exact values it reports; the exact updated_at is the
/// column after the entry's. Here so tests can read its query plan.
std::string entry_list_sql(core::entry_sort sort, bool ascending);

/// "?first,?first+1,..." (numbered: a bare "?" after "?3" would reuse ?4).
std::string placeholders(std::size_t n, std::size_t first);

/// The search filters of `sq` (SPEC 10: sources, exclude_sources, roles) as
/// " AND ..." clauses on `s` (sessions) and `m` (messages), with parameters
/// numbered from `next`, which is advanced past them. Every search path
/// (FTS5, trigram, LIKE) uses these, so they filter alike.
std::string search_filter_sql(const core::search_query& sq, std::size_t& next);

/// Binds the values of search_filter_sql's parameters from `first`; returns
/// the next parameter number.
int bind_search_filters(statement& s, const core::search_query& sq, int first);

/// Whether a message belongs in messages_trigram: its content or tool_name
/// holds a CJK character (core::contains_cjk; a byte scan, no SQL).
bool holds_cjk(const std::optional<std::string>& content,
               const std::optional<std::string>& tool_name);

/// Inserts a message's row into messages_trigram (rowid = message id).
core::status add_trigram_row(connection& db, std::int64_t id,
                             const std::optional<std::string>& content,
                             const std::optional<std::string>& tool_name);

/// Steps `select` (bound; columns id, content, tool_name) to its end and adds
/// the rows that hold_cjk to messages_trigram (migration, restore).
core::status add_cjk_rows(connection& db, statement& select);

/// The first `n` code points of `s` (bytes of invalid UTF-8 count as one).
std::string utf8_prefix(std::string_view s, std::size_t n);
std::size_t utf8_length(std::string_view s);

} // namespace switchboard::persistence::detail
