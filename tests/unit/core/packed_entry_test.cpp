#include "core/packed_entry.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

namespace {

using namespace switchboard::core;

std::string pack(const session_entry& e, std::string_view key) {
  std::string out;
  pack_entry(e, key, out);
  return out;
}

// Every field away from its default, every optional present.
session_entry full_entry() {
  session_entry e;
  e.session_key = "agent:main:telegram:dm:99";
  e.session_id = "20261130_101500_ab12cd34";
  e.created_at = time_point{duration{1'700'000'000'123'456}};
  e.updated_at = time_point{duration{1'700'000'100'000'001}};
  source s;
  s.platform = "telegram";
  s.type = chat_type::thread;
  s.chat_id = "99";
  s.chat_name = "Ana ✓";
  s.user_id = "u1";
  s.user_name = "ana";
  s.thread_id = "t7";
  s.chat_topic = "topic";
  s.user_id_alt = "alt-u";
  s.chat_id_alt = "alt-c";
  e.origin = s;
  e.display_name = "Ana";
  e.platform = "telegram";
  e.type = chat_type::group;
  e.input_tokens = 1;
  e.output_tokens = 2;
  e.cache_read_tokens = 3;
  e.cache_write_tokens = std::numeric_limits<std::int64_t>::max();
  e.total_tokens = std::numeric_limits<std::int64_t>::min();
  e.estimated_cost_usd = 0.125;
  e.cost_status = "estimated";
  e.last_prompt_tokens = -5;
  e.was_auto_reset = true;
  e.auto_reset_reason = reset_reason::daily;
  e.reset_had_activity = true;
  e.expiry_finalized = true;
  e.busy_until = time_point{duration{-42}};
  e.daily_reset_deferred = true;
  return e;
}

TEST(PackedEntryTest, EveryFieldSurvivesTheRoundTrip) {
  auto e = full_entry();
  EXPECT_EQ(unpack_entry(pack(e, e.session_key), e.session_key), e);
}

TEST(PackedEntryTest, ADefaultEntrySurvivesTheRoundTrip) {
  session_entry e;
  e.session_key = "k";
  EXPECT_EQ(unpack_entry(pack(e, "k"), "k"), e);
}

TEST(PackedEntryTest, EmptyOptionalStringsStayPresentAndEmpty) {
  auto e = full_entry();
  e.display_name = "";
  e.origin->chat_name = "";
  e.origin->thread_id.reset();
  auto back = unpack_entry(pack(e, e.session_key), e.session_key);
  ASSERT_TRUE(back.display_name.has_value());
  EXPECT_EQ(*back.display_name, "");
  EXPECT_EQ(back.origin->chat_name, std::optional<std::string>(""));
  EXPECT_FALSE(back.origin->thread_id.has_value());
  EXPECT_EQ(back, e);
}

TEST(PackedEntryTest, TheKeyIsNotStoredWhenItIsTheExpectedOne) {
  auto e = full_entry();
  auto same = pack(e, e.session_key);
  auto other = pack(e, "another:key");
  EXPECT_EQ(other.size(), same.size() + 1 + e.session_key.size());
  EXPECT_EQ(same.find(e.session_key), std::string::npos);
  // A differing key is kept exactly.
  EXPECT_EQ(unpack_entry(other, "another:key"), e);
}

TEST(PackedEntryTest, AResidentEntryPacksSmall) {
  auto e = full_entry();
  e.origin = source{};
  e.origin->platform = "telegram";
  e.origin->chat_id = "r123";
  e.display_name.reset();
  e.cache_write_tokens = 0;
  e.total_tokens = 6;
  e.busy_until.reset();
  e.cost_status = "unknown";
  // A typical entry, as the router shards keep it per key: ~100 bytes, not
  // the 656 of a session_entry.
  EXPECT_LT(pack(e, e.session_key).size(), 128u);
}

TEST(PackedEntryTest, ATruncatedBufferThrows) {
  auto e = full_entry();
  auto p = pack(e, e.session_key);
  for (std::size_t n = 0; n < p.size(); ++n)
    EXPECT_THROW(unpack_entry(std::string_view(p).substr(0, n), e.session_key),
                 std::out_of_range)
      << n;
  EXPECT_THROW(unpack_entry(p + "x", e.session_key), std::out_of_range);
}

} // namespace
