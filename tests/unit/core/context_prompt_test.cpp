#include "core/context_prompt.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

namespace switchboard::core {
namespace {

// Expected prompts are written line by line, derived from seed 000's
// build_session_context_prompt; hashes are sha256(value)[:12].
std::string lines(std::initializer_list<std::string_view> ls) {
  std::string out;
  bool first = true;
  for (auto l : ls) {
    if (!first)
      out += '\n';
    out += l;
    first = false;
  }
  return out;
}

constexpr std::string_view header = "## Current Session Context";
constexpr std::string_view explicit_note =
  "*For explicit targeting, use `\"platform:chat_id\"` format if the user "
  "provides a specific chat ID.*";
constexpr std::string_view local_option =
  "- `\"local\"` \u2192 Save to local files only (~/.hermes/cron/output/)";
constexpr std::string_view slack_note =
  "**Platform notes:** You are running inside Slack. You do NOT have "
  "access to Slack-specific APIs \u2014 you cannot search channel history, "
  "pin/unpin messages, manage channels, or list users. Do not promise to "
  "perform these actions. If the user asks, explain that you can only read "
  "messages sent directly to you and respond.";
constexpr std::string_view discord_note =
  "**Platform notes:** You are running inside Discord. You do NOT have "
  "access to Discord-specific APIs \u2014 you cannot search channel "
  "history, pin messages, manage roles, or list server members. Do not "
  "promise to perform these actions. If the user asks, explain that you can "
  "only read messages sent directly to you and respond.";

session_context context(source origin, std::vector<std::string> connected = {},
                        std::vector<home_channel> homes = {}) {
  session_context ctx;
  ctx.origin = std::move(origin);
  ctx.connected_platforms = std::move(connected);
  ctx.home_channels = std::move(homes);
  return ctx;
}

source telegram_dm() {
  source s;
  s.platform = "telegram";
  s.type = chat_type::dm;
  s.chat_id = "12345";
  s.user_id = "555";
  s.user_name = "Alice";
  return s;
}

TEST(Sha256HexTest, KnownVectors) {
  EXPECT_EQ(sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ContextPromptTest, LocalSource) {
  source s;
  s.platform = "local";
  s.chat_id = "cli";
  s.chat_name = "CLI terminal";
  auto ctx = context(s, {"local", "telegram", "discord"});
  EXPECT_EQ(
    build_session_context_prompt(ctx, false),
    lines({header, "", "**Source:** Local (the machine running this agent)",
           "**Connected Platforms:** local (files on this machine), "
           "telegram: Connected \u2713, discord: Connected \u2713",
           "", "**Delivery options for scheduled tasks:**",
           "- `\"origin\"` \u2192 Local output (saved to files)", local_option,
           "", explicit_note}));
}

TEST(ContextPromptTest, LocalSourceIgnoresRedaction) {
  source s;
  s.platform = "local";
  auto ctx = context(s);
  EXPECT_EQ(build_session_context_prompt(ctx, true),
            build_session_context_prompt(ctx, false));
}

TEST(ContextPromptTest, DirectMessageWithHomeChannel) {
  auto ctx =
    context(telegram_dm(), {"telegram"}, {{"telegram", "-100123", "Ops"}});
  EXPECT_EQ(
    build_session_context_prompt(ctx, false),
    lines({header, "", "**Source:** Telegram (DM with Alice)",
           "**User:** Alice",
           "**Connected Platforms:** local (files on this machine), "
           "telegram: Connected \u2713",
           "", "**Home Channels (default destinations):**",
           "  - telegram: Ops (ID: -100123)", "",
           "**Delivery options for scheduled tasks:**",
           "- `\"origin\"` \u2192 Back to this chat (12345)", local_option,
           "- `\"telegram\"` \u2192 Home channel (Ops)", "", explicit_note}));
}

TEST(ContextPromptTest, DirectMessageRedactedOnTelegram) {
  source s = telegram_dm();
  s.user_name.reset();
  auto ctx = context(s, {"telegram"}, {{"telegram", "-100123", "Ops"}});
  EXPECT_EQ(
    build_session_context_prompt(ctx, true),
    lines({header, "", "**Source:** Telegram (DM with user_91a73fd806ab)",
           "**User ID:** user_91a73fd806ab",
           "**Connected Platforms:** local (files on this machine), "
           "telegram: Connected \u2713",
           "", "**Home Channels (default destinations):**",
           "  - telegram: Ops (ID: bc8203a21ab8)", "",
           "**Delivery options for scheduled tasks:**",
           "- `\"origin\"` \u2192 Back to this chat (5994471abb01)",
           local_option, "- `\"telegram\"` \u2192 Home channel (Ops)", "",
           explicit_note}));
}

TEST(ContextPromptTest, DirectMessageWithoutRedactionShowsRawIds) {
  source s = telegram_dm();
  s.user_name.reset();
  auto ctx = context(s);
  EXPECT_EQ(
    build_session_context_prompt(ctx, false),
    lines({header, "", "**Source:** Telegram (DM with 555)", "**User ID:** 555",
           "**Connected Platforms:** local (files on this machine)", "",
           "**Delivery options for scheduled tasks:**",
           "- `\"origin\"` \u2192 Back to this chat (12345)", local_option, "",
           explicit_note}));
}

TEST(ContextPromptTest, RedactionKeepsUserName) {
  auto ctx = context(telegram_dm());
  std::string p = build_session_context_prompt(ctx, true);
  EXPECT_NE(p.find("**Source:** Telegram (DM with Alice)\n**User:** Alice\n"),
            std::string::npos);
  EXPECT_NE(p.find("Back to this chat (5994471abb01)"), std::string::npos);
}

TEST(ContextPromptTest, DirectMessageWithoutAnyUser) {
  source s;
  s.platform = "whatsapp";
  s.chat_id = "12345";
  auto ctx = context(s);
  EXPECT_EQ(build_session_context_prompt(ctx, false),
            lines({header, "", "**Source:** Whatsapp (DM with user)",
                   "**Connected Platforms:** local (files on this machine)", "",
                   "**Delivery options for scheduled tasks:**",
                   "- `\"origin\"` \u2192 Back to this chat (12345)",
                   local_option, "", explicit_note}));
  EXPECT_NE(build_session_context_prompt(ctx, true).find(
              "**Source:** Whatsapp (DM with user)\n"),
            std::string::npos);
}

TEST(ContextPromptTest, EmptyStringsCountAsAbsent) {
  source s = telegram_dm();
  s.user_name = "";
  s.chat_name = "";
  s.chat_topic = "";
  auto ctx = context(s);
  EXPECT_EQ(
    build_session_context_prompt(ctx, false),
    lines({header, "", "**Source:** Telegram (DM with 555)", "**User ID:** 555",
           "**Connected Platforms:** local (files on this machine)", "",
           "**Delivery options for scheduled tasks:**",
           "- `\"origin\"` \u2192 Back to this chat (12345)", local_option, "",
           explicit_note}));
}

TEST(ContextPromptTest, GroupWithTopic) {
  source s;
  s.platform = "telegram";
  s.type = chat_type::group;
  s.chat_id = "-100123";
  s.chat_name = "Dev Team";
  s.user_id = "555";
  s.user_name = "Bob";
  s.chat_topic = "Release planning";
  auto ctx = context(s, {"telegram", "slack"});
  EXPECT_EQ(build_session_context_prompt(ctx, false),
            lines({header, "", "**Source:** Telegram (group: Dev Team)",
                   "**Channel Topic:** Release planning", "**User:** Bob",
                   "**Connected Platforms:** local (files on this machine), "
                   "telegram: Connected \u2713, slack: Connected \u2713",
                   "", "**Delivery options for scheduled tasks:**",
                   "- `\"origin\"` \u2192 Back to this chat (Dev Team)",
                   local_option, "", explicit_note}));
}

TEST(ContextPromptTest, GroupRedactedWithoutName) {
  source s;
  s.platform = "signal";
  s.type = chat_type::group;
  s.chat_id = "telegram:-100123";
  s.user_id = "555";
  auto ctx = context(s);
  EXPECT_EQ(
    build_session_context_prompt(ctx, true),
    lines({header, "", "**Source:** Signal (group: telegram:bc8203a21ab8)",
           "**User ID:** user_91a73fd806ab",
           "**Connected Platforms:** local (files on this machine)", "",
           "**Delivery options for scheduled tasks:**",
           "- `\"origin\"` \u2192 Back to this chat "
           "(telegram:bc8203a21ab8)",
           local_option, "", explicit_note}));
}

TEST(ContextPromptTest, ChannelOnDiscordIsNeverRedacted) {
  source s;
  s.platform = "discord";
  s.type = chat_type::channel;
  s.chat_id = "C0123";
  s.user_id = "555";
  auto ctx = context(s, {"discord"}, {{"discord", "chan", "Alerts"}});
  std::string expected =
    lines({header, "", "**Source:** Discord (channel: C0123)",
           "**User ID:** 555", "", discord_note,
           "**Connected Platforms:** local (files on this machine), "
           "discord: Connected \u2713",
           "", "**Home Channels (default destinations):**",
           "  - discord: Alerts (ID: chan)", "",
           "**Delivery options for scheduled tasks:**",
           "- `\"origin\"` \u2192 Back to this chat (C0123)", local_option,
           "- `\"discord\"` \u2192 Home channel (Alerts)", "", explicit_note});
  EXPECT_EQ(build_session_context_prompt(ctx, false), expected);
  EXPECT_EQ(build_session_context_prompt(ctx, true), expected);
}

TEST(ContextPromptTest, ThreadOnSlack) {
  source s;
  s.platform = "slack";
  s.type = chat_type::thread;
  s.chat_id = "C0123";
  s.chat_name = "general";
  s.thread_id = "1700.55";
  s.user_name = "Carol";
  auto ctx = context(s, {"slack"});
  EXPECT_EQ(build_session_context_prompt(ctx, false),
            lines({header, "", "**Source:** Slack (general, thread: 1700.55)",
                   "**User:** Carol", "", slack_note,
                   "**Connected Platforms:** local (files on this machine), "
                   "slack: Connected \u2713",
                   "", "**Delivery options for scheduled tasks:**",
                   "- `\"origin\"` \u2192 Back to this chat (general)",
                   local_option, "", explicit_note}));
}

TEST(ContextPromptTest, ThreadIdAppendsToEveryChatType) {
  source s = telegram_dm();
  s.thread_id = "42";
  EXPECT_NE(build_session_context_prompt(context(s), false)
              .find("**Source:** Telegram (DM with Alice, thread: 42)\n"),
            std::string::npos);
}

TEST(ContextPromptTest, RedactedThreadDropsThreadPart) {
  source s;
  s.platform = "telegram";
  s.type = chat_type::thread;
  s.chat_id = ":12345";
  s.thread_id = "42";
  auto ctx = context(s);
  EXPECT_EQ(build_session_context_prompt(ctx, true),
            lines({header, "", "**Source:** Telegram (32eb79f94af0)",
                   "**Connected Platforms:** local (files on this machine)", "",
                   "**Delivery options for scheduled tasks:**",
                   "- `\"origin\"` \u2192 Back to this chat (32eb79f94af0)",
                   local_option, "", explicit_note}));
}

TEST(ContextPromptTest, HomeChannelsInOrderSkippingLocalPlatform) {
  source s;
  s.platform = "api_server";
  s.chat_id = "k";
  auto ctx = context(
    s, {"slack", "local", "homeassistant"},
    {{"slack", "C9", "ops-room"}, {"homeassistant", "ha:kitchen", "Kitchen"}});
  ctx.local_output_path = "/var/lib/switchboard/output/";
  EXPECT_EQ(build_session_context_prompt(ctx, true),
            lines({header, "", "**Source:** Api_Server (DM with user)",
                   "**Connected Platforms:** local (files on this machine), "
                   "slack: Connected \u2713, homeassistant: Connected \u2713",
                   "", "**Home Channels (default destinations):**",
                   "  - slack: ops-room (ID: C9)",
                   "  - homeassistant: Kitchen (ID: ha:kitchen)", "",
                   "**Delivery options for scheduled tasks:**",
                   "- `\"origin\"` \u2192 Back to this chat (k)",
                   "- `\"local\"` \u2192 Save to local files only "
                   "(/var/lib/switchboard/output/)",
                   "- `\"slack\"` \u2192 Home channel (ops-room)",
                   "- `\"homeassistant\"` \u2192 Home channel (Kitchen)", "",
                   explicit_note}));
}

TEST(ContextPromptTest, PlatformNameIsTitleCased) {
  source s;
  s.platform = "homeassistant";
  EXPECT_NE(build_session_context_prompt(context(s), false)
              .find("\n**Source:** Homeassistant (DM with user)\n"),
            std::string::npos);
  s.platform = "a1b_c2d";
  EXPECT_NE(build_session_context_prompt(context(s), false)
              .find("**Source:** A1B_C2D ("),
            std::string::npos);
}

TEST(ContextPromptTest, AbsentChatIdPrintsEmptyOrHashOfEmpty) {
  source s;
  s.platform = "telegram";
  s.type = chat_type::group;
  auto ctx = context(s);
  std::string plain = build_session_context_prompt(ctx, false);
  EXPECT_NE(plain.find("**Source:** Telegram (group: )\n"), std::string::npos);
  EXPECT_NE(plain.find("Back to this chat ()\n"), std::string::npos);
  std::string redacted = build_session_context_prompt(ctx, true);
  EXPECT_NE(redacted.find("**Source:** Telegram (group: e3b0c44298fc)\n"),
            std::string::npos);
  EXPECT_NE(redacted.find("Back to this chat (e3b0c44298fc)\n"),
            std::string::npos);
}

} // namespace
} // namespace switchboard::core
