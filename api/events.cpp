#include "api/events.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace switchboard::api {

namespace {

/// A comment line every so often lets a dead client show up as a failed
/// write instead of holding its subscription forever.
constexpr auto heartbeat_interval = std::chrono::seconds{15};

} // namespace

/// One subscriber's stream. Lives in event_streams::open_ until finished.
class event_stream : public std::enable_shared_from_this<event_stream> {
public:
  using response = restinio::response_builder_t<restinio::chunked_output_t>;

  event_stream(event_streams& owner, std::shared_ptr<asio::io_context> io,
               response resp, std::shared_ptr<event_log> log,
               std::shared_ptr<event_queue> sub)
    : owner_(owner), io_(std::move(io)), resp_(std::move(resp)),
      log_(std::move(log)), sub_(std::move(sub)), heartbeat_(*io_) {}

  /// Sends the headers, hooks the subscription, arms the heartbeat.
  void start() {
    std::weak_ptr<event_stream> weak = weak_from_this();
    auto io = io_;
    sub_->on_ready([weak, io] {
      asio::post(*io, [weak] {
        if (auto self = weak.lock())
          self->pump();
      });
    });
    resp_.flush(write_callback());
    pump();
    arm_heartbeat();
  }

  /// Writes every buffered event; finishes when the subscription closed.
  void pump() {
    if (finished_)
      return;
    bool closed = sub_->closed(); // before draining: keep the last event
    auto events = sub_->drain();
    for (const auto& e : events)
      resp_.append_chunk(format_sse(e));
    if (!events.empty())
      resp_.flush(write_callback());
    if (closed)
      finish();
  }

  /// Ends the response and forgets the stream. Idempotent.
  void finish() {
    if (finished_)
      return;
    finished_ = true;
    log_->detach(sub_);
    heartbeat_.cancel();
    auto self = shared_from_this();
    try {
      resp_.done();
    } catch (const std::exception& e) {
      spdlog::debug("api: event stream end: {}", e.what());
    }
    owner_.open_.erase(self);
  }

private:
  restinio::write_status_cb_t write_callback() {
    std::weak_ptr<event_stream> weak = weak_from_this();
    return [weak](const asio::error_code& ec) {
      if (auto self = weak.lock(); self && ec)
        self->finish();
    };
  }

  void arm_heartbeat() {
    heartbeat_.expires_after(heartbeat_interval);
    std::weak_ptr<event_stream> weak = weak_from_this();
    heartbeat_.async_wait([weak](const asio::error_code& ec) {
      auto self = weak.lock();
      if (ec || !self || self->finished_)
        return;
      self->resp_.append_chunk(std::string{": ping\n\n"});
      self->resp_.flush(self->write_callback());
      self->arm_heartbeat();
    });
  }

  event_streams& owner_;
  std::shared_ptr<asio::io_context> io_;
  response resp_;
  std::shared_ptr<event_log> log_;
  std::shared_ptr<event_queue> sub_;
  asio::steady_timer heartbeat_;
  bool finished_ = false;
};

void event_streams::open(std::shared_ptr<asio::io_context> io,
                         restinio::request_handle_t req,
                         std::shared_ptr<event_log> log,
                         std::shared_ptr<event_queue> sub) {
  auto resp = req->create_response<restinio::chunked_output_t>();
  resp.append_header(restinio::http_field::content_type, "text/event-stream")
    .append_header(restinio::http_field::cache_control, "no-cache");
  auto stream = std::make_shared<event_stream>(
    *this, std::move(io), std::move(resp), std::move(log), std::move(sub));
  open_.insert(stream);
  stream->start();
}

void event_streams::close_all() {
  auto streams = open_;
  for (const auto& s : streams)
    s->finish();
}

} // namespace switchboard::api
