// The routing index (table session_entries): reads for store_reader, writes
// for store_writer. One row per session key; see schema.cpp for the columns.

#include "persistence/sqlite_store.hpp"

#include "persistence/store_util.hpp"

#include <limits>
#include <string>

namespace switchboard::persistence {

using core::result;
using core::status;

namespace {

const std::string& upsert_sql() {
  static const std::string sql =
    std::string{"INSERT INTO session_entries ("} + detail::entry_columns +
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
    "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22) ON CONFLICT(session_key) DO "
    "UPDATE SET "
    "session_id = ?2, created_at = ?3, updated_at = ?4, origin = ?5, "
    "display_name = ?6, platform = ?7, chat_type = ?8, input_tokens = ?9, "
    "output_tokens = ?10, cache_read_tokens = ?11, cache_write_tokens = ?12, "
    "total_tokens = ?13, estimated_cost_usd = ?14, cost_status = ?15, "
    "last_prompt_tokens = ?16, was_auto_reset = ?17, auto_reset_reason = ?18, "
    "reset_had_activity = ?19, expiry_finalized = ?20, busy_until = ?21, "
    "daily_reset_deferred = ?22";
  return sql;
}

std::string select_entries(std::string_view tail) {
  return std::string{"SELECT "} + detail::entry_columns +
         " FROM session_entries " + std::string{tail};
}

} // namespace

status sqlite_writer::upsert_entry(const core::session_entry& e) {
  SB_QUERY(q, *db_, upsert_sql());
  detail::bind_entry(*q, e);
  return q->run();
}

// Why: the full upsert rebinds 21 columns (re-encoding the origin JSON) and
// rewrites every index of the row; this touches the row and the two
// updated_at indexes only (~half the writer's per-message index work).
status sqlite_writer::touch_entry(const core::session_entry& e) {
  SB_QUERY(q, *db_,
           "UPDATE session_entries SET updated_at = ? WHERE session_key = ? "
           "AND session_id = ?");
  q->bind(1, detail::to_micros(e.updated_at)).bind(2, e.session_key);
  q->bind(3, e.session_id);
  SB_TRY(q->run());
  return db_->changes() > 0 ? status{} : upsert_entry(e);
}

status sqlite_writer::delete_entry(std::string_view session_key) {
  SB_QUERY(q, *db_, "DELETE FROM session_entries WHERE session_key = ?");
  q->bind(1, session_key);
  return q->run();
}

result<std::optional<core::session_entry>>
sqlite_reader::get_entry(std::string_view session_key) {
  detail::snapshot snap(*db_);
  static const std::string sql = select_entries("WHERE session_key = ?");
  SB_QUERY(q, *db_, sql);
  q->bind(1, session_key);
  auto row = q->step();
  if (!row)
    return std::move(row).err();
  if (!*row)
    return std::optional<core::session_entry>{};
  auto e = detail::read_entry(*q, 0);
  if (!e)
    return std::move(e).err();
  SB_TRY(add_pending(*e));
  return std::optional<core::session_entry>{std::move(*e)};
}

namespace {

/// The filters of an entry_list_query other than active_since, as
/// " AND ..." clauses on session_entries' unqualified columns (?2..?5,
/// bound by bind_filters); ?2 (platform) only when `with_platform`. One SQL
/// text per shape, so the statement cache holds a handful.
std::string entry_match(bool with_platform) {
  return std::string{with_platform ? "AND (?2 IS NULL OR platform = ?2) "
                                   : ""} +
         "AND (?3 IS NULL OR chat_type = ?3) "
         "AND (?4 IS NULL OR expiry_finalized = ?4) "
         "AND (?5 IS NULL OR instr(lower(session_key), lower(?5)) > 0 "
         "OR session_id IN (SELECT id FROM sessions "
         "WHERE instr(lower(title), lower(?5)) > 0)) ";
}

/// The CTEs of the exact updated_at (derived state written behind,
/// derived_state.cpp: the stored one lags the unfolded message rows, which
/// are exactly those in message_tail):
///   pending(pending_session, pending_at): per session, the newest
///     unfolded activity (INTEGER microseconds, as pending_of reports it);
///   touched(session_key, exact_at): the entries matching the query (?1 =
///     active_since against the exact time, entry_match) that such activity
///     moves, with their exact updated_at.
/// Both are as small as the unfolded tail (bounded by the fold interval).
std::string exact_ctes(bool with_platform) {
  // clang-format off
  static const std::string pending =
    "WITH pending(pending_session, pending_at) AS (SELECT t.session_id, "
    "MAX(" SB_MICROS(SB_ACTIVITY_TS) ") FROM message_tail t "
    "JOIN messages m ON m.id = t.id WHERE m.role = 'user' "
    "GROUP BY t.session_id), ";
  // clang-format on
  return pending +
         "touched(session_key, exact_at) AS (SELECT session_key, "
         "MAX(updated_at, pending_at) FROM pending JOIN session_entries ON "
         "session_id = pending_session WHERE pending_at IS NOT NULL AND "
         "MAX(updated_at, pending_at) >= ?1 " +
         entry_match(with_platform) + ") ";
}

void bind_filters(query& s, const core::entry_list_query& q,
                  bool with_platform) {
  std::int64_t since = q.active_since
                         ? detail::to_micros(*q.active_since)
                         : std::numeric_limits<std::int64_t>::min();
  s->bind(1, since);
  if (with_platform)
    s->bind(2, q.platform);
  s->bind(3, q.chat_type);
  s->bind(4, q.finalized ? std::optional<std::int64_t>{*q.finalized ? 1 : 0}
                         : std::nullopt);
  s->bind(5, q.text);
}

std::string_view sort_column(core::entry_sort s) {
  switch (s) {
    case core::entry_sort::updated:
      return "updated_at";
    case core::entry_sort::created:
      return "created_at";
    case core::entry_sort::tokens:
      return "total_tokens";
  }
  return "updated_at";
}

} // namespace

/// Why this shape: ordering by the exact time in SQL over the whole table
/// would read every entry for a page of 50. Only the `touched` entries'
/// sort position differs from the stored one (the exact time is never
/// below the stored one), so the page is among (a) the first
/// offset + limit + |touched| matches in stored order, read off the
/// column's index and stopping there, and (b) the touched entries: an
/// untouched entry outside (a) has at least offset + limit untouched
/// matches ahead of it in both orders. The union, at most
/// offset + limit + 2 |touched| rows, is sorted by the exact value.
/// (a) is read from each range of idx_entries_activity (expiry_finalized 0
/// and 1, schema.cpp): the first n matches are among the first n of each.
std::string detail::entry_list_sql(core::entry_sort sort, bool ascending) {
  std::string dir = ascending ? " ASC" : " DESC";
  std::string column{sort_column(sort)};
  std::string exact_key =
    sort == core::entry_sort::updated ? "exact_at" : "e." + column;
  auto first_in_stored_order = [&](const char* finalized) {
    return "SELECT session_key FROM (SELECT session_key FROM session_entries "
           "WHERE expiry_finalized = " +
           std::string{finalized} + " AND updated_at >= ?1 " +
           entry_match(true) + "ORDER BY " + column + dir + ", session_key" +
           dir +
           " LIMIT CASE WHEN ?6 < 0 THEN -1 ELSE ?6 + MAX(?7, 0) + (SELECT "
           "count(*) FROM touched) END)";
  };
  return exact_ctes(true) + ", picked(session_key) AS (" +
         first_in_stored_order("0") + " UNION " + first_in_stored_order("1") +
         " UNION SELECT session_key FROM touched) "
         "SELECT e.*, COALESCE(t.exact_at, e.updated_at) AS exact_at FROM "
         "(SELECT " +
         detail::entry_columns +
         " FROM session_entries WHERE session_key IN picked) AS e LEFT JOIN "
         "touched t ON t.session_key = e.session_key ORDER BY " +
         exact_key + dir + ", e.session_key" + dir + " LIMIT ?6 OFFSET ?7";
}

result<std::vector<core::session_entry>>
sqlite_reader::list_entries(const core::entry_list_query& q) {
  detail::snapshot snap(*db_);
  SB_QUERY(s, *db_, detail::entry_list_sql(q.sort, q.ascending));
  bind_filters(s, q, true);
  s->bind(6, q.limit).bind(7, q.offset);
  std::vector<core::session_entry> out;
  for (;;) {
    auto row = s->step();
    if (!row)
      return std::move(row).err();
    if (!*row)
      return out;
    auto e = detail::read_entry(*s, 0);
    if (!e)
      return std::move(e).err();
    // The exact time the page was ordered by (as add_pending reports it).
    e->updated_at = detail::from_micros(s->int64(detail::entry_column_count));
    out.push_back(std::move(*e));
  }
}

/// The matches by the exact time: those whose stored time matches (two
/// ranges of idx_entries_activity when active_since is set) and the touched
/// ones whose stored time does not.
result<core::entry_counts>
sqlite_reader::count_entries(const core::entry_list_query& q) {
  static const std::string sql =
    exact_ctes(false) +
    "SELECT platform, count(*), COALESCE(sum(total_tokens), 0), "
    "COALESCE(sum(estimated_cost_usd), 0) FROM (SELECT platform, "
    "total_tokens, estimated_cost_usd FROM session_entries WHERE "
    "expiry_finalized IN (0, 1) AND updated_at >= ?1 " +
    entry_match(false) +
    "UNION ALL SELECT platform, total_tokens, estimated_cost_usd FROM "
    "session_entries WHERE session_key IN (SELECT session_key FROM touched) "
    "AND updated_at < ?1) GROUP BY platform";
  SB_QUERY(s, *db_, sql);
  bind_filters(s, q, false);
  core::entry_counts out;
  for (;;) {
    auto row = s->step();
    if (!row)
      return std::move(row).err();
    if (!*row)
      return out;
    auto platform = s->text(0);
    auto n = s->int64(1);
    out.by_platform[platform] += n;
    if (q.platform && *q.platform != platform)
      continue;
    out.total += n;
    out.total_tokens += s->int64(2);
    out.estimated_cost_usd += s->real(3);
  }
}

result<std::vector<core::expiry_candidate>>
sqlite_reader::candidates(std::string_view sql, core::time_point before,
                          std::int64_t limit) {
  detail::snapshot snap(*db_);
  SB_QUERY(q, *db_, sql);
  q->bind(1, detail::to_micros(before)).bind(2, limit);
  std::vector<core::expiry_candidate> out;
  for (;;) {
    auto row = q->step();
    if (!row)
      return std::move(row).err();
    if (!*row)
      break;
    auto e = detail::read_entry(*q, 0);
    if (!e)
      return std::move(e).err();
    out.push_back({std::move(*e), q->int64(detail::entry_column_count)});
  }
  // A stored updated_at may lag (written behind): the supervisor evaluates
  // each candidate with the exact time and flush rule inputs.
  for (auto& c : out) {
    auto p = pending_of(c.entry.session_id);
    if (!p)
      return std::move(p).err();
    c.message_count += p->messages;
    if (p->last_activity && *p->last_activity > c.entry.updated_at)
      c.entry.updated_at = *p->last_activity;
  }
  return out;
}

namespace {

/// Entries matching `where` (which must imply the condition of `index`, if
/// it is partial) and updated_at < ?1, oldest first, LIMIT ?2, with the
/// message count of their session. Read off `index` (INDEXED BY: the
/// statement fails to prepare if the index cannot serve it), so the cost
/// grows with the entries due, not with the table.
std::string candidate_sql(std::string_view index, std::string_view where) {
  return "SELECT e.*, COALESCE(s.message_count, 0) FROM (SELECT " +
         std::string{detail::entry_columns} +
         " FROM session_entries INDEXED BY " + std::string{index} + " WHERE " +
         std::string{where} +
         " AND updated_at < ?1 ORDER BY updated_at LIMIT ?2) AS e "
         "LEFT JOIN sessions s ON s.id = e.session_id ORDER BY e.updated_at";
}

} // namespace

result<std::vector<core::expiry_candidate>>
sqlite_reader::scan_expiry_candidates(core::time_point updated_before,
                                      std::int64_t limit) {
  static const std::string sql =
    candidate_sql("idx_entries_activity", "expiry_finalized = 0");
  return candidates(sql, updated_before, limit);
}

/// Why its own index: few entries owe a deferred reset; the unfinalized
/// range of idx_entries_activity would be read past every entry due that
/// owes none.
result<std::vector<core::expiry_candidate>>
sqlite_reader::scan_deferred_candidates(core::time_point updated_before,
                                        std::int64_t limit) {
  static const std::string sql =
    candidate_sql("idx_entries_deferred",
                  "daily_reset_deferred = 1 AND expiry_finalized = 0");
  return candidates(sql, updated_before, limit);
}

result<std::int64_t> sqlite_reader::entry_count() {
  auto n = db_->scalar("SELECT count(*) FROM session_entries");
  if (!n)
    return std::move(n).err();
  return n->value_or(0);
}

} // namespace switchboard::persistence
