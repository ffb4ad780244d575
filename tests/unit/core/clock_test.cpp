#include "core/clock.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using namespace switchboard::core;

TEST(ClockTest, ManualClockStartsWhereTold) {
  const time_point start{duration{1'790'000'000'000'000}};
  manual_clock c{start};
  EXPECT_EQ(c.now(), start);
  EXPECT_EQ(c.now(), start); // does not move by itself
}

TEST(ClockTest, ManualClockSetAndAdvance) {
  manual_clock c{time_point{}};
  c.advance(90s);
  EXPECT_EQ(c.now(), time_point{90s});
  c.set(time_point{5min});
  EXPECT_EQ(c.now(), time_point{5min});
  c.advance(-1min);
  EXPECT_EQ(c.now(), time_point{4min});
}

TEST(ClockTest, ManualClockAdvanceIsAtomic) {
  manual_clock c{time_point{}};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&c] {
      for (int j = 0; j < 10000; ++j)
        c.advance(1us);
    });
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(c.now(), time_point{40000us});
}

TEST(ClockTest, SystemClockIsNearTheSystemTime) {
  system_clock c;
  const auto before =
    std::chrono::floor<duration>(std::chrono::system_clock::now());
  const auto t = c.now();
  const auto after = std::chrono::system_clock::now();
  EXPECT_LE(before, t);
  EXPECT_LE(t, after);
}

TEST(ClockTest, UsableThroughTheInterface) {
  manual_clock m{time_point{1s}};
  const switchboard::core::clock& c = m;
  EXPECT_EQ(c.now(), time_point{1s});
}

} // namespace
