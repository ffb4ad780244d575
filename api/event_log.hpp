#pragma once

// The server's event log for GET /v1/events (API.md): every event gets an
// increasing id and stays in a ring of the last `capacity` events, so a
// client that reconnects with Last-Event-ID N first gets what it missed.
// No RESTinio here (unit-testable); events.cpp writes the streams.
//
// Opt-in types (message_appended, stats, loadtest) reach only streams that
// name them in `types`, and are recorded only while such a stream is open
// (or was, within opt_in_grace), so nobody pays for them otherwise.

#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::api {

/// Events kept for resuming (API.md: at least 10,000).
inline constexpr std::size_t event_ring_capacity = 16384;
/// Events one stream may have waiting before it is ended as too slow (the
/// client reconnects and resumes from the ring).
inline constexpr std::size_t stream_queue_capacity = event_ring_capacity + 4096;
/// How long opt-in events are still recorded after the last stream that
/// asked for them closed, so a reconnecting dashboard misses none.
inline constexpr std::chrono::seconds opt_in_grace{60};

struct logged_event {
  std::uint64_t id = 0;
  std::string type;
  std::string data;        // the JSON text
  std::string session_key; // empty when the event names none
};

/// The SSE text of one event: "id: N\nevent: TYPE\ndata: JSON\n\n".
std::string format_sse(const logged_event& e);

/// Which events one stream wants.
struct event_filter {
  std::set<std::string, std::less<>> types; // empty: every default type
  std::optional<std::string> session_key;

  /// From `?types=a,b` and `?session_key=`. bad_request
  /// "query.types: unknown event type 'x'" for a name not in API.md.
  static core::result<event_filter>
  parse(const std::vector<std::string>& types,
        std::optional<std::string> session_key);
  bool wants(const logged_event& e) const;
  bool names(std::string_view type) const { return types.count(type) > 0; }
};

/// True for the types a stream gets only when it names them.
bool opt_in_type(std::string_view type);

/// One stream's pending events. Thread-safe; push never blocks.
class event_queue {
public:
  explicit event_queue(event_filter f) : filter_(std::move(f)) {}

  const event_filter& filter() const { return filter_; }
  /// False (and the queue closed) when it was full or already closed.
  bool push(const logged_event& e);
  std::vector<logged_event> drain();
  bool closed() const;
  void close();
  /// Called on the pushing thread after a push; must not block.
  void on_ready(std::function<void()> fn);

private:
  event_filter filter_;
  mutable std::mutex mtx_;
  std::deque<logged_event> buffer_;
  bool closed_ = false;
  std::function<void()> ready_;
};

class event_log {
public:
  using clock = std::chrono::steady_clock;
  explicit event_log(std::size_t capacity = event_ring_capacity)
    : capacity_(capacity) {}

  /// Records an event, gives it the next id, hands it to every open queue
  /// whose filter wants it. Returns the id. `stats` events are not kept
  /// for resuming (stale at once). Thread-safe.
  std::uint64_t append(std::string type, const nlohmann::json& data);

  /// Whether an opt-in `type` is worth building now (some stream names
  /// it, or did within opt_in_grace). Default types: always true.
  bool recording(std::string_view type,
                 clock::time_point now = clock::now()) const;

  /// Opens a queue. With `after` (Last-Event-ID) the queue starts with
  /// every ring event after it that the filter wants, or, when events
  /// after it already left the ring (or it is newer than any id given
  /// out), with one events_lost {"after", "oldest"} (id oldest - 1)
  /// followed by the whole ring. Atomic with append: nothing is missed
  /// or repeated between the replay and the live events.
  std::shared_ptr<event_queue> attach(event_filter f,
                                      std::optional<std::uint64_t> after);
  /// Closes and forgets a queue.
  void detach(const std::shared_ptr<event_queue>& q,
              clock::time_point now = clock::now());

  /// The id of the newest event (0 when none yet).
  std::uint64_t last_id() const;

private:
  void replay(event_queue& q, std::optional<std::uint64_t> after) const;

  std::size_t capacity_;
  mutable std::mutex mtx_;
  std::deque<logged_event> ring_;
  std::uint64_t next_id_ = 1;
  std::vector<std::shared_ptr<event_queue>> queues_;
  /// Opt-in type -> streams naming it, and when the last one closed.
  std::map<std::string, std::pair<int, clock::time_point>, std::less<>>
    interest_;
};

} // namespace switchboard::api
