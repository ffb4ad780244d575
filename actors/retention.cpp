#include "actors/retention.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace switchboard::actors {

namespace {

core::duration days(double n) {
  return std::chrono::duration_cast<core::duration>(
    std::chrono::duration<double>(n * 86400.0));
}

} // namespace

core::prune_rule prune_rule_of(const prune_request& r, core::time_point now) {
  core::prune_rule rule;
  rule.source = r.source;
  rule.started_before = r.older_than_days > 0 ? now - days(r.older_than_days)
                                              : core::time_point::max();
  return rule;
}

core::prune_rule retention_rule(const core::retention_settings& s,
                                core::time_point now) {
  core::prune_rule rule;
  if (s.max_age_days > 0)
    rule.started_before = now - days(static_cast<double>(s.max_age_days));
  rule.keep_newest = s.max_ended_sessions;
  return rule;
}

write_fn prune_job(core::prune_rule rule, bool dry_run,
                   std::shared_ptr<prune_report> out) {
  return [rule = std::move(rule), dry_run,
          out = std::move(out)](core::store_writer& w) -> core::status {
    auto ids = w.prune(rule, dry_run);
    if (!ids)
      return ids.err();
    out->dry_run = dry_run;
    out->pruned = static_cast<std::int64_t>(ids->size());
    out->session_ids = std::move(*ids);
    return {};
  };
}

void record_prune(runtime& rt, std::string_view what, const prune_report& r) {
  if (what == "retention")
    rt.stats.retention_runs.fetch_add(1, std::memory_order_relaxed);
  if (r.dry_run) {
    spdlog::info("{} (dry run): would delete {} ended sessions", what,
                 r.pruned);
    return;
  }
  rt.stats.sessions_pruned.fetch_add(r.pruned, std::memory_order_relaxed);
  spdlog::info("{}: deleted {} ended sessions", what, r.pruned);
}

void record_prune_failure(std::string_view what, const core::error& e) {
  spdlog::warn("{}: failed, nothing deleted: {}", what, e.message);
}

} // namespace switchboard::actors
