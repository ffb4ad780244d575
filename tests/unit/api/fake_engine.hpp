#pragma once

// An in-memory, deterministic actors::engine for the API tests: no CAF, no
// SQLite. Sessions get ids sess_1, sess_2, ...; completions run on one
// worker thread (so responses really cross threads) in call order.

#include "actors/engine.hpp"

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace switchboard::api::testing {

class fake_engine final : public actors::engine {
public:
  explicit fake_engine(core::settings cfg = {});
  ~fake_engine() override;

  void stop() override {}
  void route(actors::route_request req,
             actors::completion<actors::route_reply> done) override;
  void route_batch(
    std::vector<actors::route_request> reqs,
    std::function<void(std::vector<core::result<actors::route_reply>>)> done)
    override;
  using actors::engine::append;
  void append(std::string key, core::message msg,
              actors::completion<actors::append_reply> done,
              std::optional<std::string> request_id) override;
  void update_usage(std::string key, core::usage_update u,
                    actors::completion<core::session_entry> done) override;
  void reset(std::string key, std::optional<std::string> title,
             actors::completion<core::session_entry> done) override;
  void switch_to(std::string key, actors::switch_target target,
                 actors::completion<core::session_entry> done) override;
  void set_busy(std::string key, bool busy, std::optional<double> ttl,
                actors::completion<core::session_entry> done) override;
  void
  rewrite_transcript(std::string key, std::vector<core::message> msgs,
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
  std::shared_ptr<actors::subscription> subscribe(std::size_t cap) override;
  actors::metrics_snapshot metrics() const override;
  const core::settings& config() const override { return cfg_; }
  const core::clock& now_source() const override { return clock_; }

  // -- test controls ---------------------------------------------------------
  /// The next operation completes with errc::overloaded.
  void overload_next() { overload_next_ = true; }
  /// Publishes an event to every subscriber.
  void publish(actors::event e);
  /// Waits until every queued completion has run.
  void settle();
  /// Holds the worker: queued operations wait until release().
  void hold();
  void release();
  /// Waits until at least n operations are queued (while held).
  void wait_queued(std::size_t n);
  /// Waits until someone subscribed to events.
  void wait_subscriber();

  /// What the last calls asked for (guarded by mtx_ via accessors below).
  struct record {
    std::optional<std::string> reset_title;
    std::optional<std::string> append_request_id;
    std::optional<std::string> route_request_id;
    std::optional<actors::switch_target> switch_target;
    std::optional<double> busy_ttl;
    std::optional<bool> busy;
    std::optional<double> prune_days;
    std::optional<std::string> prune_source;
    std::optional<bool> prune_dry_run;
    std::optional<core::usage_query> usage;
    std::optional<core::search_query> search;
    std::optional<core::history_query> history;
    std::optional<core::entry_list_query> list;
    std::optional<std::string> expire_key;
    std::optional<std::string> expire_session_id;
  };
  record last() const;

  struct state; // the in-memory store, shared with the fake reader

private:
  void deliver(std::function<void()> fn);
  bool take_overload();
  core::result<actors::route_reply> route_now(actors::route_request& req);
  void run_worker();

  core::settings cfg_;
  core::system_clock clock_;
  std::unique_ptr<state> state_;
  std::atomic<bool> overload_next_{false};
  std::vector<std::shared_ptr<actors::subscription>> subs_;

  mutable std::mutex qmtx_;
  std::condition_variable qcv_;
  std::vector<std::function<void()>> queue_;
  bool busy_running_ = false;
  bool held_ = false;
  bool quit_ = false;
  std::thread worker_;
};

} // namespace switchboard::api::testing
