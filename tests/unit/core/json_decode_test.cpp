#include "core/json_decode.hpp"

#include <gtest/gtest.h>

namespace switchboard::core {
namespace {

using nlohmann::json;

TEST(JsonDecodeTest, NotAnObjectFailsAtOnce) {
  for (const auto& j : {json::array(), json(1), json("x"), json(nullptr)}) {
    object_reader r(j, "body");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err(), bad_request("body: expected object"));
  }
}

TEST(JsonDecodeTest, ReadsAfterAFailureAreNoOps) {
  const json r_body = json(3);
  object_reader r(r_body, "body");
  EXPECT_EQ(r.find("a"), nullptr);
  EXPECT_EQ(r.optional_string("a", 10), std::nullopt);
  r.fail("a", "other");
  EXPECT_EQ(r.err().message, "body: expected object");
}

TEST(JsonDecodeTest, RejectsTheFirstUnknownKey) {
  const json r_body = json{{"a", 1}, {"zz", 2}};
  object_reader r(r_body, "body");
  r.reject_unknown({"a", "b"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().message, "body.zz: unknown field");
}

TEST(JsonDecodeTest, KnownKeysPass) {
  const json r_body = json{{"a", 1}};
  object_reader r(r_body, "body");
  r.reject_unknown({"a", "b"});
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.finish().ok());
}

TEST(JsonDecodeTest, NullIsAbsent) {
  const json r_body = json{{"a", nullptr}};
  object_reader r(r_body, "body");
  EXPECT_EQ(r.find("a"), nullptr);
  EXPECT_EQ(r.optional_string("a", 10), std::nullopt);
  EXPECT_EQ(r.optional_int("a"), std::nullopt);
  EXPECT_EQ(r.optional_bool("a"), std::nullopt);
  EXPECT_EQ(r.optional_number("a"), std::nullopt);
  EXPECT_TRUE(r.ok());
}

TEST(JsonDecodeTest, OptionalStringChecksTypeUtf8AndLength) {
  json j{{"s", "abcd"}, {"n", 1}, {"bad", "\xC3"}};
  {
    object_reader r(j, "b");
    EXPECT_EQ(r.optional_string("s", 4), "abcd");
    EXPECT_TRUE(r.ok());
  }
  {
    object_reader r(j, "b");
    EXPECT_EQ(r.optional_string("s", 3), std::nullopt);
    EXPECT_EQ(r.err().message, "b.s: longer than 3 bytes");
  }
  {
    object_reader r(j, "b");
    r.optional_string("n", 3);
    EXPECT_EQ(r.err().message, "b.n: expected string");
  }
  {
    object_reader r(j, "b");
    r.optional_string("bad", 3);
    EXPECT_EQ(r.err().message, "b.bad: invalid UTF-8");
  }
}

TEST(JsonDecodeTest, RequiredStringNamesTheMissingField) {
  const json r_body = json::object();
  object_reader r(r_body, "b");
  EXPECT_EQ(r.required_string("name", 10), std::nullopt);
  EXPECT_EQ(r.err(), bad_request("b.name: required"));
}

TEST(JsonDecodeTest, IntegersMustBeWholeAndInRange) {
  json j{{"ok", 7},
         {"neg", -1},
         {"float", 3.0},
         {"str", "3"},
         {"huge", 18446744073709551615ULL},
         {"max", 9223372036854775807LL}};
  object_reader r(j, "b");
  EXPECT_EQ(r.optional_int("ok"), 7);
  EXPECT_EQ(r.optional_int("max"), 9223372036854775807LL);
  EXPECT_EQ(r.optional_int("neg", -5), -1);
  EXPECT_TRUE(r.ok());
  auto message_of = [&](std::string_view key, std::int64_t min,
                        std::int64_t max) {
    object_reader one(j, "b");
    one.optional_int(key, min, max);
    return one.ok() ? std::string{"ok"} : one.err().message;
  };
  auto big = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(message_of("neg", 0, big), "b.neg: expected integer >= 0");
  EXPECT_EQ(message_of("float", 0, big), "b.float: expected integer");
  EXPECT_EQ(message_of("str", 0, big), "b.str: expected integer");
  EXPECT_EQ(message_of("huge", 0, big), "b.huge: expected integer >= 0");
  EXPECT_EQ(message_of("ok", 0, 5), "b.ok: expected integer between 0 and 5");
  EXPECT_EQ(message_of("ok", 8, 10), "b.ok: expected integer between 8 and 10");
  EXPECT_EQ(message_of("ok", -10, -1),
            "b.ok: expected integer between -10 and -1");
}

TEST(JsonDecodeTest, Booleans) {
  const json r_body = json{{"t", true}, {"n", 1}};
  object_reader r(r_body, "b");
  EXPECT_EQ(r.optional_bool("t"), true);
  r.optional_bool("n");
  EXPECT_EQ(r.err().message, "b.n: expected boolean");
}

TEST(JsonDecodeTest, NumbersMustBeFinite) {
  json j{{"i", 2},
         {"f", 0.25},
         {"s", "1"},
         {"nan", std::numeric_limits<double>::quiet_NaN()}};
  object_reader r(j, "b");
  EXPECT_EQ(r.optional_number("i"), 2.0);
  EXPECT_EQ(r.optional_number("f"), 0.25);
  r.optional_number("s");
  EXPECT_EQ(r.err().message, "b.s: expected number");
  object_reader r2(j, "b");
  r2.optional_number("nan");
  EXPECT_EQ(r2.err().message, "b.nan: expected finite number");
}

TEST(JsonDecodeTest, FirstErrorWins) {
  const json r_body = json{{"a", 1}, {"b", 2}};
  object_reader r(r_body, "x");
  r.optional_string("a", 5);
  r.optional_string("b", 5);
  r.fail("c", "custom");
  EXPECT_EQ(r.err().message, "x.a: expected string");
  EXPECT_EQ(r.finish().err().message, "x.a: expected string");
}

TEST(JsonDecodeTest, PathsNestAndStaySafe) {
  EXPECT_EQ(json_field_path("items[2].source", "user_id"),
            "items[2].source.user_id");
  EXPECT_EQ(json_field_path("", "user_id"), "user_id");
  EXPECT_EQ(json_field_path("s", "a\nb"), "s.<invalid key>");
  EXPECT_EQ(json_field_path("s", "\xFF"), "s.<invalid key>");
  auto shown = json_field_path("s", std::string(500, 'k'));
  EXPECT_LT(shown.size(), 40u);
  EXPECT_EQ(shown.substr(shown.size() - 3), "...");
}

TEST(JsonDecodeTest, ErrorsAreSafeToSerialize) {
  const json r_body = json{{"\xC3\x28", 1}}; // key with invalid UTF-8
  object_reader r(r_body, "b");
  r.reject_unknown({});
  ASSERT_FALSE(r.ok());
  EXPECT_NO_THROW(static_cast<void>(json(r.err().message).dump()));
}

TEST(JsonDecodeTest, JsonErrorIsBadRequest) {
  EXPECT_EQ(json_error("a.b", "nope"), bad_request("a.b: nope"));
}

} // namespace
} // namespace switchboard::core
