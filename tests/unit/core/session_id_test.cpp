#include "core/session_id.hpp"

#include <gtest/gtest.h>

#include <set>

namespace switchboard::core {
namespace {

using namespace std::chrono;

/// 2026-11-21 10:15:00 local, plus `extra`.
local_time at(duration extra = duration{0}) {
  return local_time{
           date::local_days{date::year{2026} / 11 / 21}.time_since_epoch() +
           hours{10} + minutes{15}} +
         extra;
}

random_source constant(std::uint32_t v) {
  return [v] {
    return v;
  };
}

TEST(SessionIdTest, FormatIsDateTimeAndHex) {
  EXPECT_EQ(make_session_id(at(), constant(0xab12cd34)),
            "20261121_101500_ab12cd34");
}

TEST(SessionIdTest, HexIsZeroPaddedAndLowercase) {
  EXPECT_EQ(make_session_id(at(), constant(0)), "20261121_101500_00000000");
  EXPECT_EQ(make_session_id(at(), constant(0xF)), "20261121_101500_0000000f");
  EXPECT_EQ(make_session_id(at(), constant(0xFFFFFFFF)),
            "20261121_101500_ffffffff");
}

TEST(SessionIdTest, SubSecondsAreTruncated) {
  EXPECT_EQ(make_session_id(at(microseconds{999999}), constant(1)),
            "20261121_101500_00000001");
  EXPECT_EQ(make_session_id(at(seconds{59}), constant(1)),
            "20261121_101559_00000001");
}

TEST(SessionIdTest, DateFieldsAreZeroPadded) {
  auto t =
    local_time{date::local_days{date::year{2027} / 1 / 2}.time_since_epoch() +
               hours{3} + minutes{4} + seconds{5}};
  EXPECT_EQ(make_session_id(t, constant(1)), "20270102_030405_00000001");
}

TEST(SessionIdTest, RandomSourceIsCalledOncePerId) {
  std::uint32_t next = 0;
  random_source counting = [&next] {
    return next++;
  };
  EXPECT_EQ(make_session_id(at(), counting), "20261121_101500_00000000");
  EXPECT_EQ(make_session_id(at(), counting), "20261121_101500_00000001");
  EXPECT_EQ(next, 2u);
}

TEST(SessionIdTest, InjectedSourceCanForceACollision) {
  EXPECT_EQ(make_session_id(at(), constant(7)),
            make_session_id(at(), constant(7)));
}

TEST(SessionIdTest, DefaultRandomSourceVaries) {
  auto rnd = default_random_source();
  std::set<std::uint32_t> seen;
  for (int i = 0; i < 64; ++i)
    seen.insert(rnd());
  EXPECT_GT(seen.size(), 60u); // 64 draws of 32 bits practically never repeat
}

TEST(SessionIdTest, MadeIdsAreValid) {
  EXPECT_TRUE(valid_session_id(make_session_id(at(), default_random_source())));
}

TEST(SessionIdTest, ValidIdsAreAccepted) {
  EXPECT_TRUE(valid_session_id("20261121_101500_ab12cd34"));
  EXPECT_TRUE(valid_session_id("a"));
  EXPECT_TRUE(valid_session_id("cron_job-1"));
  EXPECT_TRUE(valid_session_id("ABCxyz019_-"));
  EXPECT_TRUE(valid_session_id(std::string(64, 'a')));
}

TEST(SessionIdTest, UnsafeIdsAreRejected) {
  EXPECT_FALSE(valid_session_id(""));
  EXPECT_FALSE(valid_session_id(".."));
  EXPECT_FALSE(valid_session_id("a/b"));
  EXPECT_FALSE(valid_session_id("a\\b"));
  EXPECT_FALSE(valid_session_id("C:"));
  EXPECT_FALSE(valid_session_id("a.b"));
  EXPECT_FALSE(valid_session_id(std::string(65, 'a')));
  EXPECT_FALSE(valid_session_id("a b"));
  EXPECT_FALSE(valid_session_id(" a"));
  EXPECT_FALSE(valid_session_id("a\n"));
  EXPECT_FALSE(valid_session_id(std::string_view{"a\0b", 3}));
  EXPECT_FALSE(valid_session_id("caf\xC3\xA9"));
  EXPECT_FALSE(valid_session_id("日本"));
  EXPECT_FALSE(valid_session_id("a%2Fb"));
}

} // namespace
} // namespace switchboard::core
