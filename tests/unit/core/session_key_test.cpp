#include "core/session_key.hpp"

#include <gtest/gtest.h>

namespace switchboard::core {
namespace {

source dm(std::optional<std::string> chat_id = std::nullopt) {
  source s;
  s.platform = "telegram";
  s.chat_id = std::move(chat_id);
  return s;
}

source in(chat_type t, std::optional<std::string> chat_id = std::nullopt) {
  source s;
  s.platform = "discord";
  s.type = t;
  s.chat_id = std::move(chat_id);
  return s;
}

key_settings settings(bool group_per_user, bool thread_per_user) {
  key_settings cfg;
  cfg.group_sessions_per_user = group_per_user;
  cfg.thread_sessions_per_user = thread_per_user;
  return cfg;
}

std::string key(const source& s, key_settings cfg = {}) {
  return build_session_key(s, cfg);
}

// -- dm ---------------------------------------------------------------------

TEST(SessionKeyTest, DmWithChatId) {
  EXPECT_EQ(key(dm("99")), "agent:main:telegram:dm:99");
}

TEST(SessionKeyTest, DmWithChatIdAndThread) {
  auto s = dm("99");
  s.thread_id = "7";
  EXPECT_EQ(key(s), "agent:main:telegram:dm:99:7");
}

TEST(SessionKeyTest, DmChatIdWinsOverParticipant) {
  auto s = dm("99");
  s.user_id = "42";
  s.user_id_alt = "uuid";
  EXPECT_EQ(key(s), "agent:main:telegram:dm:99");
}

TEST(SessionKeyTest, DmWithoutChatIdFallsBackToUserId) {
  auto s = dm();
  s.user_id = "42";
  EXPECT_EQ(key(s), "agent:main:telegram:dm:42");
}

TEST(SessionKeyTest, DmParticipantPrefersUserIdAlt) {
  auto s = dm();
  s.user_id = "+4915100000";
  s.user_id_alt = "uuid-1";
  EXPECT_EQ(key(s), "agent:main:telegram:dm:uuid-1");
}

TEST(SessionKeyTest, DmParticipantFallbackComesBeforeThread) {
  auto s = dm();
  s.user_id = "42";
  s.thread_id = "7";
  EXPECT_EQ(key(s), "agent:main:telegram:dm:42:7");
}

TEST(SessionKeyTest, DmTwoUsersWithoutChatIdDoNotShareASession) {
  auto a = dm();
  a.user_id = "1";
  auto b = dm();
  b.user_id = "2";
  EXPECT_NE(key(a), key(b));
}

TEST(SessionKeyTest, DmThreadOnly) {
  auto s = dm();
  s.thread_id = "7";
  EXPECT_EQ(key(s), "agent:main:telegram:dm:7");
}

TEST(SessionKeyTest, BareDm) {
  EXPECT_EQ(key(dm()), "agent:main:telegram:dm");
}

TEST(SessionKeyTest, DmEmptyStringsCountAsAbsent) {
  auto s = dm("");
  s.user_id_alt = "";
  s.user_id = "42";
  s.thread_id = "";
  EXPECT_EQ(key(s), "agent:main:telegram:dm:42");
  auto bare = dm("");
  bare.user_id = "";
  EXPECT_EQ(key(bare), "agent:main:telegram:dm");
}

TEST(SessionKeyTest, DmIgnoresGroupSettings) {
  auto s = dm();
  s.user_id = "42";
  s.thread_id = "7";
  key_settings cfg = settings(false, false);
  EXPECT_EQ(key(s, cfg), "agent:main:telegram:dm:42:7");
}

// -- group / channel / thread -----------------------------------------------

TEST(SessionKeyTest, GroupWithChatIdOnly) {
  EXPECT_EQ(key(in(chat_type::group, "g1")), "agent:main:discord:group:g1");
}

TEST(SessionKeyTest, GroupSplitsByParticipant) {
  auto s = in(chat_type::group, "g1");
  s.user_id = "42";
  EXPECT_EQ(key(s), "agent:main:discord:group:g1:42");
}

TEST(SessionKeyTest, GroupParticipantPrefersUserIdAlt) {
  auto s = in(chat_type::group, "g1");
  s.user_id = "42";
  s.user_id_alt = "uuid";
  EXPECT_EQ(key(s), "agent:main:discord:group:g1:uuid");
}

TEST(SessionKeyTest, GroupWithThreadAndParticipant) {
  auto s = in(chat_type::group, "g1");
  s.thread_id = "t9";
  s.user_id = "42";
  EXPECT_EQ(key(s), "agent:main:discord:group:g1:t9:42");
}

TEST(SessionKeyTest, GroupWithThreadNoParticipant) {
  auto s = in(chat_type::group, "g1");
  s.thread_id = "t9";
  EXPECT_EQ(key(s), "agent:main:discord:group:g1:t9");
}

TEST(SessionKeyTest, GroupWithoutChatId) {
  auto s = in(chat_type::group);
  EXPECT_EQ(key(s), "agent:main:discord:group");
  s.user_id = "42";
  EXPECT_EQ(key(s), "agent:main:discord:group:42");
  s.thread_id = "t9";
  EXPECT_EQ(key(s), "agent:main:discord:group:t9:42");
}

TEST(SessionKeyTest, GroupSessionsPerUserOffSharesTheChat) {
  auto s = in(chat_type::group, "g1");
  s.user_id = "42";
  key_settings cfg = settings(false, true);
  EXPECT_EQ(key(s, cfg), "agent:main:discord:group:g1");
  s.thread_id = "t9";
  EXPECT_EQ(key(s, cfg), "agent:main:discord:group:g1:t9");
}

TEST(SessionKeyTest, ThreadSessionsPerUserOffKeepsAThreadWhole) {
  auto s = in(chat_type::group, "g1");
  s.thread_id = "t9";
  s.user_id = "42";
  key_settings cfg = settings(true, false);
  EXPECT_EQ(key(s, cfg), "agent:main:discord:group:g1:t9");
  auto other = s;
  other.user_id = "43";
  EXPECT_EQ(key(other, cfg), key(s, cfg));
}

TEST(SessionKeyTest, ThreadSessionsPerUserOffStillSplitsOutsideThreads) {
  auto s = in(chat_type::group, "g1");
  s.user_id = "42";
  key_settings cfg = settings(true, false);
  EXPECT_EQ(key(s, cfg), "agent:main:discord:group:g1:42");
  s.thread_id = ""; // empty counts as absent
  EXPECT_EQ(key(s, cfg), "agent:main:discord:group:g1:42");
}

TEST(SessionKeyTest, ThreadSessionsPerUserOnIsTheSeedBehaviour) {
  auto s = in(chat_type::group, "g1");
  s.thread_id = "t9";
  s.user_id = "42";
  key_settings cfg = settings(true, true);
  EXPECT_EQ(key(s, cfg), "agent:main:discord:group:g1:t9:42");
}

TEST(SessionKeyTest, ChannelForms) {
  auto s = in(chat_type::channel, "c1");
  EXPECT_EQ(key(s), "agent:main:discord:channel:c1");
  s.user_id = "42";
  EXPECT_EQ(key(s), "agent:main:discord:channel:c1:42");
  s.thread_id = "t";
  EXPECT_EQ(key(s), "agent:main:discord:channel:c1:t:42");
  EXPECT_EQ(key(in(chat_type::channel)), "agent:main:discord:channel");
}

TEST(SessionKeyTest, ThreadTypeForms) {
  auto s = in(chat_type::thread, "c1");
  EXPECT_EQ(key(s), "agent:main:discord:thread:c1");
  s.thread_id = "t";
  EXPECT_EQ(key(s), "agent:main:discord:thread:c1:t");
  s.user_id = "42";
  EXPECT_EQ(key(s), "agent:main:discord:thread:c1:t:42");
  key_settings off = settings(true, false);
  EXPECT_EQ(key(s, off), "agent:main:discord:thread:c1:t");
  EXPECT_EQ(key(in(chat_type::thread)), "agent:main:discord:thread");
}

TEST(SessionKeyTest, GroupEmptyStringsCountAsAbsent) {
  auto s = in(chat_type::group, "");
  s.thread_id = "";
  s.user_id_alt = "";
  s.user_id = "";
  EXPECT_EQ(key(s), "agent:main:discord:group");
}

// -- namespace and opaque components ----------------------------------------

TEST(SessionKeyTest, CustomAgentName) {
  key_settings cfg;
  cfg.agent_name = "work";
  EXPECT_EQ(key(dm("99"), cfg), "agent:work:telegram:dm:99");
  EXPECT_EQ(key(in(chat_type::group, "g"), cfg), "agent:work:discord:group:g");
}

TEST(SessionKeyTest, ChatIdsKeepColonsAndDashes) {
  EXPECT_EQ(key(dm("-100123")), "agent:main:telegram:dm:-100123");
  auto s = in(chat_type::group, "guild-1:chan:2");
  s.user_id = "a:b";
  EXPECT_EQ(key(s), "agent:main:discord:group:guild-1:chan:2:a:b");
}

// -- validation of keys from outside ----------------------------------------

TEST(SessionKeyTest, ValidKeysAreAccepted) {
  EXPECT_TRUE(valid_session_key("agent:main:telegram:dm:99"));
  EXPECT_TRUE(valid_session_key("x"));
  EXPECT_TRUE(valid_session_key("agent:main:matrix:group:日本:😀"));
  EXPECT_TRUE(valid_session_key(std::string(1024, 'k')));
  EXPECT_TRUE(valid_session_key("a b/c\\d"));
}

TEST(SessionKeyTest, InvalidKeysAreRejected) {
  EXPECT_FALSE(valid_session_key(""));
  EXPECT_FALSE(valid_session_key(std::string(1025, 'k')));
  EXPECT_FALSE(valid_session_key("bad\xC3"));
  EXPECT_FALSE(valid_session_key("a\nb"));
  EXPECT_FALSE(valid_session_key("a\tb"));
  EXPECT_FALSE(valid_session_key(std::string_view{"a\0b", 3}));
  EXPECT_FALSE(valid_session_key("a\x7F"));
  EXPECT_FALSE(valid_session_key("a\xC2\x85")); // U+0085, a C1 control
  EXPECT_TRUE(valid_session_key("a\xC2\xA0"));  // U+00A0 is not
}

TEST(SessionKeyTest, BuiltKeysAreValid) {
  auto s = in(chat_type::group, "g1");
  s.user_id = "42";
  EXPECT_TRUE(valid_session_key(key(s)));
}

} // namespace
} // namespace switchboard::core
