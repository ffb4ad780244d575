#pragma once

// How many jobs the writer lets the derived state fall behind before it
// folds it in (actors/writer.cpp, persistence/derived_state.cpp).
//
// Why adaptive: a fold stalls the writer for its whole length, and what it
// costs per job depends on how many keys the jobs spread over. Measured in
// session 12 (engine_bench, 1000 in flight, same run): at 1k keys a fold has
// a large fixed part (every active session's row), so folds of 5,000 jobs
// cost 9% of the rate against 20,000; at 100k keys a fold costs ~12 us per
// job whatever its size, so 20,000 jobs stall for ~200-300 ms (the p99)
// while 5,000 give the same rate and half the p99. Sizing the next fold by
// the last one's cost per job, for a target length, gets both.
//
// Why sweeps in slices: a fold stalled the writer for its whole length
// (~50 ms), and every request that arrived meanwhile waited for it: without
// folds wrk's single-message p99 was 16-17 ms, with them 60-65 ms (session
// 13, same run). So a fold is a sweep over the sessions with unfolded
// messages, cut into slices, one after each batch. But each slice's COMMIT
// writes again the pages its sessions share with the other slices' (the
// entries, their updated_at indexes, the sessions rows: not in session
// order), and without coalescing that is most of the cost: at 100k keys (a
// session per job) ~40 slices of ~1,200 sessions per sweep cut the engine's
// rate from 45k to 29-39k msgs/s (same run). At 1k keys (20 jobs per
// session) 10 slices cost nothing. So a sweep gets about as many slices as
// the last one had jobs per session.
//
// Contract: fold_pacing_up_to(), next_fold_jobs() and slices_per_sweep()
// are pure.
// next_fold_jobs() returns the number of jobs that would take
// `target_seconds` at the last sweep's cost per job, clamped to [min_jobs,
// max_jobs]; max_jobs when the last sweep gives no cost (no jobs or no time
// measured). slices_per_sweep() returns jobs / sessions rounded, within
// [1, max_slices]; 1 without sessions.

#include <cstdint>

namespace switchboard::core {

struct fold_pacing {
  std::int64_t min_jobs = 2000;
  std::int64_t max_jobs = 20000;
  double target_seconds = 0.05;
};

/// The default pacing with `max_jobs` (writer.fold_max_jobs, >= 1) as its
/// ceiling, and as its floor too when it is below the default floor.
fold_pacing fold_pacing_up_to(std::int64_t max_jobs);

std::int64_t next_fold_jobs(const fold_pacing& p, std::int64_t folded_jobs,
                            double fold_seconds);

std::int64_t slices_per_sweep(std::int64_t max_slices, std::int64_t jobs,
                              std::int64_t sessions);

} // namespace switchboard::core
