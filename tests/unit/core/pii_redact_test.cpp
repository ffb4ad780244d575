#include "core/pii_redact.hpp"

#include "core/context_prompt.hpp"
#include "core/pii.hpp"

#include <gtest/gtest.h>

#include <string>

namespace switchboard::core {
namespace {

using nlohmann::json;

json sample_export() {
  return {
    {"id", "20261122_040000_ab12cd34"},
    {"source", "whatsapp"},
    {"user_id", "u-555"},
    {"chat_id", "grp:abc@g.us"},
    {"thread_id", "t9"},
    {"chat_type", "group"},
    {"session_key", "agent:main:whatsapp:group:grp:abc@g.us:t9:u-555"},
    {"title", "Notes for u-555"},
    {"origin",
     {{"platform", "whatsapp"},
      {"user_id", "u-555"},
      {"user_id_alt", 4477001122},
      {"chat_id", "grp:abc@g.us"},
      {"chat_id_alt", "alt-chat"}}},
    {"messages",
     {{{"role", "user"},
       {"content", "I am u-555 in grp:abc@g.us (alt-chat), user 4477001122. "
                   "Ring +1 (555) 123-4567 or +44 20 7946 0958."},
       {"tool_calls", nullptr}},
      {{"role", "assistant"},
       {"content", nullptr},
       {"tool_calls",
        R"([{"function":{"arguments":"{\"to\":\"u-555\"}"}}])"}}}}};
}

TEST(PiiRedactTest, RemovesEveryIdAndPhoneNumberEverywhere) {
  std::string out = redact_export(sample_export()).dump();
  for (const char* raw : {"u-555", "grp:abc@g.us", "abc@g.us", "alt-chat",
                          "4477001122", "123-4567", "7946"})
    EXPECT_EQ(out.find(raw), std::string::npos) << raw << " in " << out;
}

TEST(PiiRedactTest, FieldsTakeTheContextPromptForms) {
  auto r = redact_export(sample_export());
  EXPECT_EQ(r["user_id"], pii_hash_user_id("u-555"));
  EXPECT_EQ(r["chat_id"], "grp:" + pii_hash_id("abc@g.us"));
  EXPECT_EQ(r["origin"]["user_id_alt"], pii_hash_user_id("4477001122"));
  EXPECT_EQ(r["origin"]["chat_id_alt"], pii_hash_chat_id("alt-chat"));
  EXPECT_EQ(r["origin"]["platform"], "whatsapp");
  EXPECT_EQ(r["thread_id"], "t9"); // not PII
  EXPECT_EQ(r["title"], "Notes for " + pii_hash_user_id("u-555"));
}

TEST(PiiRedactTest, SessionKeyKeepsItsShape) {
  auto r = redact_export(sample_export());
  EXPECT_EQ(r["session_key"],
            "agent:main:whatsapp:group:grp:" + pii_hash_id("abc@g.us") +
              ":t9:" + pii_hash_user_id("u-555"));
}

TEST(PiiRedactTest, UnknownKeyComponentsAreHashedWhole) {
  json doc = {{"session_key", "agent:main:signal:dm:+15550001111:th"}};
  EXPECT_EQ(redact_export(doc)["session_key"],
            "agent:main:signal:dm:" + pii_hash_id("+15550001111:th"));
  json odd = {{"session_key", "custom key with +49 30 1234567"}};
  EXPECT_EQ(redact_export(odd)["session_key"],
            "custom key with " + pii_hash_user_id("+49301234567"));
}

TEST(PiiRedactTest, DmChatIdEqualToUserIdReadsAsChatInTheKey) {
  json doc = {{"user_id", "777"},
              {"chat_id", "777"},
              {"session_key", "agent:main:telegram:dm:777"},
              {"content", "hi 777"}};
  auto r = redact_export(doc);
  EXPECT_EQ(r["session_key"], "agent:main:telegram:dm:" + pii_hash_id("777"));
  EXPECT_EQ(r["content"], "hi " + pii_hash_user_id("777"));
}

TEST(PiiRedactTest, SameHashAsTheRedactedContextPrompt) {
  source s;
  s.platform = "telegram";
  s.user_id = "u-555";
  s.chat_id = "grp:abc@g.us";
  session_context ctx;
  ctx.origin = s;
  std::string prompt = build_session_context_prompt(ctx, true);
  auto r = redact_export(sample_export());
  EXPECT_NE(prompt.find(r["user_id"].get<std::string>()), std::string::npos);
  EXPECT_NE(prompt.find(r["chat_id"].get<std::string>()), std::string::npos);
}

TEST(PiiRedactTest, IdsAreReplacedOnlyAsWholeWords) {
  json doc = {{"user_id", "555"}, {"content", "5555 x555 555 (555) 555."}};
  std::string h = pii_hash_user_id("555");
  EXPECT_EQ(redact_export(doc)["content"],
            "5555 x555 " + h + " (" + h + ") " + h + ".");
}

TEST(PiiRedactTest, InputIsNotModified) {
  auto doc = sample_export();
  auto copy = doc;
  (void)redact_export(doc);
  EXPECT_EQ(doc, copy);
}

TEST(PhonePatternTest, E164WithCommonSeparators) {
  std::string h = pii_hash_user_id("+15551234567");
  EXPECT_EQ(redact_phone_numbers("+15551234567"), h);
  EXPECT_EQ(redact_phone_numbers("call +1 555 123 4567."), "call " + h + ".");
  EXPECT_EQ(redact_phone_numbers("+1 (555) 123-4567"), h);
  EXPECT_EQ(redact_phone_numbers("+1.555.123.4567"), h);
  EXPECT_EQ(redact_phone_numbers("(+1-555-123-4567)"), "(" + h + ")");
}

TEST(PhonePatternTest, NotPhoneNumbers) {
  for (const char* s :
       {"+123456", "5551234567", "+1234567890123456", "a+15551234567",
        "+15551234567abc", "1+2", "+ 5551234567", "+1   555 1234567"})
    EXPECT_EQ(redact_phone_numbers(s), s) << s;
}

TEST(PhonePatternTest, SevenAndFifteenDigitsAreTheBounds) {
  EXPECT_EQ(redact_phone_numbers("+1234567"), pii_hash_user_id("+1234567"));
  EXPECT_EQ(redact_phone_numbers("+123456789012345"),
            pii_hash_user_id("+123456789012345"));
}

} // namespace
} // namespace switchboard::core
