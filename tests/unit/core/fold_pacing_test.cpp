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

TEST(FoldPacingTest, FoldMaxJobsCapsEveryFold) {
  // writer.fold_max_jobs: the default 20,000 is the default pacing.
  auto d = fold_pacing_up_to(20000);
  EXPECT_EQ(d.min_jobs, fold_pacing{}.min_jobs);
  EXPECT_EQ(d.max_jobs, fold_pacing{}.max_jobs);
  EXPECT_EQ(d.target_seconds, fold_pacing{}.target_seconds);
  // Above the floor it moves only the ceiling.
  auto mid = fold_pacing_up_to(5000);
  EXPECT_EQ(mid.min_jobs, 2000);
  EXPECT_EQ(next_fold_jobs(mid, 20000, 0.001), 5000); // cheap: capped
  EXPECT_EQ(next_fold_jobs(mid, 100, 1.0), 2000);     // dear: the floor
  // Below the floor it is the floor too: every fold is that size.
  auto low = fold_pacing_up_to(16);
  EXPECT_EQ(next_fold_jobs(low, 20000, 0.001), 16);
  EXPECT_EQ(next_fold_jobs(low, 100, 1.0), 16);
  EXPECT_EQ(next_fold_jobs(low, 0, 0.0), 16);
  EXPECT_EQ(fold_pacing_up_to(0).max_jobs, 1); // never a fold of nothing
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
