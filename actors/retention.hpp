#pragma once

// Actors-private: prune and retention runs (SPEC 11, 13) as write jobs, so
// the engine (POST /v1/admin/prune) and the supervisor (its retention timer,
// POST /v1/admin/retention) share one selection and one way of logging and
// counting a run. No CAF here.

#include "actors/runtime.hpp"
#include "actors/session_ops.hpp"

#include <memory>
#include <string_view>

namespace switchboard::actors {

/// The rule of a manual prune: started more than older_than_days before
/// `now`; 0 days means every ended session (no age limit at all, so even a
/// session whose start lies ahead of a manual clock is included).
core::prune_rule prune_rule_of(const prune_request& r, core::time_point now);

/// The retention rule at `now`: the age limit (max_age_days, 0 = off) and
/// the count limit (max_ended_sessions, 0 = off) in one selection.
core::prune_rule retention_rule(const core::retention_settings& s,
                                core::time_point now);

/// A write job body that runs store_writer::prune(rule, dry_run) and keeps
/// the ids in `out` (overwritten if the writer runs it again).
write_fn prune_job(core::prune_rule rule, bool dry_run,
                   std::shared_ptr<prune_report> out);

/// Logs a finished run (`what`: "prune" or "retention") with its count and
/// moves the counters (dry runs are logged, not counted as pruned).
void record_prune(runtime& rt, std::string_view what, const prune_report& r);
/// Logs a run that failed (nothing was deleted).
void record_prune_failure(std::string_view what, const core::error& e);

} // namespace switchboard::actors
