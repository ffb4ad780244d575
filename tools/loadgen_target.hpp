#pragma once

// Where the load generator sends its requests: an engine in this process or
// a running server over HTTP. Every call blocks until the answer (or error)
// and may be called from many threads at once.

#include "actors/engine.hpp"
#include "core/result.hpp"

#include <memory>
#include <string>
#include <vector>

namespace switchboard::tools::loadgen {

struct routed {
  core::source origin;
  std::string role; // user or assistant
  std::string text;
};

class target {
public:
  virtual ~target() = default;
  /// POST /v1/messages.
  virtual core::result<actors::route_reply> route(const routed& r) = 0;
  /// POST /v1/messages:batch: one result per item, in order. An error for
  /// the whole call when the request itself failed.
  virtual core::result<std::vector<core::result<actors::route_reply>>>
  route_batch(const std::vector<routed>& items) = 0;
  /// POST /v1/sessions/KEY/messages.
  virtual core::result<actors::append_reply>
  append(const std::string& key, const std::string& role,
         const std::string& text) = 0;
  /// POST /v1/sessions/KEY/usage.
  virtual core::status usage(const std::string& key,
                            const core::usage_update& u) = 0;
  /// POST /v1/admin/expire.
  virtual core::result<actors::sweep_report> expire() = 0;
  /// Moves the manual clock forward (POST /v1/admin/clock).
  virtual core::status advance_clock(double seconds) = 0;
  /// The engine's expiry interval in seconds (60 when unknown).
  virtual double expiry_interval() const { return 60; }
};

struct embedded_options {
  std::string data_dir;                   // created when missing
  std::optional<std::string> config_file; // settings for the engine
  bool manual_clock = false;
};

/// Starts an engine on `data_dir`. stop_embedded() stops it (before
/// verification reads the store).
core::result<std::unique_ptr<target>>
start_embedded(const embedded_options& o);
void stop_embedded(target& t);

struct http_options {
  std::string url; // http://HOST:PORT
  std::optional<std::string> token;
};

std::unique_ptr<target> make_http_target(const http_options& o);

} // namespace switchboard::tools::loadgen
