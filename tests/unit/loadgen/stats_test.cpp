// The load generator's statistics: quantiles, per-second series, histogram.

#include "loadgen/stats.hpp"

#include <gtest/gtest.h>

namespace lg = switchboard::loadgen;

TEST(LoadgenStatsTest, NearestRankQuantiles) {
  std::vector<float> v;
  for (int i = 100; i >= 1; --i)
    v.push_back(static_cast<float>(i));
  auto s = lg::summarize(v);
  EXPECT_EQ(s.p50, 50);
  EXPECT_EQ(s.p90, 90);
  EXPECT_EQ(s.p99, 99);
  EXPECT_EQ(s.max, 100);
  std::vector<float> none;
  EXPECT_EQ(lg::summarize(none).max, 0);
}

TEST(LoadgenStatsTest, SeriesBucketsBySecond) {
  lg::recorder r;
  r.record(0.5, 1.0, 1, true);
  r.record(0.7, 3.0, 2, true);
  r.record(2.1, 5.0, 0, false);
  r.record_errors(2.2, 3);
  auto s = r.series();
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].acked, 3);
  EXPECT_EQ(s[0].p99, 3.0);
  EXPECT_EQ(s[1].acked, 0);
  EXPECT_EQ(s[2].errors, 4);
  EXPECT_EQ(r.acked(), 3);
  EXPECT_EQ(r.errors(), 4);
  EXPECT_EQ(r.all_latencies().size(), 3u);
}

TEST(LoadgenStatsTest, HistogramCountsEveryValue) {
  std::vector<float> v = {0.05f, 0.05f, 1.0f, 20.0f, 20.0f, 20.0f};
  auto h = lg::log_histogram(v);
  std::int64_t total = 0;
  for (const auto& b : h)
    total += b.count;
  EXPECT_EQ(total, 6);
  EXPECT_GE(h.back().upper_ms, 20.0);
}

TEST(LoadgenStatsTest, RunningLatencyIsTheBucketBoundAboveTheExactValue) {
  lg::recorder r;
  std::vector<float> all;
  for (int i = 1; i <= 1000; ++i) {
    r.record(0, i * 0.1, 1, true);
    all.push_back(static_cast<float>(i * 0.1));
  }
  auto exact = lg::summarize(all);
  auto run = r.running_latency();
  EXPECT_FLOAT_EQ(run.max, 100.0f);
  for (auto [approx, want] :
       {std::pair{run.p50, exact.p50}, std::pair{run.p90, exact.p90},
        std::pair{run.p99, exact.p99}}) {
    EXPECT_GE(approx, want * 0.999);
    EXPECT_LE(approx, want * 1.26);
  }
  EXPECT_EQ(lg::recorder{}.running_latency().p99, 0);
}
