// `switchboard key SOURCE_JSON` driven as a user would: the real binary,
// its exit code, stdout and stderr.

#include "tests/support/process.hpp"

#include <gtest/gtest.h>

namespace switchboard::testing {
namespace {

process_result key(const std::string& source_json) {
  return run_command({switchboard_bin(), "key", source_json});
}

class KeyCliTest : public ::testing::Test {};

TEST_F(KeyCliTest, PrintsTheKeyOfAValidSource) {
  auto r = key(R"({"platform": "telegram", "chat_id": "99", "user_id": "42"})");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "agent:main:telegram:dm:99\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(KeyCliTest, SplitsGroupsPerParticipantByDefault) {
  auto r = key(R"({"platform": "discord", "chat_type": "group",
                   "chat_id": "guild-1", "thread_id": "t", "user_id": "7"})");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "agent:main:discord:group:guild-1:t:7\n");
}

TEST_F(KeyCliTest, RejectsAnUnknownFieldOnStderr) {
  auto r = key(R"({"platform": "telegram", "chat_idd": "99"})");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "source.chat_idd: unknown field\n");
}

TEST_F(KeyCliTest, RejectsABadChatType) {
  auto r = key(R"({"platform": "telegram", "chat_type": "private"})");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "source.chat_type: expected one of dm, group, channel, thread\n");
}

TEST_F(KeyCliTest, RejectsMalformedJson) {
  auto r = key("{not json");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("malformed JSON"), std::string::npos) << r.err;
}

TEST_F(KeyCliTest, MissingArgumentIsBadUsage) {
  auto r = run_command({switchboard_bin(), "key"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err, "");
}

} // namespace
} // namespace switchboard::testing
