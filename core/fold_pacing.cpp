#include "core/fold_pacing.hpp"

#include <algorithm>
#include <cmath>

namespace switchboard::core {

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

} // namespace switchboard::core
