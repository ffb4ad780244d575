#include "cluster/nats_client.hpp"

#include <gtest/gtest.h>

namespace switchboard::cluster {
namespace {

TEST(NatsUrlsTest, ListsAreSplitAndTrimmed) {
  auto urls = parse_nats_urls("nats://127.0.0.1:4222, 127.0.0.1:4223 ,nats://h",
                              "--nats");
  ASSERT_TRUE(urls) << urls.err().message;
  EXPECT_EQ(*urls, (std::vector<std::string>{"nats://127.0.0.1:4222",
                                             "127.0.0.1:4223", "nats://h"}));
}

TEST(NatsUrlsTest, BadItemsNameTheFlag) {
  const std::pair<const char*, const char*> cases[] = {
    {"", "--nats: empty URL"},
    {"nats://a:1,,nats://b:2", "--nats: empty URL"},
    {"tls://a:1", "--nats: URL \"tls://a:1\" is not nats://HOST:PORT"},
    {"nats://", "--nats: URL \"nats://\" has no host"},
    {":4222", "--nats: URL \":4222\" has no host"},
    {"nats://a b:1",
     "--nats: URL \"nats://a b:1\" contains a space or control character"},
  };
  for (const auto& [text, message] : cases) {
    auto urls = parse_nats_urls(text, "--nats");
    ASSERT_FALSE(urls) << text;
    EXPECT_EQ(urls.err().code, core::errc::bad_request);
    EXPECT_EQ(urls.err().message, message);
  }
}

TEST(NatsClientTest, NoServerIsUnavailable) {
  auto c = nats_client::connect({"nats://127.0.0.1:1"},
                                std::chrono::milliseconds(500));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.err().code, core::errc::overloaded);
  EXPECT_EQ(c.err().message, "NATS unavailable: cannot connect to NATS at "
                             "nats://127.0.0.1:1: No server available for "
                             "connection");
}

} // namespace
} // namespace switchboard::cluster
