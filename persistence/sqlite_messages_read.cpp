// store_reader on SQLite: transcripts, history, search and export
// (SPEC 10, 11, 11b). Only active messages are returned, except by
// export_session_all (every row, marked by its active column).

#include "persistence/sqlite_store.hpp"

#include "core/fts_query.hpp"
#include "core/text_chars.hpp"
#include "core/title.hpp"
#include "persistence/store_util.hpp"

#include <algorithm>

namespace switchboard::persistence {

using core::result;
using core::status;

namespace {

constexpr int max_chain_hops = 100;
constexpr std::size_t preview_chars = 60;
constexpr std::size_t context_chars = 200;

core::message read_message(const statement& s) {
  core::message m;
  m.role = s.text(0);
  m.content = s.opt_text(1);
  m.tool_call_id = s.opt_text(2);
  m.tool_calls = detail::parse_json_text(s.opt_text(3));
  m.tool_name = s.opt_text(4);
  m.reasoning = s.opt_text(5);
  m.reasoning_details = detail::parse_json_text(s.opt_text(6));
  m.codex_reasoning_items = detail::parse_json_text(s.opt_text(7));
  return m;
}

// The seed's preview: trimmed, first 60 characters, "..." when longer.
std::string preview_of(std::string raw) {
  auto first = raw.find_first_not_of(" \t\n\r\f\v");
  if (first == std::string::npos)
    return {};
  raw = raw.substr(first, raw.find_last_not_of(" \t\n\r\f\v") - first + 1);
  std::string text = detail::utf8_prefix(raw, preview_chars);
  return detail::utf8_length(raw) > preview_chars ? text + "..." : text;
}

// The title a history row is shown with: its own, else title_from(first user
// message) (SPEC 6), else null.
nlohmann::json display_title(const nlohmann::json& row) {
  if (row["title"].is_string())
    return row["title"];
  if (!row["_title_source"].is_string())
    return nullptr;
  auto t =
    core::title_from({{"user", row["_title_source"].get<std::string>()}});
  return t ? nlohmann::json(*t) : nlohmann::json(nullptr);
}

/// A full `messages` row (export form): every column, tool_calls decoded.
nlohmann::json stored_row(const statement& q) {
  auto j = detail::row_to_json(q);
  if (j["tool_calls"].is_string())
    if (auto tc = detail::parse_json_text(j["tool_calls"].get<std::string>()))
      j["tool_calls"] = std::move(*tc);
  return j;
}

} // namespace

result<nlohmann::json> sqlite_reader::active_messages(std::string_view id,
                                                      bool conversation) {
  SB_QUERY(conv, *db_,
           "SELECT role, content, tool_call_id, tool_calls, tool_name, "
           "reasoning, reasoning_details, codex_reasoning_items FROM messages "
           "WHERE id IN " SB_SESSION_MESSAGE_IDS(
             "?1") " AND active = 1 ORDER BY timestamp, id");
  SB_QUERY(full, *db_,
           "SELECT * FROM messages WHERE id IN " SB_SESSION_MESSAGE_IDS(
             "?1") " AND active = 1 ORDER BY timestamp, id");
  statement& q = conversation ? *conv : *full;
  q.bind(1, id);
  nlohmann::json out = nlohmann::json::array();
  for (;;) {
    auto row = q.step();
    if (!row)
      return std::move(row).err();
    if (!*row)
      return out;
    if (conversation) {
      out.push_back(core::to_conversation_json(read_message(q)));
      continue;
    }
    out.push_back(stored_row(q));
  }
}

result<nlohmann::json> sqlite_reader::transcript(std::string_view id,
                                                 bool stitch) {
  auto session = get_session(id);
  if (!session)
    return std::move(session).err();
  if (!*session)
    return core::not_found("session '" + std::string{id} + "' not found");
  std::vector<std::string> chain{std::string{id}};
  while (stitch && chain.size() <= max_chain_hops) {
    auto parent = parent_in_chain(chain.back());
    if (!parent)
      return std::move(parent).err();
    if (!*parent)
      break;
    chain.push_back(std::move(**parent));
  }
  nlohmann::json out = nlohmann::json::array();
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    auto msgs = active_messages(*it, true);
    if (!msgs)
      return std::move(msgs).err();
    for (auto& m : *msgs)
      out.push_back(std::move(m));
  }
  return out;
}

result<nlohmann::json> sqlite_reader::history(const core::history_query& hq) {
  detail::snapshot snap(*db_);
  std::string sql =
    "SELECT s.*, COALESCE((SELECT SUBSTR(REPLACE(REPLACE(m1.content, X'0A', "
    "' '), X'0D', ' '), 1, 63) FROM messages m1 WHERE m1.id "
    "= " SB_SESSION_EDGE_MESSAGE(
      "s.id",
      "m.role = 'user' AND m.content IS NOT NULL AND "
      "m.active = 1",
      "") "), '') AS _preview_raw, "
          "COALESCE((SELECT m2.timestamp FROM messages m2 WHERE m2.id "
          "= " SB_SESSION_EDGE_MESSAGE(
            "s.id", "m.active = 1",
            "DESC") "), "
                    "s.started_at) AS last_active, "
                    // Enough of the first non-blank user message for
                    // title_from's 64 code points (SPEC 6), however much
                    // whitespace it starts with.
                    "(SELECT SUBSTR(LTRIM(m3.content, ' ' || char(9, 10, 11, "
                    "12, 13)), 1, 512) "
                    "FROM messages m3 WHERE m3.id = " SB_SESSION_EDGE_MESSAGE(
                      "s.id",
                      "m.role = 'user' AND m.active = 1 AND "
                      "LENGTH(TRIM(m.content, ' ' || "
                      "char(9, 10, 11, 12, 13))) > 0",
                      "") ") AS _title_source "
                          "FROM sessions s WHERE (?1 IS NULL OR "
                          "s.source = ?1) "
                          "AND (?4 IS NULL OR s.user_id = ?4) AND (?5 "
                          "IS NULL OR s.session_key = ?5)";
  // Its own clause only when asked: "?N IS NULL OR ..." would defeat
  // idx_sessions_parent.
  if (hq.parent_session_id)
    sql += " AND s.parent_session_id = ?6";
  if (!hq.exclude_sources.empty())
    sql += " AND s.source NOT IN (" +
           detail::placeholders(hq.exclude_sources.size(), 7) + ")";
  sql += " ORDER BY s.started_at DESC LIMIT ?2 OFFSET ?3";
  SB_QUERY(q, *db_, sql);
  q->bind(1, hq.source).bind(2, hq.limit).bind(3, hq.offset);
  q->bind(4, hq.user_id).bind(5, hq.session_key);
  if (hq.parent_session_id)
    q->bind(6, *hq.parent_session_id);
  for (std::size_t i = 0; i < hq.exclude_sources.size(); ++i)
    q->bind(static_cast<int>(i + 7), hq.exclude_sources[i]);
  nlohmann::json out = nlohmann::json::array();
  for (;;) {
    auto row = q->step();
    if (!row)
      return std::move(row).err();
    if (!*row)
      return out;
    auto j = detail::row_to_json(*q);
    SB_TRY(add_pending(j));
    j["preview"] = preview_of(j["_preview_raw"].get<std::string>());
    j["display_title"] = display_title(j);
    j.erase("_preview_raw");
    j.erase("_title_source");
    out.push_back(std::move(j));
  }
}

namespace {

std::string search_sql(const core::search_query& sq) {
  std::string sql =
    "SELECT m.id, m.session_id, m.role, "
    "snippet(messages_fts, 0, '>>>', '<<<', '...', 40) AS snippet, "
    "m.timestamp, m.tool_name, s.source, s.model, "
    "s.started_at AS session_started FROM messages_fts "
    "JOIN messages m ON m.id = messages_fts.rowid "
    "JOIN sessions s ON s.id = m.session_id "
    "WHERE messages_fts MATCH ?1 AND m.active = 1";
  std::size_t next = 2;
  sql += detail::search_filter_sql(sq, next);
  switch (sq.order) {
    case core::search_order::relevance:
      sql += " ORDER BY rank";
      break;
    case core::search_order::newest:
      sql += " ORDER BY m.timestamp DESC, m.id DESC";
      break;
    case core::search_order::oldest:
      sql += " ORDER BY m.timestamp, m.id";
      break;
  }
  return sql + " LIMIT ?" + std::to_string(next) + " OFFSET ?" +
         std::to_string(next + 1);
}

void bind_search(statement& s, const core::search_query& sq,
                 const std::string& match) {
  s.bind(1, match);
  int i = detail::bind_search_filters(s, sq, 2);
  s.bind(i++, std::max<std::int64_t>(sq.limit, 0));
  s.bind(i, std::max<std::int64_t>(sq.offset, 0));
}

} // namespace

result<nlohmann::json>
sqlite_reader::search_context(std::string_view session_id, std::int64_t id) {
  // The active message before, the match, and the active message after.
  SB_QUERY(q, *db_,
           "SELECT role, content FROM (SELECT id, role, content FROM messages "
           "WHERE id IN " SB_SESSION_MESSAGE_IDS(
             "?1") " AND active = 1 AND id < ?2 "
                   "ORDER BY id DESC LIMIT 1) UNION ALL SELECT role, content "
                   "FROM (SELECT id, role, content FROM messages WHERE id = "
                   "?2) UNION ALL SELECT role, content FROM (SELECT id, role, "
                   "content FROM messages WHERE id IN " SB_SESSION_MESSAGE_IDS(
                     "?1") " AND active = 1 AND id > ?2 ORDER BY id LIMIT 1)");
  q->bind(1, session_id).bind(2, id);
  nlohmann::json out = nlohmann::json::array();
  for (;;) {
    auto row = q->step();
    if (!row)
      return std::move(row).err();
    if (!*row)
      return out;
    out.push_back(
      {{"role", q->text(0)},
       {"content", detail::utf8_prefix(q->text(1), context_chars)}});
  }
}

nlohmann::json sqlite_reader::token_search(const core::search_query& sq) {
  std::string match = core::sanitize_fts_query(sq.text);
  nlohmann::json out = nlohmann::json::array();
  if (match.empty())
    return out;
  auto s = db_->cached(search_sql(sq));
  if (!s)
    return out; // a query SQLite rejects finds nothing (SPEC 10)
  query q{**s};
  bind_search(*q, sq, match);
  for (auto row = q->step(); row && *row; row = q->step()) {
    auto j = detail::row_to_json(*q);
    j.erase("content");
    out.push_back(std::move(j));
  }
  return out;
}

result<nlohmann::json> sqlite_reader::search(const core::search_query& sq) {
  // A query without CJK characters takes the FTS5 path alone, as always.
  auto cjk =
    core::contains_cjk(sq.text) ? core::plan_cjk_query(sq.text) : std::nullopt;
  nlohmann::json out = cjk ? cjk_search(sq, *cjk) : token_search(sq);
  for (auto& hit : out) {
    auto ctx = search_context(hit["session_id"].get<std::string>(),
                              hit["id"].get<std::int64_t>());
    hit["context"] = ctx ? std::move(*ctx) : nlohmann::json::array();
  }
  return out;
}

namespace {

/// `session` (a sessions row, or nullopt) with "messages" = what `load`
/// reads.
template <class Load>
result<std::optional<nlohmann::json>>
with_messages(result<std::optional<nlohmann::json>> session, Load load) {
  if (!session || !*session)
    return session;
  auto msgs = load();
  if (!msgs)
    return std::move(msgs).err();
  (**session)["messages"] = std::move(*msgs);
  return session;
}

/// Every message row of a session, active or not, oldest first.
result<nlohmann::json> every_message(connection& db, std::string_view id) {
  SB_QUERY(q, db,
           "SELECT * FROM messages WHERE id IN " SB_SESSION_MESSAGE_IDS(
             "?1") " ORDER BY timestamp, id");
  q->bind(1, id);
  auto rows = nlohmann::json::array();
  auto row = q->step();
  for (; row && *row; row = q->step())
    rows.push_back(stored_row(*q));
  if (!row)
    return std::move(row).err();
  return rows;
}

} // namespace

result<std::optional<nlohmann::json>>
sqlite_reader::export_session(std::string_view id) {
  detail::snapshot snap(*db_);
  return with_messages(get_session(id),
                       [&] { return active_messages(id, false); });
}

result<std::optional<nlohmann::json>>
sqlite_reader::export_session_all(std::string_view id) {
  detail::snapshot snap(*db_);
  return with_messages(get_session(id),
                       [&] { return every_message(*db_, id); });
}

status sqlite_reader::export_all(
  std::optional<std::string> source,
  const std::function<void(const nlohmann::json&)>& sink) {
  std::vector<std::string> ids;
  {
    SB_QUERY(q, *db_,
             "SELECT id FROM sessions WHERE ?1 IS NULL OR source = ?1 "
             "ORDER BY started_at DESC");
    q->bind(1, source);
    auto row = q->step();
    for (; row && *row; row = q->step())
      ids.push_back(q->text(0));
    if (!row)
      return std::move(row).err();
  }
  for (const auto& id : ids) {
    auto one = export_session(id);
    if (!one)
      return std::move(one).err();
    if (*one)
      sink(**one);
  }
  return {};
}

result<std::int64_t>
sqlite_reader::message_count(std::optional<std::string> session_id) {
  // Two statements: "?1 IS NULL OR ..." would defeat the session's index.
  if (!session_id) {
    auto n = db_->scalar("SELECT count(*) FROM messages WHERE active = 1");
    if (!n)
      return std::move(n).err();
    return n->value_or(0);
  }
  SB_QUERY(q, *db_,
           "SELECT count(*) FROM messages WHERE id IN " SB_SESSION_MESSAGE_IDS(
             "?1") " AND active = 1");
  q->bind(1, *session_id);
  auto row = q->step();
  if (!row)
    return std::move(row).err();
  return q->int64(0);
}

} // namespace switchboard::persistence
