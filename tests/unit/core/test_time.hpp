#pragma once
// Calendar helpers shared by the core suites that build instants and zones
// (one definition, so the suites compile together in unity batches).

#include "core/clock.hpp"
#include "core/zone.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string_view>

namespace switchboard::core::test_time {

/// The instant of a UTC calendar time.
inline time_point utc(int y, unsigned m, unsigned d, int hh = 0, int mm = 0,
                      int ss = 0, int us = 0) {
  return time_point{date::sys_days{date::year{y} / m / d}} +
         std::chrono::hours{hh} + std::chrono::minutes{mm} +
         std::chrono::seconds{ss} + duration{us};
}

/// The zone of an IANA name; a failure fails the calling test.
inline zone make_zone(std::string_view name) {
  auto z = zone::make(name);
  EXPECT_TRUE(z.ok()) << name;
  return std::move(z).value();
}

} // namespace switchboard::core::test_time
