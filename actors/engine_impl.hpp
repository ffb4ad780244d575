#pragma once

// Actors-private (not included outside actors/): the engine's one
// implementation, shared by engine.cpp (its operations: admission, the
// per-key ops sent to the shards, the direct writes and reads, stop,
// metrics) and engine_start.cpp (init: the store, the pools, the actor
// system and its actors).
//
// Contract: every accepted request holds one in-flight slot until its
// completion runs; stop() refuses new requests, waits until every accepted
// one was answered, then stops the actors and the pools. init() runs once,
// before any request; started_ says whether the actors exist.

#include "actors/engine_testing.hpp"
#include "actors/messages.hpp"
#include "actors/pools.hpp"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace switchboard::actors {

class engine_impl final : public testable_engine {
public:
  engine_impl(const core::settings& cfg, std::shared_ptr<core::clock> clk) {
    rt_.cfg = cfg;
    rt_.clk = std::move(clk);
  }
  ~engine_impl() override { stop(); }

  core::status init(engine_options opts);
  void stop() override;

  void route(route_request req, completion<route_reply> done) override {
    auto key = core::build_session_key(req.origin, rt_.cfg.keys);
    submit(std::move(key), std::move(done),
           [&](auto d) { return make_route_op(std::move(req), std::move(d)); });
  }

  void route_batch(
    std::vector<route_request> reqs,
    std::function<void(std::vector<core::result<route_reply>>)> done) override;

  using engine::append;
  void append(std::string key, core::message msg, completion<append_reply> done,
              std::optional<std::string> request_id) override {
    submit(std::move(key), std::move(done), [&](auto d) {
      return make_append_op(std::move(msg), std::move(request_id),
                            std::move(d));
    });
  }
  void update_usage(std::string key, core::usage_update u,
                    completion<core::session_entry> done) override {
    submit(std::move(key), std::move(done),
           [&](auto d) { return make_usage_op(std::move(u), std::move(d)); });
  }
  void reset(std::string key, std::optional<std::string> title,
             completion<core::session_entry> done) override {
    submit(std::move(key), std::move(done), [&](auto d) {
      return make_reset_op(std::move(title), std::move(d));
    });
  }
  void switch_to(std::string key, switch_target target,
                 completion<core::session_entry> done) override {
    submit(std::move(key), std::move(done), [&](auto d) {
      return make_switch_op(std::move(target), std::move(d));
    });
  }
  void set_busy(std::string key, bool busy, std::optional<double> ttl,
                completion<core::session_entry> done) override {
    submit(std::move(key), std::move(done),
           [&](auto d) { return make_busy_op(busy, ttl, std::move(d)); });
  }
  void rewrite_transcript(std::string key, std::vector<core::message> msgs,
                          completion<rewrite_reply> done) override {
    submit(std::move(key), std::move(done), [&](auto d) {
      return make_rewrite_op(std::move(msgs), std::move(d));
    });
  }
  void get_entry(std::string key,
                 completion<core::session_entry> done) override {
    submit(std::move(key), std::move(done),
           [&](auto d) { return make_get_op(std::move(d)); });
  }

  void set_title(std::string session_id, std::string title,
                 completion<std::optional<std::string>> done) override;
  void delete_session(std::string session_id, completion<bool> done) override;
  void expire_now(completion<sweep_report> done) override;
  void expire_key(std::string key, std::optional<std::string> session_id,
                  completion<expire_reply> done) override;
  void prune(prune_request req, completion<prune_report> done) override;
  void apply_retention(completion<prune_report> done) override;
  void retention_tick(completion<std::optional<prune_report>> done) override;
  void read(std::function<void(core::store_reader&)> fn) override;
  void passivate_idle(completion<std::int64_t> done) override;

  std::shared_ptr<subscription> subscribe(std::size_t capacity) override {
    auto s = std::make_shared<subscription>(capacity);
    rt_.events.add(s);
    return s;
  }
  metrics_snapshot metrics() const override;
  const core::settings& config() const override { return rt_.cfg; }
  const core::clock& now_source() const override { return *rt_.clk; }

private:
  /// Admission control: false (and `done` answered with overloaded) when
  /// stopping, at max_in_flight, or when the writer queue is full.
  template <class T>
  bool admit(completion<T>& done);
  /// Wraps `done` so that in-flight drops when it runs.
  template <class T>
  completion<T> tracked(completion<T> done);
  void release();

  template <class T, class Make>
  void submit(std::string key, completion<T> done, Make make) {
    if (!admit(done))
      return;
    send_to_shard(shards_, std::move(key), make(tracked(std::move(done))));
  }

  /// A write by session id, straight to the writer.
  void direct_write(write_fn fn, std::function<void(core::status)> done) {
    rt_.writer_queue.fetch_add(1, std::memory_order_relaxed);
    caf::anon_send(writer_, write_job{std::move(fn), std::move(done), {}});
  }

  runtime rt_;
  std::unique_ptr<reader_pool> readers_;
  std::unique_ptr<worker_pool> hooks_;
  std::unique_ptr<caf::actor_system_config> caf_cfg_;
  std::unique_ptr<caf::actor_system> system_;
  caf::actor writer_;
  caf::actor supervisor_;
  std::vector<caf::actor> shards_;
  std::atomic<bool> stopping_{false};
  std::mutex stop_mtx_;
  std::condition_variable drained_;
  bool stopped_ = false;
  bool started_ = false;
};

} // namespace switchboard::actors
