// Which sessions a prune or a retention run deletes (SPEC 11, 13): the one
// selection behind prune(), its dry run and the retention rule, so a dry run
// names exactly what a real run deletes. The rule is core::prune_rule.

#include "persistence/sqlite_store.hpp"

#include "persistence/store_util.hpp"

#include <algorithm>

namespace switchboard::persistence {

using core::result;

result<std::vector<std::string>>
sqlite_reader::select_prunable(const core::prune_rule& rule) {
  const bool by_age = rule.started_before.has_value();
  const bool by_count = rule.keep_newest > 0;
  if (!by_age && !by_count)
    return std::vector<std::string>{};
  // Newest first, so the count rule keeps the first keep_newest rows. With
  // the count rule off only the old rows are read (idx_sessions_started).
  // NOT EXISTS uses idx_entries_session.
  SB_QUERY(q, *db_,
           "SELECT id, started_at FROM sessions s WHERE ended_at IS NOT NULL "
           "AND (?1 IS NULL OR source = ?1) AND NOT EXISTS (SELECT 1 FROM "
           "session_entries e WHERE e.session_id = s.id) AND (?3 > 0 OR "
           "started_at < ?2) ORDER BY started_at DESC, id DESC");
  q->bind(1, rule.source);
  if (by_age)
    q->bind(2, core::to_epoch_seconds(*rule.started_before));
  else
    q->bind_null(2);
  q->bind(3, rule.keep_newest);
  const double cutoff =
    by_age ? core::to_epoch_seconds(*rule.started_before) : 0.0;
  std::vector<std::string> out;
  for (std::int64_t rank = 0;; ++rank) {
    auto row = q->step();
    if (!row)
      return std::move(row).err();
    if (!*row)
      break;
    bool old = by_age && q->real(1) < cutoff;
    bool beyond = by_count && rank >= rule.keep_newest;
    if (old || beyond)
      out.push_back(q->text(0));
  }
  std::reverse(out.begin(), out.end()); // oldest first
  return out;
}

} // namespace switchboard::persistence
