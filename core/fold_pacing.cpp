#include "core/fold_pacing.hpp"

#include <algorithm>
#include <cmath>

namespace switchboard::core {

fold_pacing fold_pacing_up_to(std::int64_t max_jobs) {
  fold_pacing p;
  p.max_jobs = std::max<std::int64_t>(1, max_jobs);
  p.min_jobs = std::min(p.min_jobs, p.max_jobs);
  return p;
}

std::int64_t next_fold_jobs(const fold_pacing& p, std::int64_t folded_jobs,
                            double fold_seconds) {
  if (folded_jobs <= 0 || !(fold_seconds > 0) || !std::isfinite(fold_seconds))
    return p.max_jobs;
  double per_job = fold_seconds / static_cast<double>(folded_jobs);
  double jobs = p.target_seconds / per_job;
  if (!(jobs < static_cast<double>(p.max_jobs)))
    return p.max_jobs;
  return std::max(p.min_jobs, static_cast<std::int64_t>(jobs));
}

std::int64_t slices_per_sweep(std::int64_t max_slices, std::int64_t jobs,
                              std::int64_t sessions) {
  if (sessions <= 0 || jobs <= sessions)
    return 1;
  auto slices = static_cast<std::int64_t>(
    std::llround(static_cast<double>(jobs) / static_cast<double>(sessions)));
  return std::clamp<std::int64_t>(slices, 1,
                                  std::max<std::int64_t>(1, max_slices));
}

} // namespace switchboard::core
