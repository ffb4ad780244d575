#pragma once

// actors::engine for one partition owned by another node: every operation
// is forwarded to the owner (rpc_client, rpc_ops.hpp) and answered with the
// owner's result, or overloaded when no owner answered within the deadline
// (CLUSTER.md: about 10 s, then 503 with Retry-After).
//
// Contract (where it differs from a local engine, engine.hpp):
// - Operations never block the caller; completions run on nats.c's
//   delivery thread or the rpc timer thread (they must not block).
// - read(fn): fn runs on one of the proxy's reader threads (read_threads,
//   each with a queue of read_queue) with a remote_reader (each method a
//   blocking call). When every queue is full, fn runs at once on the
//   caller's thread with a reader whose every method fails overloaded
//   "partition N: too many reads waiting" (never queued without bound).
//   Once stop() has begun, fn is not run.
// - subscribe(): the events of partition p that its owner publishes on
//   sb.events.NN (rpc_server), while this proxy lives; an owner change
//   loses the events published while nobody owned p (best effort, as
//   GET /v1/events is).
// - stop(): refuses new operations (overloaded "engine is stopping"),
//   waits for the calls in flight (each ends by its deadline) and the
//   queued reads, closes the subscriptions. Idempotent; the destructor
//   calls it.
// - metrics(): an empty snapshot: a partition's work is counted by the
//   engine that does it (its owner); the node that forwards counts nothing.
// - config(), now_source(): the settings and clock given (every node of a
//   cluster runs with the same engine settings).
// - Retries (rpc_client): a write that timed out is sent again with the
//   same call id; the owner that ran it answers the repeat without running
//   it again. A retry that reaches a NEW owner (failover in between) runs
//   it there: route/append with a request_id are then answered as repeats
//   (SPEC 12, the id is in the replicated state); without one, and for the
//   other writes, the write may be applied twice (at least once).
// REQUIRES: the rpc_client and the nats_client outlive the proxy.

#include "actors/engine.hpp"
#include "cluster/rpc_client.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace switchboard::cluster {

class job_thread;

struct remote_engine_options {
  std::size_t read_threads = 2;
  std::size_t read_queue = 64; // per reader thread
  /// Attempt timeout and deadline of the calls that may run long on the
  /// owner (expire_now, expire_key, prune, apply_retention: flush hooks,
  /// large deletes). The others use the rpc_client's options.
  std::chrono::milliseconds slow_attempt_timeout{60000};
  std::chrono::milliseconds slow_deadline{120000};
};

class remote_engine final : public actors::engine {
public:
  /// `clk` null: the system clock.
  remote_engine(std::shared_ptr<rpc_client> client, nats_client& nats,
                int partition, core::settings cfg,
                std::shared_ptr<core::clock> clk,
                remote_engine_options opts = {});
  ~remote_engine() override;

  int partition() const { return partition_; }

  void stop() override;

  void route(actors::route_request req,
             actors::completion<actors::route_reply> done) override;
  void route_batch(
    std::vector<actors::route_request> reqs,
    std::function<void(std::vector<core::result<actors::route_reply>>)> done)
    override;
  using engine::append;
  void append(std::string key, core::message msg,
              actors::completion<actors::append_reply> done,
              std::optional<std::string> request_id) override;
  void update_usage(std::string key, core::usage_update u,
                    actors::completion<core::session_entry> done) override;
  void reset(std::string key, std::optional<std::string> title,
             actors::completion<core::session_entry> done) override;
  void switch_to(std::string key, actors::switch_target target,
                 actors::completion<core::session_entry> done) override;
  void set_busy(std::string key, bool busy, std::optional<double> ttl_seconds,
                actors::completion<core::session_entry> done) override;
  void
  rewrite_transcript(std::string key, std::vector<core::message> messages,
                     actors::completion<actors::rewrite_reply> done) override;
  void get_entry(std::string key,
                 actors::completion<core::session_entry> done) override;
  void set_title(std::string session_id, std::string title,
                 actors::completion<std::optional<std::string>> done) override;
  void delete_session(std::string session_id,
                      actors::completion<bool> done) override;
  void expire_now(actors::completion<actors::sweep_report> done) override;
  void expire_key(std::string key, std::optional<std::string> session_id,
                  actors::completion<actors::expire_reply> done) override;
  void prune(actors::prune_request req,
             actors::completion<actors::prune_report> done) override;
  void apply_retention(actors::completion<actors::prune_report> done) override;

  void read(std::function<void(core::store_reader&)> fn) override;
  std::shared_ptr<actors::subscription>
  subscribe(std::size_t capacity) override;
  actors::metrics_snapshot metrics() const override;
  const core::settings& config() const override { return cfg_; }
  const core::clock& now_source() const override { return *clk_; }

  struct events;

private:
  enum class speed { fast, slow };

  /// Forwards `op`; `done` gets the owner's result decoded as T.
  template <class T>
  void forward(const char* op, nlohmann::json args, actors::completion<T> done,
               speed s = speed::fast);
  /// Counts a call in flight; false (and nothing counted) once stopping.
  bool enter();
  void leave();

  std::shared_ptr<rpc_client> client_;
  nats_client& nats_;
  int partition_;
  core::settings cfg_;
  std::shared_ptr<core::clock> clk_;
  remote_engine_options opts_;

  std::mutex mtx_;
  std::condition_variable idle_;
  bool stopping_ = false;
  std::int64_t in_flight_ = 0;
  std::atomic<std::size_t> next_reader_{0};
  std::vector<std::unique_ptr<job_thread>> readers_;
  std::shared_ptr<events> events_;
};

} // namespace switchboard::cluster
