#include "loadgen/stats.hpp"

#include <algorithm>
#include <cmath>

namespace switchboard::loadgen {

double quantile(const std::vector<float>& sorted, double q) {
  if (sorted.empty())
    return 0;
  auto rank =
    static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

latency_summary summarize(std::vector<float>& values) {
  std::sort(values.begin(), values.end());
  if (values.empty())
    return {};
  return {quantile(values, 0.5), quantile(values, 0.9), quantile(values, 0.99),
          values.back()};
}

namespace {

/// The log_histogram bucket of `ms`: 10 per decade, bucket i holding
/// (0.01 * 10^((i-1)/10), 0.01 * 10^(i/10)].
std::size_t log_bucket(double ms, std::size_t count) {
  if (!(ms > 0.01))
    return 0;
  auto i = static_cast<std::size_t>(std::ceil(10.0 * std::log10(ms / 0.01)));
  return std::min(i, count - 1);
}

double log_upper(std::size_t i) {
  return 0.01 * std::pow(10.0, i / 10.0);
}

} // namespace

std::vector<histogram_bucket> log_histogram(const std::vector<float>& sorted) {
  std::vector<histogram_bucket> out;
  std::size_t i = 0;
  for (int step = 0; i < sorted.size(); ++step) {
    double upper = log_upper(static_cast<std::size_t>(step));
    histogram_bucket b{upper, 0};
    while (i < sorted.size() && sorted[i] <= upper) {
      ++b.count;
      ++i;
    }
    if (b.count || !out.empty())
      out.push_back(b);
  }
  return out;
}

recorder::bucket& recorder::at(double seconds) {
  auto s = static_cast<std::size_t>(std::max(0.0, seconds));
  if (seconds_.size() <= s)
    seconds_.resize(s + 1);
  return seconds_[s];
}

void recorder::record(double at_seconds, double latency_ms, std::int64_t acked,
                      bool ok) {
  std::lock_guard lock{mtx_};
  auto& b = at(at_seconds);
  b.latencies.push_back(static_cast<float>(latency_ms));
  b.acked += acked;
  acked_ += acked;
  ++log_counts_[log_bucket(latency_ms, log_counts_.size())];
  max_ = std::max(max_, static_cast<float>(latency_ms));
  if (!ok) {
    ++b.errors;
    ++errors_;
  }
}

void recorder::record_errors(double at_seconds, std::int64_t errors) {
  std::lock_guard lock{mtx_};
  at(at_seconds).errors += errors;
  errors_ += errors;
}

second_stats recorder::stats_of(const bucket& b) {
  auto lat = b.latencies;
  auto s = summarize(lat);
  return {b.acked, b.errors, s.p50, s.p99};
}

std::vector<second_stats> recorder::series() const {
  std::lock_guard lock{mtx_};
  std::vector<second_stats> out;
  for (const auto& b : seconds_)
    out.push_back(stats_of(b));
  return out;
}

second_stats recorder::second(std::size_t s) const {
  std::lock_guard lock{mtx_};
  return s < seconds_.size() ? stats_of(seconds_[s]) : second_stats{};
}

std::vector<float> recorder::all_latencies() const {
  std::vector<float> all;
  {
    std::lock_guard lock{mtx_};
    for (const auto& b : seconds_)
      all.insert(all.end(), b.latencies.begin(), b.latencies.end());
  }
  std::sort(all.begin(), all.end());
  return all;
}

std::int64_t recorder::acked() const {
  std::lock_guard lock{mtx_};
  return acked_;
}

std::int64_t recorder::errors() const {
  std::lock_guard lock{mtx_};
  return errors_;
}

latency_summary recorder::running_latency() const {
  std::lock_guard lock{mtx_};
  std::int64_t total = 0;
  for (auto c : log_counts_)
    total += c;
  latency_summary out;
  out.max = max_;
  if (total == 0)
    return out;
  auto at = [&](double q) {
    auto rank = std::max<std::int64_t>(
      1, static_cast<std::int64_t>(std::ceil(q * static_cast<double>(total))));
    std::int64_t seen = 0;
    for (std::size_t i = 0; i < log_counts_.size(); ++i)
      if ((seen += log_counts_[i]) >= rank)
        return std::min<double>(log_upper(i), max_);
    return static_cast<double>(max_);
  };
  out.p50 = at(0.5);
  out.p90 = at(0.9);
  out.p99 = at(0.99);
  return out;
}

} // namespace switchboard::loadgen
