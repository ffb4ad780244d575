#pragma once

// Time in switchboard: UTC instants with microsecond resolution. Local times
// (for the daily reset boundary, session ids and the seed's naive ISO strings)
// go through core::zone.

#include <chrono>
#include <cstdint>

namespace switchboard::core {

using duration = std::chrono::microseconds;
using time_point = std::chrono::sys_time<duration>;

/// Seconds since the epoch as SQLite REAL (the seed's `time.time()`).
inline double to_epoch_seconds(time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

inline time_point from_epoch_seconds(double seconds) {
  return time_point{std::chrono::duration_cast<duration>(
    std::chrono::duration<double>(seconds))};
}

} // namespace switchboard::core
