// store_reader::search for a query with CJK characters (SPEC 10 "every
// language"; the plan comes from core::plan_cjk_query).
//
// Every message is searched by exactly one path, so the paths never find
// the same message twice (hits are still merged by id, to be sure):
//  - a message with CJK (its row in messages_trigram, schema.cpp) is matched
//    by substring: with the trigram index (MATCH) when every term and CJK
//    run has >= 3 characters, else by an escaped LIKE scan ('%' and '_'
//    literal) of those rows;
//  - a message without CJK can only match a group without CJK terms; when
//    the plan has one, the FTS5 path runs the sanitized query over the
//    messages that have no trigram row.
// Each path fetches the ids and times of its first offset + limit hits in
// the requested order (filters in its SQL); the merge orders them (relevance:
// the CJK path's hits first, by trigram rank, or newest first for LIKE,
// which has none; then the FTS5 path's by rank. newest/oldest: by time) and
// keeps limit hits after offset. Only those are read in full, with a snippet
// from the path that found them: snippet() for MATCH, core::mark_snippet for
// LIKE (content, else tool_name). A path whose SQL SQLite rejects finds
// nothing; search never fails on a query (SPEC 10).

#include "persistence/sqlite_store.hpp"

#include "persistence/store_util.hpp"

#include <algorithm>
#include <limits>
#include <unordered_set>

namespace switchboard::persistence {

namespace {

enum class hit_path { trigram, like, token };

struct hit_key {
  std::int64_t id;
  double timestamp;
  hit_path path;
};

constexpr const char* hit_columns = "SELECT m.id, m.timestamp FROM ";

std::string joins(const char* table) {
  return std::string{" JOIN messages m ON m.id = "} + table +
         ".rowid JOIN sessions s ON s.id = m.session_id";
}

std::string order_sql(core::search_order order, const char* ranked_table) {
  if (order == core::search_order::oldest)
    return " ORDER BY m.timestamp, m.id";
  if (order == core::search_order::relevance && ranked_table)
    return std::string{" ORDER BY "} + ranked_table + ".rank";
  return " ORDER BY m.timestamp DESC, m.id DESC";
}

/// offset + limit, the most hits one path must yield.
std::int64_t wanted(const core::search_query& sq) {
  auto limit = std::max<std::int64_t>(sq.limit, 0);
  auto offset = std::max<std::int64_t>(sq.offset, 0);
  return std::min(offset, std::numeric_limits<std::int64_t>::max() - limit) +
         limit;
}

std::vector<hit_key> collect(statement& s, hit_path path) {
  std::vector<hit_key> out;
  for (auto row = s.step(); row && *row; row = s.step())
    out.push_back({s.int64(0), s.real(1), path});
  return out;
}

/// A MATCH path: `table` MATCH ?1, filters from ?2, limit last.
std::vector<hit_key> match_hits(connection& db, const core::search_query& sq,
                                const char* table, const std::string& match,
                                const char* extra_where, hit_path path) {
  std::size_t next = 2;
  std::string filters = detail::search_filter_sql(sq, next); // advances next
  std::string sql = hit_columns + std::string{table} + joins(table) +
                    " WHERE " + table + " MATCH ?1 AND m.active = 1" +
                    extra_where + filters + order_sql(sq.order, table) +
                    " LIMIT ?" + std::to_string(next);
  auto s = db.cached(sql);
  if (!s)
    return {};
  query q{**s};
  q->bind(1, match);
  q->bind(detail::bind_search_filters(*q, sq, 2), wanted(sq));
  return collect(*q, path);
}

std::string like_term(std::size_t param) {
  auto p = "?" + std::to_string(param);
  return "(coalesce(t.content, '') LIKE " + p +
         " ESCAPE '\\' OR coalesce(t.tool_name, '') LIKE " + p +
         " ESCAPE '\\')";
}

/// The groups as SQL over `t` (messages_trigram), one parameter per term
/// from ?1, and the LIKE patterns to bind to them.
std::string like_groups(const core::cjk_query& plan,
                        std::vector<std::string>& patterns) {
  std::string sql;
  for (const auto& g : plan.groups) {
    std::string group;
    for (const auto* list : {&g.all, &g.none})
      for (const auto& term : *list) {
        patterns.push_back("%" + escape_like(term) + "%");
        group += (group.empty() ? "" : " AND ") +
                 std::string{list == &g.none ? "NOT " : ""} +
                 like_term(patterns.size());
      }
    sql += (sql.empty() ? "(" : " OR (") + group + ")";
  }
  return sql;
}

std::vector<hit_key> like_hits(connection& db, const core::search_query& sq,
                               const core::cjk_query& plan) {
  std::vector<std::string> patterns;
  std::string groups = like_groups(plan, patterns);
  int first_filter = static_cast<int>(patterns.size()) + 1;
  std::size_t next = patterns.size() + 1;
  std::string filters = detail::search_filter_sql(sq, next); // advances next
  std::string sql = hit_columns + std::string{"messages_trigram t"} +
                    joins("t") + " WHERE m.active = 1 AND (" + groups + ")" +
                    filters + order_sql(sq.order, nullptr) + " LIMIT ?" +
                    std::to_string(next);
  // Not cached: the SQL's shape follows the query's terms.
  auto s = db.prepare(sql);
  if (!s)
    return {};
  for (std::size_t i = 0; i < patterns.size(); ++i)
    s->bind(static_cast<int>(i + 1), patterns[i]);
  s->bind(detail::bind_search_filters(*s, sq, first_filter), wanted(sq));
  return collect(*s, hit_path::like);
}

/// The page: both paths' hits in the requested order, each id once, limit
/// hits after offset.
std::vector<hit_key> page_of(std::vector<hit_key> hits,
                             const core::search_query& sq) {
  if (sq.order != core::search_order::relevance) {
    bool newest = sq.order == core::search_order::newest;
    std::stable_sort(
      hits.begin(), hits.end(), [newest](const hit_key& a, const hit_key& b) {
        if (a.timestamp != b.timestamp)
          return newest ? a.timestamp > b.timestamp : a.timestamp < b.timestamp;
        return newest ? a.id > b.id : a.id < b.id;
      });
  }
  std::unordered_set<std::int64_t> seen;
  std::erase_if(hits,
                [&](const hit_key& h) { return !seen.insert(h.id).second; });
  auto offset = static_cast<std::size_t>(std::max<std::int64_t>(sq.offset, 0));
  auto limit = static_cast<std::size_t>(std::max<std::int64_t>(sq.limit, 0));
  if (offset >= hits.size())
    return {};
  hits.erase(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(offset));
  if (hits.size() > limit)
    hits.resize(limit);
  return hits;
}

/// snippet() of a MATCH path's hit.
std::string match_snippet(connection& db, const char* sql,
                          const std::string& match, std::int64_t id) {
  auto s = db.cached(sql);
  if (!s)
    return {};
  query q{**s};
  q->bind(1, match).bind(2, id);
  auto row = q->step();
  return row && *row ? q->text(0) : std::string{};
}

constexpr const char* trigram_snippet_sql =
  "SELECT snippet(messages_trigram, -1, '>>>', '<<<', '...', 40) "
  "FROM messages_trigram WHERE messages_trigram MATCH ?1 AND rowid = ?2";
constexpr const char* token_snippet_sql =
  "SELECT snippet(messages_fts, 0, '>>>', '<<<', '...', 40) "
  "FROM messages_fts WHERE messages_fts MATCH ?1 AND rowid = ?2";

/// A hit's result fields (as the FTS5 path returns them) plus its content.
std::optional<nlohmann::json> hit_row(connection& db, std::int64_t id) {
  auto s = db.cached(
    "SELECT m.id, m.session_id, m.role, m.timestamp, m.tool_name, s.source, "
    "s.model, s.started_at AS session_started, m.content FROM messages m "
    "JOIN sessions s ON s.id = m.session_id WHERE m.id = ?");
  if (!s)
    return std::nullopt;
  query q{**s};
  q->bind(1, id);
  auto row = q->step();
  if (!row || !*row)
    return std::nullopt;
  return detail::row_to_json(*q);
}

std::vector<std::string> all_terms(const core::cjk_query& plan) {
  std::vector<std::string> out;
  for (const auto& g : plan.groups)
    out.insert(out.end(), g.all.begin(), g.all.end());
  return out;
}

/// The LIKE hit's snippet: from content, else from tool_name, else (never
/// expected) the start of content.
std::string like_snippet(const nlohmann::json& row,
                         const std::vector<std::string>& terms) {
  std::string content =
    row["content"].is_string() ? row["content"].get<std::string>() : "";
  if (auto s = core::mark_snippet(content, terms); !s.empty())
    return s;
  if (row["tool_name"].is_string())
    if (auto s = core::mark_snippet(row["tool_name"].get<std::string>(), terms);
        !s.empty())
      return s;
  return detail::utf8_prefix(content, 40);
}

} // namespace

nlohmann::json sqlite_reader::cjk_search(const core::search_query& sq,
                                         const core::cjk_query& plan) {
  std::string trigram = core::trigram_match(plan);
  std::string match = core::sanitize_fts_query(sq.text);
  std::vector<hit_key> hits; // none by substring when there is no group
  if (plan.trigram)
    hits =
      match_hits(*db_, sq, "messages_trigram", trigram, "", hit_path::trigram);
  else if (!plan.groups.empty())
    hits = like_hits(*db_, sq, plan);
  if (plan.token_path && !match.empty()) {
    auto more = match_hits(
      *db_, sq, "messages_fts", match,
      " AND NOT EXISTS (SELECT 1 FROM messages_trigram WHERE rowid = m.id)",
      hit_path::token);
    hits.insert(hits.end(), more.begin(), more.end());
  }
  nlohmann::json out = nlohmann::json::array();
  auto terms = all_terms(plan);
  for (const auto& h : page_of(std::move(hits), sq)) {
    auto row = hit_row(*db_, h.id);
    if (!row)
      continue; // gone since the first query (a reader's snapshot moved)
    if (h.path == hit_path::like)
      (*row)["snippet"] = like_snippet(*row, terms);
    else if (h.path == hit_path::trigram)
      (*row)["snippet"] =
        match_snippet(*db_, trigram_snippet_sql, trigram, h.id);
    else
      (*row)["snippet"] = match_snippet(*db_, token_snippet_sql, match, h.id);
    row->erase("content");
    out.push_back(std::move(*row));
  }
  return out;
}

} // namespace switchboard::persistence
