#pragma once

// GET /v1/events: Server-Sent Events from the server's event_log. Each event
// is written as "id: N\nevent: TYPE\ndata: JSON\n\n" in one chunk of a
// chunked response. Included only by server.cpp and events.cpp (RESTinio).

#include "api/event_log.hpp"

#include <restinio/all.hpp>

#include <memory>
#include <set>

namespace switchboard::api {

class event_stream;

/// The open event streams of one server. REQUIRES: used on the server's I/O
/// thread only.
class event_streams {
public:
  /// Starts streaming `q`'s events (attached to `log`) as the response to
  /// `req`; detaches it when the stream ends.
  void open(std::shared_ptr<asio::io_context> io,
            restinio::request_handle_t req, std::shared_ptr<event_log> log,
            std::shared_ptr<event_queue> q);
  /// Ends every stream (server stop): closes subscriptions, finishes the
  /// chunked responses.
  void close_all();

private:
  friend class event_stream;
  std::set<std::shared_ptr<event_stream>> open_;
};

} // namespace switchboard::api
