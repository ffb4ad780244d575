#pragma once

// The HTTP server (RESTinio 0.6, one I/O thread): decodes each request,
// hands it to the engine, and writes the response when the engine's
// completion posts it back to the I/O thread. TCP no-delay is on.

#include "actors/engine.hpp"
#include "api/cluster_status.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/settings.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace switchboard::api {

struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8377;        // 0 picks a free port
  std::optional<std::string> token; // bearer token for /v1; none = open
  std::int64_t max_body_bytes = 1048576;
  /// Open connections at most; further clients wait in the listen backlog
  /// until one closes. Bounds the memory of buffered bodies (see
  /// transport_body_limit in server.cpp).
  std::size_t max_connections = 256;
  core::manual_clock* clock = nullptr; // enables POST /v1/admin/clock
  /// Serve the dashboard from this directory instead of the embedded copy.
  std::optional<std::string> ui_dir;
  core::settings settings;
  /// Answers GET /v1/cluster (set by serve --nats); empty: 404.
  cluster_status_fn cluster_status;
};

struct server_state;

/// A started server. Destroying it stops it.
class running_server {
public:
  explicit running_server(std::shared_ptr<server_state> state);
  running_server(running_server&&) noexcept;
  running_server& operator=(running_server&&) noexcept;
  ~running_server();

  /// The bound port (the real one when 0 was asked for).
  std::uint16_t port() const;

  /// Stops accepting, ends event streams, waits (up to `drain_seconds`) for
  /// the requests in flight to be answered, then stops the I/O thread.
  /// Idempotent. REQUIRES: not called from the I/O thread.
  void stop(double drain_seconds = 30);

private:
  std::shared_ptr<server_state> state_;
};

/// Binds host:port and starts serving `eng`, which must outlive the
/// server. Errors: bad_request for a bad time zone in settings, internal
/// when the address cannot be bound (the message says why).
core::result<running_server> start_server(actors::engine& eng,
                                          server_options opts);

} // namespace switchboard::api
