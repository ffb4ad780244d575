// The memory flush hooks (SPEC 8): webhook and command.

#include "actors/flush_hook.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace switchboard::actors {
namespace {

/// A one-shot HTTP server on 127.0.0.1: answers the first request with
/// `status` and keeps the request it got.
class one_shot_server {
public:
  explicit one_shot_server(int status) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 1);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this, status] { serve(status); });
  }
  ~one_shot_server() {
    thread_.join();
    ::close(fd_);
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/flush";
  }
  std::string request; // valid after the client got its answer

private:
  void serve(int status) {
    int c = ::accept(fd_, nullptr, nullptr);
    char buf[4096];
    while (request.find("}") == std::string::npos) {
      auto n = ::read(c, buf, sizeof buf);
      if (n <= 0)
        break;
      request.append(buf, static_cast<std::size_t>(n));
    }
    auto reply = "HTTP/1.1 " + std::to_string(status) +
                 " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    (void)::write(c, reply.data(), reply.size());
    ::close(c);
  }
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

nlohmann::json payload() {
  return {
    {"event", "memory_flush"}, {"session_id", "s1"}, {"message_count", 5}};
}

TEST(FlushHookTest, WebhookPostsJsonAndAccepts2xx) {
  one_shot_server srv(204);
  EXPECT_TRUE(run_webhook(srv.url(), payload(), 5).ok());
  // The destructor joins the server thread; request is complete by then.
}

TEST(FlushHookTest, WebhookRequestCarriesThePayload) {
  std::string req;
  {
    one_shot_server srv(200);
    EXPECT_TRUE(run_webhook(srv.url(), payload(), 5).ok());
    req = srv.request;
  }
  EXPECT_NE(req.find("POST /flush"), std::string::npos);
  EXPECT_NE(req.find("application/json"), std::string::npos);
  EXPECT_NE(req.find("\"memory_flush\""), std::string::npos);
}

TEST(FlushHookTest, WebhookFailsOnNon2xx) {
  one_shot_server srv(500);
  EXPECT_FALSE(run_webhook(srv.url(), payload(), 5).ok());
}

TEST(FlushHookTest, CommandExitStatusDecides) {
  EXPECT_TRUE(run_command("grep -q memory_flush", payload(), 5, "/tmp").ok());
  EXPECT_FALSE(run_command("exit 3", payload(), 5, "/tmp").ok());
}

TEST(FlushHookTest, CommandIsKilledAfterTimeout) {
  auto st = run_command("sleep 30", payload(), 0.1, "/tmp");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.err().message.find("timed out"), std::string::npos);
}

// The shell's children die with it: a `sleep` left running would keep every
// descriptor it inherited (the test runner's stdout pipe) open for 30 s.
TEST(FlushHookTest, CommandTimeoutKillsTheShellsChildren) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0); // no O_CLOEXEC: the command inherits the write end
  auto st = run_command("sleep 30; exit 0", payload(), 0.1, "/tmp");
  ::close(p[1]);
  EXPECT_FALSE(st.ok());
  // EOF once no process holds the write end any more; the bound only keeps
  // a regression from hanging the suite.
  pollfd pf{p[0], POLLIN, 0};
  ASSERT_EQ(::poll(&pf, 1, 10000), 1) << "a child of the hook still runs";
  char c = 0;
  EXPECT_EQ(::read(p[0], &c, 1), 0);
  ::close(p[0]);
}

} // namespace
} // namespace switchboard::actors
