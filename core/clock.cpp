#include "core/clock.hpp"

namespace switchboard::core {

time_point system_clock::now() const {
  return std::chrono::floor<duration>(std::chrono::system_clock::now());
}

manual_clock::manual_clock(time_point start)
  : micros_(start.time_since_epoch().count()) {}

time_point manual_clock::now() const {
  return time_point{duration{micros_.load(std::memory_order_acquire)}};
}

void manual_clock::set(time_point t) {
  micros_.store(t.time_since_epoch().count(), std::memory_order_release);
}

void manual_clock::advance(duration d) {
  micros_.fetch_add(d.count(), std::memory_order_acq_rel);
}

} // namespace switchboard::core
