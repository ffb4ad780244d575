#pragma once

// A tiny HTTP/1.1 server on 127.0.0.1 for the load generator's tests: keep-
// alive connections (a thread each), requests with a Content-Length body,
// answered by a handler. Counts connections and the most requests it held
// at once, so tests can check what a client did.

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace switchboard::loadgen::testing {

struct tiny_request {
  std::string method;
  std::string path;
  std::string body;
};

struct tiny_reply {
  int status = 200;
  std::string body = "{}";
  /// Close the connection after this reply, without saying so (as a server
  /// closing an idle keep-alive connection does).
  bool close = false;
};

class tiny_http_server {
public:
  /// Handler: called from connection threads, possibly at the same time.
  explicit tiny_http_server(std::function<tiny_reply(const tiny_request&)> h);
  ~tiny_http_server();

  /// "http://127.0.0.1:PORT".
  std::string url() const;
  int connections() const { return connections_.load(); }
  /// The most requests read and not yet answered at one time.
  int max_in_flight() const { return max_in_flight_.load(); }
  int requests() const { return requests_.load(); }

private:
  void accept_loop();
  void serve(int fd);

  std::function<tiny_reply(const tiny_request&)> handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> in_flight_{0};
  std::atomic<int> max_in_flight_{0};
  std::atomic<int> requests_{0};
  std::mutex mtx_;
  std::vector<int> fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

} // namespace switchboard::loadgen::testing
