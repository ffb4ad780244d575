// HTTP/1.1 on the wire for the event-driven client (loadgen/http_wire.hpp):
// a request's bytes, and where one reply ends in the bytes read so far.

#include "loadgen/http_wire.hpp"

#include <gtest/gtest.h>

namespace lg = switchboard::loadgen;

namespace {

const lg::wire_reply* reply_of(const lg::wire_parse& p) {
  return std::get_if<lg::wire_reply>(&p);
}

std::string malformed(const lg::wire_parse& p) {
  auto* m = std::get_if<lg::wire_malformed>(&p);
  return m ? m->why : "";
}

TEST(LoadgenHttpWireTest, ARequestCarriesHostLengthTypeAndToken) {
  EXPECT_EQ(lg::request_bytes("POST", "127.0.0.1:8377", "/v1/messages",
                              R"({"a":1})", std::nullopt),
            "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1:8377\r\n"
            "Accept: application/json\r\nContent-Type: application/json\r\n"
            "Content-Length: 7\r\n\r\n{\"a\":1}");
  auto with_token = lg::request_bytes("POST", "h:1", "/x", "", "secret");
  EXPECT_NE(with_token.find("\r\nAuthorization: Bearer secret\r\n"),
            std::string::npos);
  EXPECT_NE(with_token.find("\r\nContent-Length: 0\r\n"), std::string::npos);
  EXPECT_TRUE(with_token.ends_with("\r\n\r\n"));
}

TEST(LoadgenHttpWireTest, AReplyEndsAfterContentLengthBytes) {
  std::string head = "HTTP/1.1 201 Created\r\ncontent-LENGTH:  5 \r\n"
                     "Content-Type: application/json\r\n\r\n";
  auto two = head;
  two += "hello";
  two += "HTTP/1.1 200 OK"; // the start of the next reply
  auto p = lg::parse_reply(two);
  ASSERT_TRUE(reply_of(p)) << malformed(p);
  EXPECT_EQ(reply_of(p)->status, 201);
  EXPECT_EQ(reply_of(p)->body_offset, head.size());
  EXPECT_EQ(reply_of(p)->body_size, 5u);
  EXPECT_EQ(reply_of(p)->size, head.size() + 5);
  EXPECT_FALSE(reply_of(p)->close);
}

TEST(LoadgenHttpWireTest, PartsOfAReplyAreIncomplete) {
  std::string whole = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody";
  for (std::size_t n = 0; n < whole.size(); ++n)
    EXPECT_TRUE(std::holds_alternative<lg::wire_incomplete>(
      lg::parse_reply(whole.substr(0, n))))
      << n;
  EXPECT_TRUE(reply_of(lg::parse_reply(whole)));
}

TEST(LoadgenHttpWireTest, ConnectionCloseIsSeen) {
  auto p = lg::parse_reply(
    "HTTP/1.1 503 X\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(reply_of(p)) << malformed(p);
  EXPECT_EQ(reply_of(p)->status, 503);
  EXPECT_TRUE(reply_of(p)->close);
}

TEST(LoadgenHttpWireTest, RepliesTheClientCannotDelimitAreMalformed) {
  EXPECT_EQ(malformed(lg::parse_reply("HTTP/1.1 200 OK\r\n\r\n")),
            "reply without Content-Length");
  EXPECT_EQ(malformed(lg::parse_reply(
              "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")),
            "chunked replies are not supported");
  EXPECT_EQ(
    malformed(lg::parse_reply("HTTP/1.1 200 OK\r\nContent-Length: 4x\r\n\r\n")),
    "bad Content-Length");
  EXPECT_EQ(malformed(lg::parse_reply("SSH-2.0-OpenSSH\r\n\r\n")),
            "not an HTTP/1.x status line");
  EXPECT_EQ(malformed(lg::parse_reply(std::string(70000, 'x'))),
            "reply headers over 64 KiB");
}

} // namespace
