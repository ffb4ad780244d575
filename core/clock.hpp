#pragma once

// Every read of "now" goes through a clock, so tests and the load generator's
// virtual time can drive expiry without sleeping.

#include "core/time.hpp"

#include <atomic>

namespace switchboard::core {

/// A source of the current time. Thread-safe.
class clock {
public:
  virtual ~clock() = default;
  virtual time_point now() const = 0;
};

/// The system's real-time clock.
class system_clock final : public clock {
public:
  time_point now() const override;
};

/// A clock that moves only when told to. Starts at `start`.
/// Thread-safe: set/advance may race with now() from any thread.
class manual_clock final : public clock {
public:
  explicit manual_clock(time_point start);
  time_point now() const override;
  void set(time_point t);
  void advance(duration d);

private:
  std::atomic<std::int64_t> micros_;
};

} // namespace switchboard::core
