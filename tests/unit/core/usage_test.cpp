#include "core/usage.hpp"

#include <gtest/gtest.h>

namespace {

using namespace switchboard::core;

TEST(UsageTest, GroupNamesRoundTrip) {
  for (auto g : {usage_group::day, usage_group::platform, usage_group::model})
    EXPECT_EQ(parse_usage_group(to_string(g)), g);
  EXPECT_EQ(parse_usage_group("user"), std::nullopt);
  EXPECT_EQ(parse_usage_group("Day"), std::nullopt);
}

TEST(UsageTest, ValidDayIsARealCalendarDay) {
  EXPECT_TRUE(valid_day("2026-11-30"));
  EXPECT_TRUE(valid_day("2024-02-29"));
  EXPECT_FALSE(valid_day("2026-02-29"));
  EXPECT_FALSE(valid_day("2026-13-01"));
  EXPECT_FALSE(valid_day("2026-1-01"));
  EXPECT_FALSE(valid_day("2026-11-30T00"));
  EXPECT_FALSE(valid_day("20261130"));
  EXPECT_FALSE(valid_day("+026-11-30"));
  EXPECT_FALSE(valid_day(""));
}

TEST(UsageTest, QueryCheckNamesTheField) {
  usage_query q;
  EXPECT_TRUE(check_usage_query(q, "from", "to").ok());
  q.from = "2026-11-02";
  q.to = "2026-11-01";
  EXPECT_EQ(check_usage_query(q, "--from", "--to").err().message,
            "--from: is after --to");
  q.to = "soon";
  EXPECT_EQ(check_usage_query(q, "--from", "--to").err().message,
            "--to: expected a day as YYYY-MM-DD");
}

TEST(UsageTest, JsonRowsNameTheGroup) {
  auto j =
    usage_json({{"telegram", 1, 2, 3, 4, 0.25, 5}}, usage_group::platform);
  EXPECT_EQ(j, nlohmann::json::parse(R"({"rows": [{"platform": "telegram",
    "input_tokens": 1, "output_tokens": 2, "cache_read_tokens": 3,
    "cache_write_tokens": 4, "estimated_cost_usd": 0.25, "updates": 5}]})"));
  EXPECT_EQ(usage_json({}, usage_group::day),
            nlohmann::json::parse(R"({"rows": []})"));
}

} // namespace
