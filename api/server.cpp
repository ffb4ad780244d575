#include "api/server.hpp"

#include "api/auth.hpp"
#include "api/events.hpp"
#include "api/json_io.hpp"
#include "api/query.hpp"
#include "api/routes.hpp"
#include "api/static_files.hpp"

#include <restinio/all.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

namespace switchboard::api {

namespace {

// One I/O thread: handlers never block (they hand work to the engine), so a
// noop strand suffices; responses from other threads are posted back.
// The connection count limiter caps open connections (api.max_connections).
struct http_traits
  : restinio::single_thread_traits_t<restinio::asio_timer_manager_t,
                                     restinio::null_logger_t> {
  static constexpr bool use_connection_count_limiter = true;
};
using http_server = restinio::http_server_t<http_traits>;
using work_guard = asio::executor_work_guard<asio::io_context::executor_type>;

/// An io_context whose pending handlers can be destroyed while the HTTP
/// server still exists. Handlers of open keep-alive connections own those
/// connections, and a connection's destructor reports to the connection
/// count limiter inside the server's acceptor: destroyed after the server
/// (as the io_context's own destructor would do it) they touch freed memory.
class server_io_context : public asio::io_context {
public:
  /// Destroys every handler not yet run (asio's shutdown; the destructor
  /// repeats it harmlessly). REQUIRES: the I/O thread has stopped.
  void destroy_pending_handlers() { shutdown(); }
};

/// A request body larger than this is cut off by RESTinio: refused at the
/// headers when Content-Length says so (nothing of it is read), else the
/// connection is closed when the limit is crossed. Up to it, an oversized
/// body is buffered and gets a proper JSON 413. So one connection buffers
/// at most 2 x max_body_bytes + 64 KiB, and the server at most
/// max_connections times that.
std::uint64_t transport_body_limit(std::int64_t max_body_bytes) {
  return static_cast<std::uint64_t>(max_body_bytes) * 2 + 65536;
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

using steady = std::chrono::steady_clock;

/// POST /v1/messages and :batch: their latency is the route-ack latency.
bool is_route(const restinio::request_handle_t& req) {
  auto path = req->header().path();
  return req->header().method() == restinio::http_method_post() &&
         (path == "/v1/messages" || path == "/v1/messages:batch");
}

/// The resume point of an event stream: ?last_event_id= or the
/// Last-Event-ID header; bad_request when not a non-negative integer.
core::result<std::optional<std::uint64_t>>
resume_point(const restinio::request_handle_t& req, const request& r) {
  auto text = query_string(r, "last_event_id");
  if (!text)
    if (auto h = req->header().opt_value_of("Last-Event-ID"))
      text = std::string(h->data(), h->size());
  if (!text || text->empty())
    return std::optional<std::uint64_t>{};
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
  if (ec != std::errc{} || p != text->data() + text->size())
    return core::bad_request("last_event_id: expected a non-negative integer");
  return std::optional<std::uint64_t>{n};
}

} // namespace

struct server_state : std::enable_shared_from_this<server_state> {
  server_state(actors::engine& eng, server_options o, core::zone z)
    : opts(std::move(o)), ctx{eng,
                              opts.settings,
                              opts.clock,
                              std::move(z),
                              {},
                              {},
                              std::make_shared<event_log>(),
                              {},
                              nullptr,
                              opts.cluster_status},
      routes(make_router(opts.clock != nullptr)) {
    ctx.stats =
      std::make_unique<stats_sampler>(eng, ctx.latency, opts.settings.data_dir);
    ctx.stats->sample();
  }

  /// Connections (held by pending handlers) go before the server that
  /// counts them; see server_io_context.
  ~server_state() {
    if (engine_events) {
      engine_events->on_ready({});
      engine_events->close();
    }
    io->destroy_pending_handlers();
    http.reset();
  }

  server_options opts;
  api_context ctx;
  router routes;
  std::shared_ptr<server_io_context> io = std::make_shared<server_io_context>();
  std::optional<work_guard> guard;
  std::unique_ptr<http_server> http;
  std::thread thread;
  std::atomic<std::uint16_t> port{0};
  std::atomic<bool> stopping{false};
  bool stopped = false;
  event_streams streams;
  /// The engine's events, copied into ctx.events as they come.
  std::shared_ptr<actors::subscription> engine_events;
  std::optional<asio::steady_timer> ticker;

  std::mutex mtx;
  std::condition_variable drained;
  std::int64_t in_flight = 0;

  void begin_request() {
    std::lock_guard lock{mtx};
    ++in_flight;
  }

  void end_request() {
    std::lock_guard lock{mtx};
    if (--in_flight == 0)
      drained.notify_all();
  }

  /// Subscribes ctx.events to the engine (its on_ready runs on the pushing
  /// thread: drain at once, so the subscription never fills).
  void follow_engine() {
    engine_events = ctx.eng.subscribe(std::size_t{1} << 20);
    auto log = ctx.events;
    std::weak_ptr<actors::subscription> weak = engine_events;
    engine_events->on_ready([log, weak] {
      auto sub = weak.lock();
      if (!sub)
        return;
      for (auto& e : sub->drain())
        if (e.type != "subscriber_dropped")
          log->append(std::move(e.type), e.data);
    });
  }

  /// Once a second: a stats sample, and the `stats` event when a stream
  /// asked for it.
  void tick() {
    ticker->expires_after(std::chrono::seconds{1});
    std::weak_ptr<server_state> weak = weak_from_this();
    ticker->async_wait([weak](const asio::error_code& ec) {
      auto self = weak.lock();
      if (ec || !self || self->stopping)
        return;
      self->ctx.stats->sample();
      if (self->ctx.events->recording("stats"))
        self->ctx.events->append("stats", self->ctx.stats->snapshot());
      self->tick();
    });
  }

  /// Writes `rep` as the response to `req`. I/O thread only.
  void send(const restinio::request_handle_t& req, const reply& rep,
            steady::time_point started) {
    ctx.http.count(rep.status);
    double seconds =
      std::chrono::duration<double>(steady::now() - started).count();
    ctx.latency.http.record(seconds);
    if (is_route(req))
      ctx.latency.route_ack.record(seconds);
    try {
      auto resp = req->create_response(restinio::http_status_line_t{
        restinio::http_status_code_t{static_cast<std::uint16_t>(rep.status)},
        reason_phrase(rep.status)});
      resp.append_header(restinio::http_field::content_type, rep.content_type);
      for (const auto& [name, value] : rep.headers)
        resp.append_header(name, value);
      resp.set_body(rep.body);
      resp.done([self = shared_from_this()](const asio::error_code&) {
        self->end_request();
      });
    } catch (const std::exception& e) {
      spdlog::warn("api: response not sent: {}", e.what());
      end_request();
    }
  }

  /// A respond_fn for `req`: posts the reply to the I/O thread; a second
  /// call is ignored.
  respond_fn responder(restinio::request_handle_t req) {
    auto once = std::make_shared<std::atomic<bool>>(false);
    auto started = steady::now();
    return [self = shared_from_this(), req, once, started](reply rep) {
      if (once->exchange(true))
        return;
      auto io = self->io;
      asio::post(*io, [self, req, rep = std::move(rep), started] {
        self->send(req, rep, started);
      });
    };
  }

  /// Everything before the endpoint: target, auth, size, route.
  void dispatch(const restinio::request_handle_t& req,
                const respond_fn& respond) {
    if (stopping)
      return respond(error_reply(core::overloaded("server is stopping")));
    request r;
    r.method = req->header().method().c_str();
    if (auto st = decode_target(req->header().request_target(), r); !st)
      return respond(error_reply(st.err()));
    auto auth = req->header().get_field_or(restinio::http_field::authorization,
                                           std::string{});
    if (!open_path(r.segments) &&
        !authorized(opts.token, r.segments.empty() ? "" : r.segments[0], auth))
      return respond(error_reply(
        {core::errc::unauthorized, "missing or wrong bearer token"}));
    if (r.method == "GET" && is_ui_path(r.segments))
      return respond(serve_ui(r.segments, opts.ui_dir, opts.token.has_value()));
    if (static_cast<std::int64_t>(req->body().size()) > opts.max_body_bytes)
      return respond(
        error_reply({core::errc::payload_too_large,
                     "body larger than " + std::to_string(opts.max_body_bytes) +
                       " bytes"}));
    route(req, std::move(r), respond);
  }

  void route(const restinio::request_handle_t& req, request r,
             const respond_fn& respond) {
    auto m = routes.find(r.method, r.segments);
    if (m.result == router::outcome::not_found)
      return respond(error_reply(core::not_found("no such endpoint")));
    if (m.result == router::outcome::wrong_method) {
      auto rep = json_reply(405, {{"error",
                                   {{"code", "method_not_allowed"},
                                    {"message", "allowed: " + m.allow}}}});
      rep.headers.emplace_back("Allow", m.allow);
      return respond(std::move(rep));
    }
    if (!m.target)
      return open_events(req, r, respond);
    r.body = req->body();
    call c{ctx, r, std::move(m.params)};
    try {
      (*m.target)(c, respond);
    } catch (const std::exception& e) {
      spdlog::error("api: internal error in {}: {}",
                    req->header().request_target(), e.what());
      respond(error_reply(core::internal_error("internal error")));
    }
  }

  /// GET /v1/events: not a request in flight; it ends at stop.
  void open_events(const restinio::request_handle_t& req, const request& r,
                   const respond_fn& respond) {
    auto filter = event_filter::parse(query_list(r, "types"),
                                      query_string(r, "session_key"));
    if (!filter)
      return respond(error_reply(filter.err()));
    auto after = resume_point(req, r);
    if (!after)
      return respond(error_reply(after.err()));
    end_request();
    ctx.http.count(200);
    streams.open(io, req, ctx.events,
                 ctx.events->attach(std::move(filter).value(), after.value()));
  }

  restinio::request_handling_status_t
  on_request(restinio::request_handle_t req) {
    begin_request();
    auto respond = responder(req);
    dispatch(req, respond);
    return restinio::request_accepted();
  }
};

namespace {

restinio::server_settings_t<http_traits> make_settings(server_state* st) {
  restinio::server_settings_t<http_traits> s;
  s.port(st->opts.port)
    .address(st->opts.host)
    .request_handler([st](restinio::request_handle_t req) {
      return st->on_request(std::move(req));
    })
    .socket_options_setter([](restinio::socket_options_t& o) {
      o.set_option(asio::ip::tcp::no_delay{true});
    })
    .acceptor_post_bind_hook([st](asio::ip::tcp::acceptor& a) {
      st->port = a.local_endpoint().port();
    })
    .incoming_http_msg_limits(
      restinio::incoming_http_msg_limits_t{}
        .max_url_size(64 * 1024)
        .max_field_count(128)
        .max_field_value_size(16 * 1024)
        .max_body_size(transport_body_limit(st->opts.max_body_bytes)))
    .handle_request_timeout(std::chrono::hours{1})
    .max_pipelined_requests(1) // one request per connection at a time
    .max_parallel_connections(st->opts.max_connections);
  return s;
}

} // namespace

running_server::running_server(std::shared_ptr<server_state> state)
  : state_(std::move(state)) {}
running_server::running_server(running_server&&) noexcept = default;
running_server& running_server::operator=(running_server&&) noexcept = default;

running_server::~running_server() {
  stop();
}

std::uint16_t running_server::port() const {
  return state_->port;
}

void running_server::stop(double drain_seconds) {
  if (!state_ || state_->stopped)
    return;
  auto& st = *state_;
  st.stopped = true;
  st.stopping = true;
  std::promise<void> closed;
  asio::post(*st.io, [&] {
    try {
      st.http->close_sync();
    } catch (const std::exception& e) {
      spdlog::warn("api: closing the listener: {}", e.what());
    }
    st.streams.close_all();
    if (st.ticker)
      st.ticker->cancel();
    closed.set_value();
  });
  closed.get_future().wait();
  {
    std::unique_lock lock{st.mtx};
    st.drained.wait_for(lock, std::chrono::duration<double>(drain_seconds),
                        [&] { return st.in_flight == 0; });
  }
  st.guard.reset();
  st.io->stop();
  st.thread.join();
}

core::result<running_server> start_server(actors::engine& eng,
                                          server_options opts) {
  auto zone = core::zone::make(opts.settings.reset.timezone);
  if (!zone)
    return zone.err();
  auto st = std::make_shared<server_state>(eng, std::move(opts),
                                           std::move(zone).value());
  try {
    st->http = std::make_unique<http_server>(
      restinio::external_io_context(*st->io), make_settings(st.get()));
    st->http->open_sync();
  } catch (const std::exception& e) {
    return core::internal_error("cannot listen on " + st->opts.host + ":" +
                                std::to_string(st->opts.port) + ": " +
                                e.what());
  }
  st->follow_engine();
  st->ticker.emplace(*st->io);
  st->tick();
  st->guard.emplace(st->io->get_executor());
  st->thread = std::thread([io = st->io] { io->run(); });
  return running_server{std::move(st)};
}

} // namespace switchboard::api
