#include "core/session_key.hpp"
#include "core/source.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace switchboard::core {
namespace {

using nlohmann::json;

source make(std::string platform, chat_type type = chat_type::dm) {
  source s;
  s.platform = std::move(platform);
  s.type = type;
  return s;
}

/// The error message of decoding `j`, or "ok".
std::string decode_error(const json& j) {
  auto r = decode_source(j);
  if (r)
    return "ok";
  EXPECT_EQ(r.err().code, errc::bad_request);
  return r.err().message;
}

TEST(SourceTest, ChatTypeNamesRoundTrip) {
  for (auto t :
       {chat_type::dm, chat_type::group, chat_type::channel, chat_type::thread})
    EXPECT_EQ(parse_chat_type(to_string(t)), t);
  EXPECT_EQ(to_string(chat_type::channel), "channel");
  EXPECT_EQ(parse_chat_type("DM"), std::nullopt);
  EXPECT_EQ(parse_chat_type(""), std::nullopt);
  EXPECT_EQ(parse_chat_type("private"), std::nullopt);
}

TEST(SourceTest, DecodesEveryField) {
  json j{{"platform", "signal"},    {"chat_type", "group"},
         {"chat_id", "-100123"},    {"chat_name", "Team"},
         {"user_id", "42"},         {"user_name", "Ana"},
         {"thread_id", "t1"},       {"chat_topic", "Ops"},
         {"user_id_alt", "uuid-1"}, {"chat_id_alt", "g-1"}};
  auto s = decode_source(j);
  ASSERT_TRUE(s) << s.err().message;
  EXPECT_EQ(s->platform, "signal");
  EXPECT_EQ(s->type, chat_type::group);
  EXPECT_EQ(s->chat_id, "-100123");
  EXPECT_EQ(s->chat_name, "Team");
  EXPECT_EQ(s->user_id, "42");
  EXPECT_EQ(s->user_name, "Ana");
  EXPECT_EQ(s->thread_id, "t1");
  EXPECT_EQ(s->chat_topic, "Ops");
  EXPECT_EQ(s->user_id_alt, "uuid-1");
  EXPECT_EQ(s->chat_id_alt, "g-1");
}

TEST(SourceTest, OnlyPlatformIsRequiredAndChatTypeDefaultsToDm) {
  auto s = decode_source(json{{"platform", "telegram"}});
  ASSERT_TRUE(s);
  EXPECT_EQ(*s, make("telegram"));
  EXPECT_EQ(s->type, chat_type::dm);
}

TEST(SourceTest, NullMeansAbsent) {
  auto s = decode_source(json{{"platform", "slack"},
                              {"chat_type", nullptr},
                              {"chat_id", nullptr},
                              {"user_name", nullptr}});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->type, chat_type::dm);
  EXPECT_EQ(s->chat_id, std::nullopt);
  EXPECT_EQ(s->user_name, std::nullopt);
}

TEST(SourceTest, EmptyStringIsKeptAsGiven) {
  auto s = decode_source(json{{"platform", "slack"}, {"chat_id", ""}});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->chat_id, "");
}

TEST(SourceTest, PlatformRequired) {
  EXPECT_EQ(decode_error(json::object()), "source.platform: required");
  EXPECT_EQ(decode_error(json{{"platform", nullptr}}),
            "source.platform: required");
  EXPECT_EQ(decode_error(json{{"platform", 5}}),
            "source.platform: expected string");
}

TEST(SourceTest, PlatformMustMatchThePattern) {
  for (const char* bad : {"", "Telegram", "tele-gram", "tele gram", "tg.x",
                          "\xC3\xA9", "abcdefghijklmnopqrstuvwxyz0123456"})
    EXPECT_EQ(decode_error(json{{"platform", bad}}),
              "source.platform: expected [a-z0-9_]{1,32}")
      << bad;
  for (const char* good : {"telegram", "api_server", "x", "a1",
                           "abcdefghijklmnopqrstuvwxyz012345"})
    EXPECT_EQ(decode_error(json{{"platform", good}}), "ok") << good;
}

TEST(SourceTest, ChatTypeMustBeKnown) {
  const std::string expected =
    "source.chat_type: expected one of dm, group, channel, thread";
  EXPECT_EQ(decode_error(json{{"platform", "x"}, {"chat_type", "private"}}),
            expected);
  EXPECT_EQ(decode_error(json{{"platform", "x"}, {"chat_type", "Group"}}),
            expected);
  EXPECT_EQ(decode_error(json{{"platform", "x"}, {"chat_type", 1}}), expected);
  for (const char* t : {"dm", "group", "channel", "thread"})
    EXPECT_EQ(decode_error(json{{"platform", "x"}, {"chat_type", t}}), "ok");
}

TEST(SourceTest, FieldsMustBeStrings) {
  EXPECT_EQ(decode_error(json{{"platform", "x"}, {"user_id", 42}}),
            "source.user_id: expected string");
  EXPECT_EQ(decode_error(json{{"platform", "x"}, {"chat_id", true}}),
            "source.chat_id: expected string");
  EXPECT_EQ(decode_error(json{{"platform", "x"}, {"thread_id", json::array()}}),
            "source.thread_id: expected string");
}

TEST(SourceTest, FieldsMustBeValidUtf8) {
  EXPECT_EQ(
    decode_error(json{{"platform", "x"}, {"user_name", "\xED\xA0\x80"}}),
    "source.user_name: invalid UTF-8");
}

TEST(SourceTest, LengthLimitsAreInBytes) {
  auto with = [](const char* field, std::size_t bytes) {
    return json{{"platform", "x"}, {field, std::string(bytes, 'a')}};
  };
  EXPECT_EQ(decode_error(with("user_id", 256)), "ok");
  EXPECT_EQ(decode_error(with("user_id", 257)),
            "source.user_id: longer than 256 bytes");
  EXPECT_EQ(decode_error(with("chat_id_alt", 257)),
            "source.chat_id_alt: longer than 256 bytes");
  EXPECT_EQ(decode_error(with("chat_name", 1024)), "ok");
  EXPECT_EQ(decode_error(with("chat_name", 1025)),
            "source.chat_name: longer than 1024 bytes");
  EXPECT_EQ(decode_error(with("chat_topic", 1024)), "ok");
  EXPECT_EQ(decode_error(with("chat_topic", 1025)),
            "source.chat_topic: longer than 1024 bytes");
  // 86 three-byte code points = 258 bytes: bytes count, not characters.
  std::string wide;
  for (int i = 0; i < 86; ++i)
    wide += "\xE6\x97\xA5";
  EXPECT_EQ(decode_error(json{{"platform", "x"}, {"user_name", wide}}),
            "source.user_name: longer than 256 bytes");
}

TEST(SourceTest, UnknownFieldsAreRejected) {
  EXPECT_EQ(decode_error(json{{"platform", "x"}, {"chat_idd", "1"}}),
            "source.chat_idd: unknown field");
  EXPECT_EQ(decode_error(json{{"platform", "x"}, {"extra", nullptr}}),
            "source.extra: unknown field");
}

TEST(SourceTest, NotAnObjectIsRejected) {
  EXPECT_EQ(decode_error(json::array({"telegram"})), "source: expected object");
  EXPECT_EQ(decode_error(json("telegram")), "source: expected object");
  EXPECT_EQ(decode_error(json(nullptr)), "source: expected object");
}

TEST(SourceTest, ErrorsUseTheGivenPath) {
  auto r =
    decode_source(json{{"platform", "x"}, {"user_id", 1}}, "items[3].source");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().message, "items[3].source.user_id: expected string");
}

TEST(SourceTest, EncodeMatchesTheSeedsToDict) {
  auto s = make("telegram", chat_type::group);
  s.chat_id = "99";
  s.user_id = "42";
  json expected{{"platform", "telegram"}, {"chat_id", "99"},
                {"chat_name", nullptr},   {"chat_type", "group"},
                {"user_id", "42"},        {"user_name", nullptr},
                {"thread_id", nullptr},   {"chat_topic", nullptr}};
  EXPECT_EQ(encode_source(s), expected);
}

TEST(SourceTest, EncodeAddsAltIdsOnlyWhenSet) {
  auto s = make("signal");
  s.user_id_alt = "uuid";
  s.chat_id_alt = "";
  auto j = encode_source(s);
  EXPECT_EQ(j.at("user_id_alt"), "uuid");
  EXPECT_FALSE(j.contains("chat_id_alt"));
}

TEST(SourceTest, EncodeThenDecodeRoundTrips) {
  auto s = make("discord", chat_type::thread);
  s.chat_id = "guild-1";
  s.chat_name = "general";
  s.user_id = "7";
  s.user_name = "Bo";
  s.thread_id = "t";
  s.chat_topic = "news";
  s.user_id_alt = "u";
  s.chat_id_alt = "c";
  auto back = decode_source(encode_source(s));
  ASSERT_TRUE(back) << back.err().message;
  EXPECT_EQ(*back, s);
}

TEST(SourceTest, LenientIgnoresUnknownFields) {
  auto s = decode_source_lenient(
    json{{"platform", "telegram"}, {"chat_id", "1"}, {"legacy", 5}});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->chat_id, "1");
}

TEST(SourceTest, LenientConvertsScalarsLikePythonStr) {
  auto s = decode_source_lenient(json{{"platform", "telegram"},
                                      {"chat_id", -100123},
                                      {"user_id", 42},
                                      {"thread_id", 1.5},
                                      {"user_id_alt", true},
                                      {"chat_id_alt", false}});
  ASSERT_TRUE(s) << s.err().message;
  EXPECT_EQ(s->chat_id, "-100123");
  EXPECT_EQ(s->user_id, "42");
  EXPECT_EQ(s->thread_id, "1.5");
  EXPECT_EQ(s->user_id_alt, "True");
  EXPECT_EQ(s->chat_id_alt, "False");
}

TEST(SourceTest, LenientFormatsFloatsLikePython) {
  auto str_of = [](double d) {
    const json j{{"platform", "x"}, {"chat_id", d}};
    return decode_source_lenient(j)->chat_id.value_or("?");
  };
  EXPECT_EQ(str_of(1.0), "1.0");
  EXPECT_EQ(str_of(0.1), "0.1");
  EXPECT_EQ(str_of(1e-5), "1e-05");
  EXPECT_EQ(str_of(1e15), "1000000000000000.0");
  EXPECT_EQ(str_of(-1e15), "-1000000000000000.0");
  EXPECT_EQ(str_of(1234567890123456.0), "1234567890123456.0");
  EXPECT_EQ(str_of(1e16), "1e+16");
  EXPECT_EQ(str_of(123456789012345.6), "123456789012345.6");
}

TEST(SourceTest, LenientConvertsLargeIdsExactly) {
  auto s = decode_source_lenient(json::parse(
    R"({"platform": "telegram", "chat_id": 9007199254740993,
        "user_id": 18446744073709551615})"));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->chat_id, "9007199254740993");
  EXPECT_EQ(s->user_id, "18446744073709551615");
}

TEST(SourceTest, LenientStillRequiresPlatform) {
  auto r = decode_source_lenient(json{{"chat_id", "1"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err(), bad_request("source.platform: required"));
}

TEST(SourceTest, LenientDefaultsAndNulls) {
  auto s = decode_source_lenient(
    json{{"platform", "local"}, {"chat_id", nullptr}, {"chat_type", nullptr}});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->type, chat_type::dm);
  EXPECT_EQ(s->chat_id, std::nullopt);
}

TEST(SourceTest, LenientRejectsWhatCannotBeAString) {
  auto r =
    decode_source_lenient(json{{"platform", "x"}, {"user_id", json::object()}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().message, "source.user_id: expected string");
  EXPECT_FALSE(decode_source_lenient(json::array()));
  EXPECT_FALSE(
    decode_source_lenient(json{{"platform", "x"}, {"chat_type", "forum"}}));
}

TEST(SourceTest, LenientAcceptsTheSeedsToDictOutput) {
  auto s = make("whatsapp", chat_type::group);
  s.chat_id = "123@g.us";
  s.chat_name = std::string(2000, 'n');
  s.user_id = "555";
  auto back = decode_source_lenient(encode_source(s));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, s); // no length limits on import
}

} // namespace
} // namespace switchboard::core

namespace switchboard::core {
namespace {

TEST(SourceKeyFieldsTest, ControlCharactersInKeyFieldsAreRejected) {
  for (const char* field : {"chat_id", "user_id", "user_id_alt", "thread_id"})
    for (const std::string& bad :
         {std::string("a\0b", 3), std::string("a\nb"), std::string("a\x7f"),
          std::string("a\xc2\x85")}) {
      nlohmann::json j{{"platform", "telegram"}, {field, bad}};
      auto r = decode_source(j, "source");
      ASSERT_FALSE(r.ok()) << field;
      EXPECT_EQ(r.err().code, errc::bad_request);
      EXPECT_NE(r.err().message.find(std::string("source.") + field),
                std::string::npos)
        << r.err().message;
    }
}

TEST(SourceKeyFieldsTest, EveryDecodedSourceGivesAnAddressableKey) {
  nlohmann::json j{{"platform", "telegram"},
                   {"chat_type", "group"},
                   {"chat_id", "c\xc2\xa0:1"}, // NBSP and ':' are fine
                   {"user_id", "u"},
                   {"thread_id", "t"},
                   {"chat_name", "line\nbreak"}}; // not part of the key
  auto r = decode_source(j, "source");
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_TRUE(valid_session_key(build_session_key(*r, key_settings{})));
}

} // namespace
} // namespace switchboard::core
