// Daily usage rollups (SPEC 14, table usage_daily): written next to every
// usage update and by import-hermes, read by GET /v1/usage. See schema.cpp
// for the table's invariants.

#include "persistence/sqlite_store.hpp"

#include "persistence/store_util.hpp"

#include <date/date.h>

namespace switchboard::persistence {

using core::result;
using core::status;

namespace {

struct rollup_key {
  std::string day;
  std::string platform;
  std::string model;
};

std::string day_of(core::time_point at, const core::zone& z) {
  auto local = z.to_local(at);
  return date::format("%F", std::chrono::floor<date::days>(local));
}

/// The model a rollup is filed under: the update's, else the session's.
std::string model_of(const std::optional<std::string>& update_model,
                     const std::optional<std::string>& session_model) {
  if (update_model && !update_model->empty())
    return *update_model;
  if (session_model && !session_model->empty())
    return *session_model;
  return "unknown";
}

status upsert_rollup(connection& db, const rollup_key& k,
                     const core::usage_update& u, std::int64_t updates) {
  SB_QUERY(q, db,
           "INSERT INTO usage_daily (day, platform, model, input_tokens, "
           "output_tokens, cache_read_tokens, cache_write_tokens, "
           "estimated_cost_usd, updates) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
           "?8, ?9) ON CONFLICT(day, platform, model) DO UPDATE SET "
           "input_tokens = input_tokens + ?4, "
           "output_tokens = output_tokens + ?5, "
           "cache_read_tokens = cache_read_tokens + ?6, "
           "cache_write_tokens = cache_write_tokens + ?7, "
           "estimated_cost_usd = estimated_cost_usd + ?8, "
           "updates = updates + ?9");
  q->bind(1, k.day).bind(2, k.platform).bind(3, k.model);
  q->bind(4, u.input_tokens).bind(5, u.output_tokens);
  q->bind(6, u.cache_read_tokens).bind(7, u.cache_write_tokens);
  q->bind(8, u.estimated_cost_usd.value_or(0.0)).bind(9, updates);
  return q->run();
}

/// Steps `q`, bound to session `id`, onto its row; not_found when absent.
status step_to_session(query& q, std::string_view id) {
  auto row = q->step();
  if (!row)
    return std::move(row).err();
  if (!*row)
    return core::not_found("session '" + std::string{id} + "' not found");
  return {};
}

} // namespace

status sqlite_writer::add_rollup(std::string_view id,
                                 const core::usage_update& u,
                                 core::time_point at, std::int64_t updates) {
  SB_QUERY(q, *db_, "SELECT source, model FROM sessions WHERE id = ?");
  q->bind(1, id);
  SB_TRY(step_to_session(q, id));
  rollup_key k{day_of(at, rollup_zone_), q->text(0),
               model_of(u.model, q->opt_text(1))};
  return upsert_rollup(*db_, k, u, updates);
}

status sqlite_writer::roll_up_session(std::string_view id) {
  SB_QUERY(q, *db_,
           "SELECT started_at, input_tokens, output_tokens, cache_read_tokens, "
           "cache_write_tokens, estimated_cost_usd FROM sessions WHERE id = ?");
  q->bind(1, id);
  SB_TRY(step_to_session(q, id));
  core::usage_update u;
  u.input_tokens = q->int64(1);
  u.output_tokens = q->int64(2);
  u.cache_read_tokens = q->int64(3);
  u.cache_write_tokens = q->int64(4);
  u.estimated_cost_usd = q->real(5); // NULL reads as 0
  if (u.input_tokens == 0 && u.output_tokens == 0 && u.cache_read_tokens == 0 &&
      u.cache_write_tokens == 0 && *u.estimated_cost_usd == 0.0)
    return {}; // nothing was used: no rollup row
  auto started = core::from_epoch_seconds(q->real(0));
  return add_rollup(id, u, started, 1);
}

namespace {

std::string_view group_column(core::usage_group g) {
  switch (g) {
    case core::usage_group::day:
      return "day";
    case core::usage_group::platform:
      return "platform";
    case core::usage_group::model:
      return "model";
  }
  return "day";
}

std::string usage_sql(core::usage_group g) {
  std::string col{group_column(g)};
  return "SELECT " + col +
         ", sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), "
         "sum(cache_write_tokens), sum(estimated_cost_usd), sum(updates) "
         "FROM usage_daily WHERE (?1 IS NULL OR day >= ?1) AND "
         "(?2 IS NULL OR day <= ?2) GROUP BY " +
         col + " ORDER BY " + col;
}

} // namespace

result<std::vector<core::usage_row>>
sqlite_reader::usage(const core::usage_query& uq) {
  SB_QUERY(q, *db_, usage_sql(uq.group_by));
  q->bind(1, uq.from).bind(2, uq.to);
  std::vector<core::usage_row> out;
  for (;;) {
    auto row = q->step();
    if (!row)
      return std::move(row).err();
    if (!*row)
      return out;
    out.push_back({q->text(0), q->int64(1), q->int64(2), q->int64(3),
                   q->int64(4), q->real(5), q->int64(6)});
  }
}

} // namespace switchboard::persistence
