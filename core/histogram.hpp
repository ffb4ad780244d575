#pragma once

// A small lock-free histogram with fixed logarithmic buckets (no HdrHistogram
// in Debian). Used for latencies and batch sizes; rendered by /metrics in
// Prometheus text format and by the load generator.

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

namespace switchboard::core {

/// Buckets with upper bounds 1, 2, 5, 10, 20, 50, ... (1-2-5 steps) times
/// `unit`, up to 1e9 * unit, plus +Inf. record() is thread-safe and
/// wait-free.
class histogram {
public:
  static constexpr std::size_t bucket_count = 29; // 28 bounds + Inf

  explicit histogram(double unit = 1.0);

  void record(double value);

  struct snapshot {
    std::vector<double> upper_bounds;  // bucket_count - 1 finite bounds
    std::vector<std::uint64_t> counts; // bucket_count, NOT cumulative
    std::uint64_t count = 0;
    double sum = 0;

    /// Upper bound of the bucket holding the q-quantile (0 < q <= 1); the
    /// largest finite bound for values in +Inf; 0 when empty.
    double quantile(double q) const;
  };

  snapshot read() const;

private:
  double unit_;
  std::array<std::atomic<std::uint64_t>, bucket_count> counts_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::int64_t> sum_micro_{0}; // sum * 1e6, for Prometheus _sum
};

} // namespace switchboard::core
