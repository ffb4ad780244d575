#pragma once

// GET /v1/events: Server-Sent Events from engine.subscribe(). Each event is
// written as "event: TYPE\ndata: JSON\n\n" in one chunk of a chunked
// response. Included only by server.cpp and events.cpp (RESTinio).

#include "actors/engine.hpp"

#include <restinio/all.hpp>

#include <memory>
#include <set>

namespace switchboard::api {

/// Events buffered per subscriber before it is dropped as too slow.
inline constexpr std::size_t event_buffer_capacity = 4096;

class event_stream;

/// The open event streams of one server. REQUIRES: used on the server's I/O
/// thread only.
class event_streams {
public:
  /// Starts streaming `sub`'s events as the response to `req`.
  void open(std::shared_ptr<asio::io_context> io,
            restinio::request_handle_t req,
            std::shared_ptr<actors::subscription> sub);
  /// Ends every stream (server stop): closes subscriptions, finishes the
  /// chunked responses.
  void close_all();

private:
  friend class event_stream;
  std::set<std::shared_ptr<event_stream>> open_;
};

/// The SSE text of one event.
std::string format_event(const actors::event& e);

} // namespace switchboard::api
