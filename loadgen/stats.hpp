#pragma once

// What the load generator measures: every request's latency, bucketed by the
// second of the run it completed in, and the counts the summary reports.
// Thread-safe (one mutex; a record is a push_back and a bucket count).

#include <cstdint>
#include <mutex>
#include <vector>

namespace switchboard::loadgen {

struct latency_summary {
  double p50 = 0, p90 = 0, p99 = 0, max = 0; // milliseconds
};

/// The q-quantile (0..1, nearest rank) of `sorted`; 0 when empty.
double quantile(const std::vector<float>& sorted, double q);
/// p50/p90/p99/max of unsorted values (sorted in place).
latency_summary summarize(std::vector<float>& values);

struct second_stats {
  std::int64_t acked = 0;  // messages acknowledged in this second
  std::int64_t errors = 0; // failed requests
  double p50 = 0, p99 = 0; // request latency in ms
};

/// A log-scale latency histogram (10 buckets per decade from 0.01 ms).
struct histogram_bucket {
  double upper_ms = 0;
  std::int64_t count = 0;
};
std::vector<histogram_bucket> log_histogram(const std::vector<float>& sorted);

class recorder {
public:
  /// One request finished `at_seconds` after the run started, after
  /// `latency_ms`, carrying `acked` messages (0 when it failed).
  void record(double at_seconds, double latency_ms, std::int64_t acked,
              bool ok);
  /// Messages that failed inside an otherwise answered request (batches).
  void record_errors(double at_seconds, std::int64_t errors);

  /// Per second of the run (index = second).
  std::vector<second_stats> series() const;
  /// Stats of second `s` (zero when nothing was recorded then).
  second_stats second(std::size_t s) const;
  /// Every latency recorded, sorted.
  std::vector<float> all_latencies() const;
  std::int64_t acked() const;
  std::int64_t errors() const;
  /// p50/p90/p99/max of every latency so far, cheap enough to call every
  /// second during a run: each quantile is the upper bound of its
  /// log_histogram bucket (at most 26% above the exact value); max exact.
  latency_summary running_latency() const;

private:
  struct bucket {
    std::int64_t acked = 0;
    std::int64_t errors = 0;
    std::vector<float> latencies;
  };
  bucket& at(double seconds);
  static second_stats stats_of(const bucket& b);

  mutable std::mutex mtx_;
  std::vector<bucket> seconds_;
  std::int64_t acked_ = 0;
  std::int64_t errors_ = 0;
  std::vector<std::int64_t> log_counts_ = std::vector<std::int64_t>(100);
  float max_ = 0;
};

} // namespace switchboard::loadgen
