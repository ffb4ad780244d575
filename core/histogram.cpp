#include "core/histogram.hpp"

#include <cmath>

namespace switchboard::core {

namespace {

double bound_at(std::size_t i) {
  static constexpr double steps[] = {1, 2, 5};
  return steps[i % 3] * std::pow(10.0, static_cast<double>(i / 3));
}

} // namespace

histogram::histogram(double unit) : unit_(unit) {}

void histogram::record(double value) {
  auto scaled = value / unit_;
  std::size_t i = 0;
  while (i + 1 < bucket_count && scaled > bound_at(i))
    ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micro_.fetch_add(static_cast<std::int64_t>(value * 1e6),
                       std::memory_order_relaxed);
}

histogram::snapshot histogram::read() const {
  snapshot s;
  for (std::size_t i = 0; i + 1 < bucket_count; ++i)
    s.upper_bounds.push_back(bound_at(i) * unit_);
  for (const auto& c : counts_)
    s.counts.push_back(c.load(std::memory_order_relaxed));
  s.count = count_.load(std::memory_order_relaxed);
  s.sum = static_cast<double>(sum_micro_.load(std::memory_order_relaxed)) / 1e6;
  return s;
}

double histogram::snapshot::quantile(double q) const {
  if (count == 0)
    return 0;
  auto rank = static_cast<std::uint64_t>(std::ceil(q * double(count)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    seen += counts[i];
    if (seen >= rank)
      return i < upper_bounds.size() ? upper_bounds[i] : upper_bounds.back();
  }
  return upper_bounds.back();
}

} // namespace switchboard::core
