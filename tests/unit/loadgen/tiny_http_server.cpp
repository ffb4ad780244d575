#include "tests/unit/loadgen/tiny_http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace switchboard::loadgen::testing {

namespace {

/// Reads one request from `fd` into `req`, keeping what follows in `buf`.
bool read_request(int fd, std::string& buf, tiny_request& req) {
  char chunk[16384];
  std::size_t end;
  while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
    auto n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0)
      return false;
    buf.append(chunk, static_cast<std::size_t>(n));
  }
  auto head = buf.substr(0, end);
  auto sp1 = head.find(' ');
  auto sp2 = head.find(' ', sp1 + 1);
  req.method = head.substr(0, sp1);
  req.path = head.substr(sp1 + 1, sp2 - sp1 - 1);
  std::size_t length = 0;
  for (auto pos = head.find("\r\n"); pos != std::string::npos;
       pos = head.find("\r\n", pos + 2)) {
    auto line = head.substr(pos + 2, head.find("\r\n", pos + 2) - pos - 2);
    for (auto& c : line)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (line.rfind("content-length:", 0) == 0)
      length = std::strtoul(line.c_str() + 15, nullptr, 10);
  }
  buf.erase(0, end + 4);
  while (buf.size() < length) {
    auto n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0)
      return false;
    buf.append(chunk, static_cast<std::size_t>(n));
  }
  req.body = buf.substr(0, length);
  buf.erase(0, length);
  return true;
}

bool send_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    auto n = ::send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
    if (n <= 0)
      return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

} // namespace

tiny_http_server::tiny_http_server(
  std::function<tiny_reply(const tiny_request&)> h)
  : handler_(std::move(h)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(listen_fd_, 256);
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

tiny_http_server::~tiny_http_server() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  acceptor_.join();
  ::close(listen_fd_);
  {
    std::lock_guard lock{mtx_};
    for (int fd : fds_)
      ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& t : threads_)
    t.join();
  for (int fd : fds_)
    ::close(fd);
}

std::string tiny_http_server::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void tiny_http_server::accept_loop() {
  while (!stopping_) {
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0)
      return;
    ++connections_;
    std::lock_guard lock{mtx_};
    fds_.push_back(fd);
    threads_.emplace_back([this, fd] { serve(fd); });
  }
}

void tiny_http_server::serve(int fd) {
  std::string buf;
  tiny_request req;
  while (read_request(fd, buf, req)) {
    ++requests_;
    int now = ++in_flight_;
    for (int seen = max_in_flight_.load();
         now > seen && !max_in_flight_.compare_exchange_weak(seen, now);) {
    }
    auto reply = handler_(req);
    --in_flight_;
    auto text = "HTTP/1.1 " + std::to_string(reply.status) +
                " X\r\nContent-Type: application/json\r\nContent-Length: " +
                std::to_string(reply.body.size()) + "\r\n\r\n" + reply.body;
    if (!send_all(fd, text) || reply.close)
      break;
  }
  ::shutdown(fd, SHUT_RDWR); // the destructor closes it
}

} // namespace switchboard::loadgen::testing
