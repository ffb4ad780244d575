// The load generator's HTTP target: a running server, driven from the
// driver thread with non-blocking sockets and epoll (edge-triggered). One
// socket per connection, reused for every request it carries (keep-alive),
// at most as many as requests in flight; poll() moves every transfer its
// events concern forward and runs the completions of those that finished.
// With several URLs each load request goes to the next URL in turn, on a
// connection of that URL's own. The clock and expiry calls block on a
// libcurl handle of their own, one URL after the other (another thread may
// make them meanwhile).
//
// Why not libcurl's multi interface for the load too: it cost about three
// times wrk's CPU per request (URL parsing and option setup per request,
// poll() over every connection per wake-up), CPU taken from the server
// under test on the same machine; `loadgen --url` measured 0.66-0.8 of
// wrk's rate against the same server.

#include "loadgen/http_request.hpp"
#include "loadgen/http_wire.hpp"
#include "loadgen/target.hpp"

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <variant>
#include <vector>

namespace switchboard::loadgen {

namespace {

using json_done = std::function<void(core::result<nlohmann::json>)>;

/// `text` as a JSON string (quotes, backslashes and control characters
/// escaped; other bytes, UTF-8 included, as they are).
void append_quoted(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += ch;
    }
  }
  out += '"';
}

void append_field(std::string& out, std::string_view name,
                  const std::optional<std::string>& value) {
  if (!value)
    return; // absent is null to the API
  out += ',';
  append_quoted(out, name);
  out += ':';
  append_quoted(out, *value);
}

/// The body of POST /v1/messages for `r`, written directly: building it as
/// a JSON document first cost the client a fifth of its CPU per request.
std::string route_body(const routed& r) {
  const auto& s = r.origin;
  std::string out;
  out.reserve(160 + r.text.size());
  out += R"({"source":{"platform":)";
  append_quoted(out, s.platform);
  out += R"(,"chat_type":)";
  append_quoted(out, core::to_string(s.type));
  append_field(out, "chat_id", s.chat_id);
  append_field(out, "chat_name", s.chat_name);
  append_field(out, "user_id", s.user_id);
  append_field(out, "user_name", s.user_name);
  append_field(out, "thread_id", s.thread_id);
  append_field(out, "chat_topic", s.chat_topic);
  if (s.user_id_alt && !s.user_id_alt->empty())
    append_field(out, "user_id_alt", s.user_id_alt);
  if (s.chat_id_alt && !s.chat_id_alt->empty())
    append_field(out, "chat_id_alt", s.chat_id_alt);
  out += R"(},"message":{"role":)";
  append_quoted(out, r.role);
  out += R"(,"content":)";
  append_quoted(out, r.text);
  out += "}}";
  return out;
}

core::result<actors::route_reply> reply_of(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("session_id"))
    return core::internal_error("unexpected reply: " + j.dump());
  actors::route_reply r;
  r.session_key = j.value("session_key", std::string{});
  r.session_id = j.value("session_id", std::string{});
  r.created = j.value("created", false);
  r.was_auto_reset = j.value("was_auto_reset", false);
  if (j.contains("auto_reset_reason") && j["auto_reset_reason"].is_string())
    r.auto_reset_reason =
      core::parse_reset_reason(j["auto_reset_reason"].get<std::string>())
        .value_or(core::reset_reason::none);
  if (j.contains("message_id") && j["message_id"].is_number_integer())
    r.message_id = j["message_id"].get<std::int64_t>();
  return r;
}

batch_results batch_of(const nlohmann::json& j) {
  batch_results out;
  if (!j.contains("results") || !j["results"].is_array())
    return out;
  for (const auto& item : j["results"]) {
    if (item.contains("error"))
      out.push_back(core::internal_error(item["error"].dump()));
    else
      out.push_back(reply_of(item));
  }
  return out;
}

/// The JSON body of a 2xx reply; the error otherwise.
core::result<nlohmann::json> json_reply(const std::string& url, long status,
                                        const std::string& body) {
  if (status < 200 || status > 299)
    return http_error(status, body);
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded())
    return core::internal_error("malformed JSON reply from " + url);
  return j;
}

/// Where one URL's connections go: its Host header and its address.
struct endpoint {
  std::string url;  // http://HOST:PORT
  std::string host; // HOST:PORT
  std::optional<sockaddr_storage> addr;
  socklen_t addr_len = 0;
  std::string resolve_error;
};

endpoint resolve(const std::string& url) {
  endpoint e;
  e.url = url;
  e.host = url.substr(url.find("://") + 3);
  auto colon = e.host.rfind(':');
  auto name = e.host.substr(0, colon);
  if (name.size() > 1 && name.front() == '[')
    name = name.substr(1, name.size() - 2); // [::1]
  auto port = e.host.substr(colon + 1);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = ::getaddrinfo(name.c_str(), port.c_str(), &hints, &found);
  if (rc != 0 || !found) {
    e.resolve_error = ::gai_strerror(rc);
    return e;
  }
  sockaddr_storage a{};
  std::memcpy(&a, found->ai_addr, found->ai_addrlen);
  e.addr = a;
  e.addr_len = found->ai_addrlen;
  ::freeaddrinfo(found);
  return e;
}

class http_target final : public target {
public:
  explicit http_target(http_options o)
    : opts_(std::move(o)), idle_(opts_.urls.size()),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
    for (const auto& u : opts_.urls) {
      counts_.push_back({u, 0, 0});
      endpoints_.push_back(resolve(u));
    }
  }

  ~http_target() override {
    for (auto& c : connections_)
      close_socket(*c);
    if (epoll_ >= 0)
      ::close(epoll_);
  }

  void route(const routed& r, done_fn<actors::route_reply> done) override {
    post("/v1/messages", route_body(r),
         [done = std::move(done)](core::result<nlohmann::json> j) {
           if (!j)
             return done(std::move(j).err());
           done(reply_of(*j));
         });
  }

  void route_batch(const std::vector<routed>& items,
                   done_fn<batch_results> done) override {
    std::string body = R"({"items":[)";
    for (const auto& i : items) {
      if (&i != &items.front())
        body += ',';
      body += route_body(i);
    }
    body += "]}";
    post("/v1/messages:batch", std::move(body),
         [n = items.size(),
          done = std::move(done)](core::result<nlohmann::json> j) {
           if (!j)
             return done(std::move(j).err());
           auto out = batch_of(*j);
           if (out.size() != n)
             return done(
               core::internal_error("batch reply has the wrong length"));
           done(std::move(out));
         });
  }

  void append(const std::string& key, const std::string& role,
              const std::string& text,
              done_fn<actors::append_reply> done) override {
    nlohmann::json body = {{"role", role}, {"content", text}};
    post("/v1/sessions/" + escape_segment(key) + "/messages", body.dump(),
         [done = std::move(done)](core::result<nlohmann::json> j) {
           if (!j)
             return done(std::move(j).err());
           done(actors::append_reply{j->value("session_id", std::string{}),
                                     j->value("message_id", std::int64_t{0})});
         });
  }

  void usage(const std::string& key, const core::usage_update& u,
             std::function<void(core::status)> done) override {
    nlohmann::json body = {{"input_tokens", u.input_tokens},
                           {"output_tokens", u.output_tokens},
                           {"model", u.model.value_or("loadgen")}};
    post("/v1/sessions/" + escape_segment(key) + "/usage", body.dump(),
         [done = std::move(done)](core::result<nlohmann::json> j) {
           done(j ? core::status{} : core::status{std::move(j).err()});
         });
  }

  /// Waits up to `timeout` for socket events, moves every transfer they
  /// concern forward, then runs the completions of those that finished
  /// (and of requests that failed at once in post()).
  void poll(std::chrono::milliseconds timeout) override {
    if (ready_.empty()) {
      epoll_event events[128];
      int n = ::epoll_wait(
        epoll_, events, 128,
        static_cast<int>(std::min<std::int64_t>(timeout.count(), 100)));
      for (int i = 0; i < n; ++i)
        on_event(*static_cast<connection*>(events[i].data.ptr),
                 events[i].events);
      expire_overdue();
    }
    auto ready = std::move(ready_);
    ready_.clear();
    for (auto& [done, r] : ready)
      done(std::move(r));
  }

  /// Every URL sweeps; the reports add up. The first error, if any.
  core::result<actors::sweep_report> expire() override {
    actors::sweep_report sum;
    std::optional<core::error> first;
    for (const auto& url : opts_.urls) {
      auto j = blocking_post(url, "/v1/admin/expire", "{}");
      if (!j) {
        if (!first)
          first = std::move(j).err();
        continue;
      }
      sum.expired += j->value("expired", std::int64_t{0});
      sum.flushed += j->value("flushed", std::int64_t{0});
      sum.flush_failed += j->value("flush_failed", std::int64_t{0});
    }
    if (first)
      return *first;
    return sum;
  }

  /// Every URL's clock moves (each server has its own). The first error.
  core::status advance_clock(double seconds) override {
    auto body = nlohmann::json{{"advance_seconds", seconds}}.dump();
    core::status out;
    for (const auto& url : opts_.urls)
      if (auto j = blocking_post(url, "/v1/admin/clock", body); !j && out)
        out = std::move(j).err();
    return out;
  }

  std::vector<url_count> per_url() const override { return counts_; }

private:
  static constexpr auto request_timeout = std::chrono::seconds(60);

  /// One keep-alive connection (a non-blocking socket, registered with
  /// epoll edge-triggered for reading and writing while it is open) and
  /// the request it carries, if any.
  struct connection {
    explicit connection(std::size_t t) : target(t) {}
    std::size_t target; // index into opts_.urls, fixed
    int fd = -1;
    bool used = false; // carried a reply already (a stale keep-alive)
    std::string out;   // the request's bytes
    std::size_t written = 0;
    std::string in; // the reply's bytes so far
    std::string path;
    json_done done; // set while a request is under way
    bool resent = false;
    std::chrono::steady_clock::time_point deadline;
  };

  /// Starts a POST to the next URL in turn, on one of its idle connections
  /// (a new one when none is idle).
  void post(const std::string& path, std::string body, json_done done) {
    auto t = next_target_;
    next_target_ = (next_target_ + 1) % opts_.urls.size();
    ++counts_[t].requests;
    connection& c = idle(t);
    c.path = path;
    c.out = request_bytes("POST", endpoints_[t].host, path, body, opts_.token);
    c.written = 0;
    c.in.clear();
    c.done = std::move(done);
    c.resent = false;
    c.deadline = std::chrono::steady_clock::now() + request_timeout;
    send_request(c);
  }

  /// Opens the connection if needed and writes what the socket takes.
  void send_request(connection& c) {
    if (c.fd < 0) {
      if (auto err = open_socket(c); !err.empty())
        return fail(c, err);
    }
    write_some(c);
  }

  /// "" or why the socket could not be opened.
  std::string open_socket(connection& c) {
    const auto& e = endpoints_[c.target];
    if (!e.addr)
      return "cannot resolve " + e.host + ": " + e.resolve_error;
    int fd = ::socket(e.addr->ss_family,
                      SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
      return std::strerror(errno);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&*e.addr),
                  e.addr_len) != 0 &&
        errno != EINPROGRESS) {
      std::string why = std::strerror(errno);
      ::close(fd);
      return why;
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = &c;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
    c.fd = fd;
    c.used = false;
    return "";
  }

  void write_some(connection& c) {
    while (c.written < c.out.size()) {
      auto n = ::send(c.fd, c.out.data() + c.written, c.out.size() - c.written,
                      MSG_NOSIGNAL);
      if (n > 0) {
        c.written += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return; // EPOLLOUT (or the connect's completion) resumes it
      return broken(c, std::strerror(errno));
    }
  }

  void on_event(connection& c, std::uint32_t events) {
    if (!c.done) { // idle: the server closed it, or a stale event
      if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
        close_socket(c);
      return;
    }
    if (events & EPOLLERR) {
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      return broken(c, std::strerror(err ? err : ECONNRESET));
    }
    if (events & EPOLLOUT)
      write_some(c);
    if (c.done && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)))
      read_some(c);
  }

  void read_some(connection& c) {
    char buf[16384];
    for (;;) {
      auto n = ::recv(c.fd, buf, sizeof buf, 0);
      if (n > 0) {
        c.in.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        break;
      // End of stream (n == 0) or an error: a reply must be complete now.
      if (try_complete(c))
        return;
      return broken(c, n == 0 ? "connection closed" : std::strerror(errno));
    }
    try_complete(c);
  }

  /// Completes the request when its reply is in; true when it did (or the
  /// reply was malformed and the request failed).
  bool try_complete(connection& c) {
    auto parsed = parse_reply(c.in);
    if (std::holds_alternative<wire_incomplete>(parsed))
      return false;
    if (auto* bad = std::get_if<wire_malformed>(&parsed)) {
      close_socket(c);
      fail(c, "malformed reply: " + bad->why);
      return true;
    }
    const auto& r = std::get<wire_reply>(parsed);
    auto body = c.in.substr(r.body_offset, r.body_size);
    if (r.close || c.in.size() != r.size)
      close_socket(c);
    c.used = true;
    auto reply = json_reply(url_of(c), r.status, body);
    finish(c, std::move(reply));
    return true;
  }

  /// The connection failed while carrying a request. A kept-alive
  /// connection the server had closed is opened again and the request
  /// sent once more (nothing of a reply had arrived: the server did not
  /// read it); otherwise the request fails.
  void broken(connection& c, const std::string& why) {
    bool stale = c.used && c.in.empty() && !c.resent;
    close_socket(c);
    if (stale) {
      c.resent = true;
      c.written = 0;
      return send_request(c);
    }
    fail(c, why);
  }

  void fail(connection& c, const std::string& why) {
    close_socket(c);
    finish(c, core::internal_error("cannot reach " + url_of(c) + ": " + why));
  }

  void finish(connection& c, core::result<nlohmann::json> reply) {
    if (!reply)
      ++counts_[c.target].failed;
    ready_.emplace_back(std::move(c.done), std::move(reply));
    c.done = nullptr;
    idle_[c.target].push_back(&c);
  }

  /// Fails the requests that have waited longer than request_timeout.
  void expire_overdue() {
    auto now = std::chrono::steady_clock::now();
    if (now < next_overdue_check_)
      return;
    next_overdue_check_ = now + std::chrono::seconds(1);
    for (auto& c : connections_)
      if (c->done && now > c->deadline)
        fail(*c, "no reply for 60 s");
  }

  void close_socket(connection& c) {
    if (c.fd < 0)
      return;
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
    c.fd = -1;
  }

  std::string url_of(const connection& c) const {
    return opts_.urls[c.target] + c.path;
  }

  connection& idle(std::size_t t) {
    auto& pool = idle_[t];
    if (pool.empty()) {
      connections_.push_back(std::make_unique<connection>(t));
      return *connections_.back();
    }
    auto* c = pool.back();
    pool.pop_back();
    return *c;
  }

  core::result<nlohmann::json> blocking_post(const std::string& base,
                                             const std::string& path,
                                             const std::string& body) {
    auto url = base + path;
    auto r = http_call("POST", url, body, opts_.token);
    if (!r)
      return r.err();
    return json_reply(url, r->status, r->body);
  }

  http_options opts_;
  std::vector<endpoint> endpoints_; // per URL
  std::vector<std::unique_ptr<connection>> connections_;
  std::vector<std::vector<connection*>> idle_; // per URL
  std::size_t next_target_ = 0;                // the next request's URL
  std::vector<url_count> counts_;              // per URL
  int epoll_ = -1;
  /// Finished requests whose completions the next poll() runs.
  std::vector<std::pair<json_done, core::result<nlohmann::json>>> ready_;
  std::chrono::steady_clock::time_point next_overdue_check_;
};

} // namespace

std::unique_ptr<target> make_http_target(const http_options& o) {
  assert(!o.urls.empty());
  return std::make_unique<http_target>(o);
}

} // namespace switchboard::loadgen
