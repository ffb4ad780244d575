#pragma once

// The engine: switchboard's actors behind one C++ facade, for the HTTP layer,
// the CLI and the embedded load generator. No CAF type appears here, so
// including this header costs nothing.
//
// Threading: every method may be called from any thread. Completions run on
// an actor or reader thread: they must not block; hand the result over (e.g.
// post it to the HTTP I/O context) and return.
//
// Durability: a completion reporting success for a write runs only after the
// writer has committed every write the operation caused (SPEC 7).
//
// Overload: when the in-flight limit or the writer queue is full, operations
// complete at once with errc::overloaded (never queued without bound).

#include "core/clock.hpp"
#include "core/histogram.hpp"
#include "core/message.hpp"
#include "core/ownership.hpp"
#include "core/result.hpp"
#include "core/session_entry.hpp"
#include "core/settings.hpp"
#include "core/source.hpp"
#include "core/store.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::persistence {
class sqlite_writer;
} // namespace switchboard::persistence

namespace switchboard::actors {

template <class T>
using completion = std::function<void(core::result<T>)>;

/// One inbound message (POST /v1/messages). `msg` absent: only get or create
/// the session.
struct route_request {
  core::source origin;
  std::optional<core::message> msg;
  bool force_new = false;
  /// SPEC 12: a repeat of an id writes nothing and gets the first reply.
  std::optional<std::string> request_id = std::nullopt;
};

struct route_reply {
  std::string session_key;
  std::string session_id;
  bool created = false;
  bool was_auto_reset = false;
  core::reset_reason auto_reset_reason = core::reset_reason::none;
  bool reset_had_activity = false;
  std::optional<std::int64_t> message_id;
  /// True: a repeat (SPEC 12); the fields are the first request's reply.
  bool duplicate = false;
};

struct append_reply {
  std::string session_id;
  std::int64_t message_id = 0;
  bool duplicate = false;
};

struct rewrite_reply {
  std::string session_id;
  std::int64_t message_count = 0;
};

/// The target of a switch (/resume): exactly one of the two is set.
struct switch_target {
  std::optional<std::string> session_id;
  std::optional<std::string> title;
  /// Whose sessions the key may attach (SPEC 5, core/ownership.hpp).
  core::switch_scope scope = core::switch_scope::key;
};

struct sweep_report {
  std::int64_t expired = 0;
  std::int64_t flushed = 0;
  std::int64_t flush_failed = 0;
};

/// What expiring one key did (POST /v1/sessions/KEY/expire).
struct expire_reply {
  std::string session_key;
  std::string session_id; // the session that ended
  /// idle | daily when its policy says it is due (as a sweep would end
  /// it), else manual.
  core::reset_reason reason = core::reset_reason::manual;
  bool flushed = false;      // the flush hook ran and succeeded
  bool flush_failed = false; // it ran and failed after every retry
};

/// POST /v1/admin/prune (SPEC 11): ended sessions started more than
/// older_than_days ago (0: every ended session), of `source` when set.
struct prune_request {
  double older_than_days = 0;
  std::optional<std::string> source;
  bool dry_run = false; // select exactly what a real run would delete, keep it
};

/// What a prune or a retention run deleted (or, dry, would delete).
struct prune_report {
  std::int64_t pruned = 0;
  bool dry_run = false;
  std::vector<std::string> session_ids; // oldest first, all of them
};

/// An event for subscribers (GET /v1/events): type is one of
/// session_created, session_reset, session_expired, session_switched,
/// memory_flush, and "subscriber_dropped" as the last event of a subscriber
/// that fell behind.
struct event {
  std::string type;
  nlohmann::json data;
};

/// A bounded event buffer for one subscriber. The engine pushes without ever
/// blocking; when the buffer is full the subscription is closed with a final
/// subscriber_dropped event. Thread-safe.
class subscription {
public:
  explicit subscription(std::size_t capacity) : capacity_(capacity) {}

  /// Engine side: false once closed.
  bool push(event e);
  /// Consumer side: everything buffered so far (may be empty).
  std::vector<event> drain();
  bool closed() const;
  void close();
  /// Called (from the pushing thread) after each push; must not block.
  void on_ready(std::function<void()> fn);

private:
  mutable std::mutex mtx_;
  std::deque<event> buffer_;
  std::size_t capacity_;
  bool closed_ = false;
  std::function<void()> ready_;
};

struct metrics_snapshot {
  std::int64_t messages_routed = 0;
  std::int64_t sessions_created = 0;
  std::int64_t sessions_reset = 0;
  std::int64_t sessions_expired = 0;
  std::int64_t resident_session_actors = 0;
  std::int64_t flushes_ok = 0;
  std::int64_t flushes_failed = 0;
  std::int64_t overloaded = 0;
  std::int64_t duplicates = 0; // requests answered as repeats (SPEC 12)
  std::int64_t retention_runs = 0;
  std::int64_t sessions_pruned = 0; // by prune and retention runs
  core::histogram::snapshot writer_batch_size;
  core::histogram::snapshot writer_commit_seconds;
  /// Write requests sent to the writer and not yet executed.
  std::int64_t writer_queue_depth = 0;
  /// Expiry jobs (each may run the flush hook) waiting for a slot, and
  /// running, in the current sweep.
  std::int64_t flushes_queued = 0;
  std::int64_t flushes_in_flight = 0;
  /// The last finished expiry sweep (engine clock), if any.
  std::optional<core::time_point> last_sweep_at;
  double last_sweep_seconds = 0; // wall time it took
  std::int64_t last_sweep_expired = 0;
  /// When the supervisor's timer runs the next sweep (engine clock).
  std::optional<core::time_point> next_sweep_at;
};

/// How engine::start opens its store, beyond the settings (cluster mode).
struct start_options {
  /// Replaces the store writer by what it returns, before any actor starts
  /// (cluster/replicated_writer.hpp: each transaction published into the
  /// partition's log before COMMIT). Set: state.db is opened without the
  /// recovery fold (persistence::open_fold::deferred), since every write of
  /// a replicated file must go through the wrapper; an error fails start.
  std::function<core::result<std::unique_ptr<core::store_writer>>(
    std::unique_ptr<persistence::sqlite_writer>)>
    replicate;
};

class engine {
public:
  /// Opens (or creates, or migrates) <data_dir>/state.db, starts the actor
  /// system, the writer, the router shards and the supervisor. Errors: the
  /// store refused the database, or the data dir is unusable.
  static core::result<std::unique_ptr<engine>>
  start(const core::settings& cfg, std::shared_ptr<core::clock> clk);
  /// As start(cfg, clk), with `opts` (start_options::replicate fails it too).
  static core::result<std::unique_ptr<engine>>
  start(const core::settings& cfg, std::shared_ptr<core::clock> clk,
        start_options opts);

  /// Stops: refuses new work, drains every in-flight request, final commit,
  /// joins the actor system. Idempotent; the destructor calls it.
  virtual ~engine() = default;
  virtual void stop() = 0;

  // -- SPEC 5: operations on a session key -----------------------------------
  virtual void route(route_request req, completion<route_reply> done) = 0;
  /// Items for the same key are applied in order; results in input order.
  virtual void route_batch(
    std::vector<route_request> reqs,
    std::function<void(std::vector<core::result<route_reply>>)> done) = 0;
  /// Appends to the key's current session; `request_id` as route's.
  virtual void append(std::string key, core::message msg,
                      completion<append_reply> done,
                      std::optional<std::string> request_id) = 0;
  void append(std::string key, core::message msg,
              completion<append_reply> done) {
    append(std::move(key), std::move(msg), std::move(done), std::nullopt);
  }
  virtual void update_usage(std::string key, core::usage_update u,
                            completion<core::session_entry> done) = 0;
  /// /new: a new session id for the key; title optional.
  virtual void reset(std::string key, std::optional<std::string> title,
                     completion<core::session_entry> done) = 0;
  /// /resume: by id (unique prefix allowed) or by title (SPEC 6), following
  /// the compression chain to its tip. forbidden (nothing changes) when the
  /// target is not the key's under target.scope (SPEC 5).
  virtual void switch_to(std::string key, switch_target target,
                         completion<core::session_entry> done) = 0;
  /// busy true: busy_until = now + ttl (clamped to busy_max_hours).
  virtual void set_busy(std::string key, bool busy,
                        std::optional<double> ttl_seconds,
                        completion<core::session_entry> done) = 0;
  virtual void rewrite_transcript(std::string key,
                                  std::vector<core::message> messages,
                                  completion<rewrite_reply> done) = 0;
  /// not_found when the key has no entry.
  virtual void get_entry(std::string key,
                         completion<core::session_entry> done) = 0;

  // -- operations by session id ----------------------------------------------
  virtual void set_title(std::string session_id, std::string title,
                         completion<std::optional<std::string>> done) = 0;
  virtual void delete_session(std::string session_id,
                              completion<bool> done) = 0;

  // -- operations ------------------------------------------------------------
  /// Runs an expiry sweep now (SPEC 8) and reports what it did.
  virtual void expire_now(completion<sweep_report> done) = 0;
  /// Expires the key's current session now, through its shard, as a sweep
  /// does (SPEC 8: the flush hook first when the flush rule says so, then
  /// expiry_finalized, the row ended with the reason, session_expired),
  /// whether or not its policy says it is due yet. Changes nothing and
  /// fails with not_found (no entry), conflict (already finalized; busy,
  /// SPEC 4.1; or `session_id` given and the key now points at another
  /// session).
  virtual void expire_key(std::string key,
                          std::optional<std::string> session_id,
                          completion<expire_reply> done) = 0;
  /// SPEC 11 prune with core::prune_rule's protections (no session an
  /// entry points at, hence no busy one); logged and counted.
  virtual void prune(prune_request req, completion<prune_report> done) = 0;
  /// Runs the retention rule now (SPEC 13, POST /v1/admin/retention), the
  /// same run the supervisor does every retention.interval_seconds. With
  /// both limits off it deletes nothing.
  virtual void apply_retention(completion<prune_report> done) = 0;

  /// Runs `fn` on a reader thread with a read-only store connection. Once
  /// stop() has begun, `fn` is not run.
  virtual void read(std::function<void(core::store_reader&)> fn) = 0;

  virtual std::shared_ptr<subscription> subscribe(std::size_t capacity) = 0;
  virtual metrics_snapshot metrics() const = 0;
  virtual const core::settings& config() const = 0;
  virtual const core::clock& now_source() const = 0;
};

} // namespace switchboard::actors
