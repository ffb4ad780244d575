#include "core/legacy_transcript.hpp"

#include <gtest/gtest.h>

namespace switchboard::core {
namespace {

TEST(LegacyTranscriptTest, ReadsASeedMessageLine) {
  auto m = parse_legacy_transcript_line(
    R"({"role": "assistant", "content": "hi", "tool_calls": "[{\"id\": \"c\"}]",
        "finish_reason": "stop", "token_count": 5, "timestamp": 12.5,
        "extra": 1})",
    zone::utc());
  ASSERT_TRUE(m);
  EXPECT_EQ(m->msg.role, "assistant");
  EXPECT_EQ(m->msg.content, "hi");
  ASSERT_TRUE(m->msg.tool_calls);
  EXPECT_EQ((*m->msg.tool_calls)[0]["id"], "c");
  EXPECT_EQ(m->msg.finish_reason, "stop");
  EXPECT_EQ(m->msg.token_count, 5);
  EXPECT_EQ(m->at, from_epoch_seconds(12.5));
}

TEST(LegacyTranscriptTest, LenientFields) {
  auto m = parse_legacy_transcript_line(
    R"({"role": "user", "content": [{"type": "text", "text": "x"}],
        "tool_name": 3, "token_count": -1, "timestamp": "2026-01-01T00:00:00+01:00"})",
    zone::utc());
  ASSERT_TRUE(m);
  EXPECT_EQ(m->msg.content, R"([{"text":"x","type":"text"}])");
  EXPECT_FALSE(m->msg.tool_name);
  EXPECT_FALSE(m->msg.token_count);
  EXPECT_EQ(m->at, parse_iso("2025-12-31T23:00:00Z", zone::utc()).value());
  auto no_time = parse_legacy_transcript_line(
    R"({"role": "user", "content": "x", "timestamp": "yesterday"})",
    zone::utc());
  ASSERT_TRUE(no_time);
  EXPECT_FALSE(no_time->at);
}

TEST(LegacyTranscriptTest, NotAMessage) {
  for (const char* line : {R"({"role": "user", "content": "tor)", "[1, 2]",
                           "\"text\"", R"({"content": "no role"})",
                           R"({"role": "session_meta"})", R"({"role": 1})"})
    EXPECT_FALSE(parse_legacy_transcript_line(line, zone::utc())) << line;
}

} // namespace
} // namespace switchboard::core
