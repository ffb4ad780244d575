// api.max_connections: the server holds at most that many client
// connections open; the next client waits in the listen backlog and is
// served as soon as one of them closes.

#include "api_test_util.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace switchboard::api::testing {
namespace {

/// A raw loopback TCP connection (closed on destruction).
class raw_connection {
public:
  explicit raw_connection(std::uint16_t port)
    : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ =
      ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~raw_connection() { close(); }
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  bool connected() const { return connected_; }
  bool send_all(const std::string& data) {
    return ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(data.size());
  }
  /// True when a reply byte arrives within `ms`.
  bool readable_within(int ms) {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
  }
  /// Reads what is there (after readable_within).
  std::string read_some() {
    char buf[4096];
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
  }
  void close() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
  }

private:
  int fd_;
  bool connected_ = false;
};

const std::string healthz_request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";

TEST(ConnectionLimitTest, ExtraClientWaitsUntilAConnectionCloses) {
  fake_engine eng;
  server_options opts;
  opts.host = "127.0.0.1";
  opts.port = 0;
  opts.max_connections = 1;
  auto s = start_server(eng, std::move(opts));
  ASSERT_TRUE(s.ok()) << s.err().message;
  auto port = s.value().port();

  raw_connection first(port);
  ASSERT_TRUE(first.connected());
  ASSERT_TRUE(first.send_all(healthz_request));
  ASSERT_TRUE(first.readable_within(10000)); // accepted and served
  EXPECT_NE(first.read_some().find("200 OK"), std::string::npos);

  raw_connection second(port); // completes in the kernel's backlog
  ASSERT_TRUE(second.connected());
  ASSERT_TRUE(second.send_all(healthz_request));
  // Not accepted while `first` is open: no answer. (This wait can only
  // make the test pass wrongly, on a machine too slow to answer in 300 ms,
  // never fail wrongly.)
  EXPECT_FALSE(second.readable_within(300));

  first.close();
  ASSERT_TRUE(second.readable_within(10000));
  EXPECT_NE(second.read_some().find("200 OK"), std::string::npos);
}

} // namespace
} // namespace switchboard::api::testing
