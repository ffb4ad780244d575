// store_reader on SQLite: session rows, id prefixes, titles, compression
// chains and history (SPEC 6, 11, 11b).

#include "persistence/sqlite_store.hpp"

#include "core/title.hpp"
#include "persistence/store_util.hpp"

namespace switchboard::persistence {

using core::result;
using core::status;

namespace {

// At most this many compression hops are followed (SPEC 11b).
constexpr int max_chain_hops = 100;
// At most this many candidates are listed for an ambiguous prefix.
constexpr std::size_t max_prefix_candidates = 10;

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v)
    out += (out.empty() ? "" : ", ") + s;
  return out;
}

} // namespace

result<std::optional<nlohmann::json>>
sqlite_reader::get_session(std::string_view id) {
  detail::snapshot snap(*db_);
  SB_QUERY(q, *db_, "SELECT * FROM sessions WHERE id = ?");
  q->bind(1, id);
  auto row = q->step();
  if (!row)
    return std::move(row).err();
  if (!*row)
    return std::optional<nlohmann::json>{};
  auto j = detail::row_to_json(*q);
  SB_TRY(add_pending(j));
  return std::optional<nlohmann::json>{std::move(j)};
}

result<std::string> sqlite_reader::resolve_session_id(std::string_view prefix) {
  SB_QUERY(exact, *db_, "SELECT id FROM sessions WHERE id = ?");
  exact->bind(1, prefix);
  auto row = exact->step();
  if (!row)
    return std::move(row).err();
  if (*row)
    return exact->text(0);
  SB_QUERY(q, *db_,
           "SELECT id FROM sessions WHERE id LIKE ? ESCAPE '\\' "
           "ORDER BY started_at DESC LIMIT ?");
  q->bind(1, escape_like(prefix) + "%")
    .bind(2, static_cast<std::int64_t>(max_prefix_candidates + 1));
  std::vector<std::string> ids;
  for (row = q->step(); row && *row; row = q->step())
    ids.push_back(q->text(0));
  if (!row)
    return std::move(row).err();
  if (ids.empty())
    return core::not_found("no session id starts with '" + std::string{prefix} +
                           "'");
  if (ids.size() == 1)
    return ids.front();
  if (ids.size() > max_prefix_candidates)
    ids.back() = "...";
  return core::bad_request("ambiguous session id prefix '" +
                           std::string{prefix} + "': " + join(ids));
}

result<std::vector<std::string>>
sqlite_reader::title_candidates(std::string_view base) {
  SB_QUERY(q, *db_,
           "SELECT title FROM sessions WHERE title = ? OR title LIKE ? "
           "ESCAPE '\\'");
  q->bind(1, base).bind(2, escape_like(base) + " #%");
  std::vector<std::string> titles;
  auto row = q->step();
  for (; row && *row; row = q->step())
    titles.push_back(q->text(0));
  if (!row)
    return std::move(row).err();
  return titles;
}

result<std::string> sqlite_reader::next_title(std::string_view title) {
  auto split = core::split_numbered_title(title);
  std::string base = split ? split->base : std::string{title};
  auto existing = title_candidates(base);
  if (!existing)
    return std::move(existing).err();
  return core::next_title_in_lineage(title, *existing);
}

result<std::optional<std::string>>
sqlite_reader::resolve_title(std::string_view title) {
  SB_QUERY(q, *db_,
           "SELECT id, title, started_at FROM sessions WHERE title = ? "
           "OR title LIKE ? ESCAPE '\\'");
  q->bind(1, title).bind(2, escape_like(title) + " #%");
  std::vector<core::titled_session> candidates;
  auto row = q->step();
  for (; row && *row; row = q->step())
    candidates.push_back({q->text(0), q->text(1), q->real(2)});
  if (!row)
    return std::move(row).err();
  return core::resolve_by_title(title, candidates);
}

result<std::string> sqlite_reader::compression_tip(std::string_view id) {
  SB_QUERY(q, *db_,
           "SELECT c.id FROM sessions p JOIN sessions c "
           "ON c.parent_session_id = p.id WHERE p.id = ? "
           "AND p.end_reason = 'compression' "
           "ORDER BY c.started_at DESC, c.id DESC LIMIT 1");
  auto exists = get_session(id);
  if (!exists)
    return std::move(exists).err();
  if (!*exists)
    return core::not_found("session '" + std::string{id} + "' not found");
  std::string tip{id};
  for (int hop = 0; hop < max_chain_hops; ++hop) {
    q->bind(1, tip);
    auto row = q->step();
    if (!row)
      return std::move(row).err();
    if (!*row)
      break;
    tip = q->text(0);
    q->done();
  }
  return tip;
}

result<std::optional<std::string>>
sqlite_reader::parent_in_chain(std::string_view id) {
  SB_QUERY(q, *db_,
           "SELECT p.id FROM sessions c JOIN sessions p "
           "ON p.id = c.parent_session_id WHERE c.id = ? "
           "AND p.end_reason = 'compression'");
  q->bind(1, id);
  auto row = q->step();
  if (!row)
    return std::move(row).err();
  if (!*row)
    return std::optional<std::string>{};
  return std::optional<std::string>{q->text(0)};
}

result<std::int64_t>
sqlite_reader::session_count(std::optional<std::string> source) {
  SB_QUERY(q, *db_,
           "SELECT count(*) FROM sessions WHERE ?1 IS NULL OR source = ?1");
  q->bind(1, source);
  auto row = q->step();
  if (!row)
    return std::move(row).err();
  return q->int64(0);
}

} // namespace switchboard::persistence
