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
// Contract: next_fold_jobs() is pure. It returns the number of jobs that
// would take `target_seconds` at the last fold's cost per job, clamped to
// [min_jobs, max_jobs]; max_jobs when the last fold gives no cost (no jobs
// or no time measured).

#include <cstdint>

namespace switchboard::core {

struct fold_pacing {
  std::int64_t min_jobs = 2000;
  std::int64_t max_jobs = 20000;
  double target_seconds = 0.05;
};

std::int64_t next_fold_jobs(const fold_pacing& p, std::int64_t folded_jobs,
                            double fold_seconds);

} // namespace switchboard::core
