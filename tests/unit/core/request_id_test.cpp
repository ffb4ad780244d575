#include "core/request_id.hpp"

#include "core/message.hpp"

#include <gtest/gtest.h>

namespace switchboard::core {
namespace {

TEST(RequestIdTest, AcceptsTheDocumentedAlphabetUpTo128Bytes) {
  EXPECT_TRUE(valid_request_id("a"));
  EXPECT_TRUE(valid_request_id("tg:update-123_4.5"));
  EXPECT_TRUE(valid_request_id(std::string(128, 'x')));
  EXPECT_FALSE(valid_request_id(""));
  EXPECT_FALSE(valid_request_id(std::string(129, 'x')));
  for (const char* bad : {"a b", "a/b", "a\"b", "é", "a\nb", "a%20"})
    EXPECT_FALSE(valid_request_id(bad)) << bad;
}

TEST(RequestIdTest, DecodeNamesTheFieldPath) {
  auto absent = decode_request_id(nlohmann::json::object(), "items[2]");
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(*absent, std::nullopt);
  auto null = decode_request_id({{"request_id", nullptr}}, "");
  EXPECT_EQ(*null, std::nullopt);
  auto ok = decode_request_id({{"request_id", "r-1"}}, "");
  EXPECT_EQ(*ok, "r-1");
  auto bad = decode_request_id({{"request_id", "a b"}}, "items[2]");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.err().code, errc::bad_request);
  EXPECT_EQ(bad.err().message, "items[2].request_id: expected 1-128 "
                               "characters of A-Z a-z 0-9 . _ : -");
  auto number = decode_request_id({{"request_id", 5}}, "");
  EXPECT_EQ(number.err().message, "request_id: expected string");
}

TEST(RequestIdTest, MessageCarriesAPlatformMessageId) {
  auto m = decode_message({{"role", "user"}, {"platform_message_id", "tg-9"}});
  ASSERT_TRUE(m.ok()) << m.err().message;
  EXPECT_EQ(m->platform_message_id, "tg-9");
  auto empty = decode_message({{"role", "user"}, {"platform_message_id", ""}});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.err().message, "message.platform_message_id: must not be "
                                 "empty");
  auto longer = decode_message(
    {{"role", "user"}, {"platform_message_id", std::string(257, 'x')}});
  ASSERT_FALSE(longer.ok());
  EXPECT_NE(longer.err().message.find("message.platform_message_id"),
            std::string::npos);
}

} // namespace
} // namespace switchboard::core
