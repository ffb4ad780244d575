#pragma once

// Where the load generator sends its requests: an engine in this process or
// a running server over HTTP.
//
// Threading contract: one driver thread calls the request calls (route,
// route_batch, append, usage) and poll(). A request call starts the
// operation and returns at once; its `done` runs later on the driver thread,
// inside poll(), never inside the request call itself. No thread is spent
// per request in flight. expire() and advance_clock() block until the answer
// and may be called from another thread (the ticker) at the same time.

#include "actors/engine.hpp"
#include "core/result.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::loadgen {

struct routed {
  core::source origin;
  std::string role; // user or assistant
  std::string text;
};

/// What one server URL of an HTTP target carried.
struct url_count {
  std::string url;
  std::int64_t requests = 0; // load requests (not clock or expiry calls)
  std::int64_t failed = 0;   // not answered with 2xx (or not at all)
};

template <class T>
using done_fn = std::function<void(core::result<T>)>;
using batch_results = std::vector<core::result<actors::route_reply>>;

class target {
public:
  virtual ~target() = default;
  /// POST /v1/messages.
  virtual void route(const routed& r, done_fn<actors::route_reply> done) = 0;
  /// POST /v1/messages:batch: one result per item, in order. An error for
  /// the whole call when the request itself failed.
  virtual void route_batch(const std::vector<routed>& items,
                           done_fn<batch_results> done) = 0;
  /// POST /v1/sessions/KEY/messages.
  virtual void append(const std::string& key, const std::string& role,
                      const std::string& text,
                      done_fn<actors::append_reply> done) = 0;
  /// POST /v1/sessions/KEY/usage.
  virtual void usage(const std::string& key, const core::usage_update& u,
                     std::function<void(core::status)> done) = 0;
  /// Runs the completions that are ready; when there are none, waits up to
  /// `timeout` for one first.
  virtual void poll(std::chrono::milliseconds timeout) = 0;

  /// POST /v1/admin/expire (blocking).
  virtual core::result<actors::sweep_report> expire() = 0;
  /// Moves the manual clock forward (POST /v1/admin/clock; blocking).
  virtual core::status advance_clock(double seconds) = 0;
  /// The engine's expiry interval in seconds (60 when unknown).
  virtual double expiry_interval() const { return 60; }

  /// Per server URL (HTTP targets; empty otherwise), in the order given:
  /// the load requests sent there and how many of them failed. Read it
  /// once the run is over (the driver thread writes it).
  virtual std::vector<url_count> per_url() const { return {}; }
};

struct embedded_options {
  std::string data_dir;                   // created when missing
  std::optional<std::string> config_file; // settings for the engine
  bool manual_clock = false;
};

/// Starts an engine on `data_dir`. stop_embedded() stops it (before
/// verification reads the store).
core::result<std::unique_ptr<target>> start_embedded(const embedded_options& o);
void stop_embedded(target& t);

struct http_options {
  std::vector<std::string> urls; // http://HOST:PORT each, at least one
  std::optional<std::string> token;
  int connections = 32; // keep-alive connections in flight at most
};

/// A target driving up to `connections` keep-alive connections from the
/// calling thread (non-blocking sockets and epoll; http_target.cpp).
/// Several URLs are servers that answer for the same data (nodes of one
/// cluster, or one server named twice): the load requests take them in
/// turn (round robin, each URL with its own connections), so every server
/// gets an equal share and one turn's route, reply and usage may land on
/// different servers. The clock and expiry calls go to every URL (each
/// server has its own manual clock); expire() sums their reports.
std::unique_ptr<target> make_http_target(const http_options& o);

} // namespace switchboard::loadgen
