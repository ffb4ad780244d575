// The writer's fold size (core/fold_pacing.hpp): the next fold is sized to
// the target length at the last fold's cost per job, within the bounds.

#include "core/fold_pacing.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace switchboard::core {
namespace {

const fold_pacing pacing_50ms{2000, 20000, 0.05};

TEST(FoldPacingTest, ACheapFoldKeepsTheLargestSize) {
  // 20,000 jobs in 20 ms: 1 us per job, so 50,000 would fit; capped.
  EXPECT_EQ(next_fold_jobs(pacing_50ms, 20000, 0.02), 20000);
}

TEST(FoldPacingTest, AnExpensiveFoldShrinksTheNextOne) {
  // 100k keys: 20,000 jobs in 200 ms is 10 us per job; 50 ms is 5,000 jobs.
  EXPECT_EQ(next_fold_jobs(pacing_50ms, 20000, 0.2), 5000);
}

TEST(FoldPacingTest, ACheaperFoldGrowsItBackTowardsTheTarget) {
  // 5,000 jobs in 20 ms is 4 us per job: 12,500 fit in 50 ms.
  EXPECT_EQ(next_fold_jobs(pacing_50ms, 5000, 0.02), 12500);
}

TEST(FoldPacingTest, TheSizeStaysWithinItsBounds) {
  EXPECT_EQ(next_fold_jobs(pacing_50ms, 100, 1.0), 2000); // 10 ms per job
  EXPECT_EQ(next_fold_jobs(pacing_50ms, 1, 1e-9), 20000); // next to nothing
}

TEST(FoldPacingTest, AFoldWithoutACostGivesTheLargestSize) {
  EXPECT_EQ(next_fold_jobs(pacing_50ms, 0, 0.1), 20000);
  EXPECT_EQ(next_fold_jobs(pacing_50ms, 5000, 0.0), 20000);
  EXPECT_EQ(next_fold_jobs(pacing_50ms, 5000, -1.0), 20000);
  EXPECT_EQ(
    next_fold_jobs(pacing_50ms, 5000, std::numeric_limits<double>::quiet_NaN()),
    20000);
  EXPECT_EQ(
    next_fold_jobs(pacing_50ms, 5000, std::numeric_limits<double>::infinity()),
    20000);
}

TEST(FoldPacingTest, ASweepHasAsManySlicesAsJobsPerSession) {
  EXPECT_EQ(slices_per_sweep(16, 20000, 8600), 2);  // 2.3 jobs per session
  EXPECT_EQ(slices_per_sweep(16, 20000, 2000), 10); // 10
  EXPECT_EQ(slices_per_sweep(16, 20000, 1000), 16); // 20: at most 16
}

TEST(FoldPacingTest, ASweepWithoutCoalescingIsOneSlice) {
  EXPECT_EQ(slices_per_sweep(16, 4000, 3900), 1); // 100k keys
  EXPECT_EQ(slices_per_sweep(16, 100, 100), 1);
  EXPECT_EQ(slices_per_sweep(16, 0, 0), 1); // no sweep measured yet
  EXPECT_EQ(slices_per_sweep(16, 5000, 0), 1);
}

} // namespace
} // namespace switchboard::core
