#pragma once

// partitioned_engine: an actors::engine over P partitions of the key space
// (cluster mode, shared/CLUSTER.md "Shape"), so that the HTTP layer,
// unchanged, serves a partitioned store. Each partition is a slot holding
// the engine that serves it: a local engine::start on the partition's own
// file, or a proxy to the partition's owner. The engine contract
// (actors/engine.hpp) holds, with these rules:
//
// Slots: set_slot() replaces a slot's engine at run time (ownership moved)
// and returns the previous one. Thread-safe. An operation takes the slot's
// engine when it is issued; one already sent to the previous engine
// completes there: the caller of set_slot stops the previous engine (its
// stop() answers what it accepted) and must not let its last reference die
// on one of that engine's own threads. An empty slot (nullptr: no owner
// yet) answers every operation that needs it with overloaded "partition N
// has no owner yet".
//
// Keyed operations (route, append, update_usage, reset, set_busy,
// rewrite_transcript, get_entry, expire_key) go to the slot of
// core::partition_of(key, P) (core/partition_rules.hpp); route builds the
// key with the `keys` settings given here, which must be the slots' own.
// route_batch splits the batch by partition, sends each part as one batch
// to its slot (so items of one key keep their order) and answers in input
// order; the items of an empty slot fail with overloaded, the others run.
//
// By session id (set_title, delete_session): the partition whose file holds
// the id is looked up first (every partition is asked, on a read thread),
// then the operation goes to that slot. not_found when no partition has the
// id, or the error of a slot that could not say (no owner, failed).
//
// switch_to: the target is resolved across every partition as one file
// would (unique id prefix, or title by SPEC 6, see partitioned_reader.hpp).
// When it lives in the key's partition, the key's slot switches to the
// exact id (it follows the compression chain and checks the scope as
// always). When it lives in another partition, nothing changes and:
//  - forbidden, with one file's words, when SPEC 5's scope refuses it
//    (scope key never reaches another partition: a session created under
//    the key lives in the key's partition);
//  - else conflict "switch: session X is in partition B but key K is in
//    partition A; ...": attaching it would take a transaction in each of
//    two partition files (the key's entry and the target row's reopening),
//    which the one-transaction-per-partition log cannot make atomic.
// So in cluster mode /resume with scope user reaches the user's sessions of
// the key's own partition only.
//
// Scatter operations (expire_now, prune, apply_retention) run on every
// slot at once; the reports are merged (counts summed, prune ids oldest
// first by the time in their id). A slot that fails or has no owner makes
// the merged completion that error (the first by partition); what the
// other slots did is done and durable. Retention's max_ended_sessions
// keeps that many ended sessions PER PARTITION (each slot applies the
// rule to its file); the age rules (prune, max_age_days) are exact.
//
// read(fn) runs fn on one of this engine's read threads with a
// partitioned_reader (partitioned_reader.hpp says what merges exactly and
// what approximately). subscribe() merges every slot's events
// (partitioned_events.hpp), slots set later included. metrics() sums the
// slots' counters and histograms (same buckets everywhere); last_sweep_*
// are the latest sweep's time, the longest duration, the summed count;
// next_sweep_at the earliest. config() and now_source() are those given at
// construction. stop() refuses new work, finishes the running reads, then
// stops every slot's engine (each drains what it accepted). message ids
// (append and route replies) are unique within a partition only.

#include "actors/engine.hpp"
#include "actors/partitioned_events.hpp"
#include "actors/partitioned_slots.hpp"

#include <atomic>
#include <memory>

namespace switchboard::actors {

class worker_pool;

class partitioned_engine final : public engine {
public:
  /// Every slot empty. REQUIRES: 1 <= partitions <= core::max_partitions,
  /// read_threads >= 1 (each blocks while the slots answer a read).
  partitioned_engine(core::settings cfg, std::shared_ptr<core::clock> clk,
                     int partitions, int read_threads = 4);
  ~partitioned_engine() override;

  int partitions() const { return slots_.size(); }
  /// Puts `e` (nullptr: no owner) in the slot; returns the previous engine.
  std::shared_ptr<engine> set_slot(int partition, std::shared_ptr<engine> e);
  std::shared_ptr<engine> slot(int partition) const {
    return slots_.get(partition);
  }

  void stop() override;

  void route(route_request req, completion<route_reply> done) override;
  void route_batch(
    std::vector<route_request> reqs,
    std::function<void(std::vector<core::result<route_reply>>)> done) override;
  using engine::append;
  void append(std::string key, core::message msg, completion<append_reply> done,
              std::optional<std::string> request_id) override;
  void update_usage(std::string key, core::usage_update u,
                    completion<core::session_entry> done) override;
  void reset(std::string key, std::optional<std::string> title,
             completion<core::session_entry> done) override;
  void switch_to(std::string key, switch_target target,
                 completion<core::session_entry> done) override;
  void set_busy(std::string key, bool busy, std::optional<double> ttl_seconds,
                completion<core::session_entry> done) override;
  void rewrite_transcript(std::string key, std::vector<core::message> messages,
                          completion<rewrite_reply> done) override;
  void get_entry(std::string key,
                 completion<core::session_entry> done) override;
  void set_title(std::string session_id, std::string title,
                 completion<std::optional<std::string>> done) override;
  void delete_session(std::string session_id, completion<bool> done) override;
  void expire_now(completion<sweep_report> done) override;
  void expire_key(std::string key, std::optional<std::string> session_id,
                  completion<expire_reply> done) override;
  void prune(prune_request req, completion<prune_report> done) override;
  void apply_retention(completion<prune_report> done) override;
  void read(std::function<void(core::store_reader&)> fn) override;
  std::shared_ptr<subscription> subscribe(std::size_t capacity) override;
  metrics_snapshot metrics() const override;
  const core::settings& config() const override { return cfg_; }
  const core::clock& now_source() const override { return *clk_; }

private:
  /// Calls call(engine&) with the key's slot, or answers no_owner.
  template <class T, class Call>
  void keyed(const std::string& key, completion<T>& done, Call call);
  /// Runs job on a read thread; false when stopping (job not run).
  bool post(std::function<void()> job);
  /// The slot of the partition holding `session_id` (on a read thread).
  core::result<std::shared_ptr<engine>> holder_of(const std::string& id);
  void switch_resolved(const std::string& key, const switch_target& target,
                       completion<core::session_entry> done);
  template <class T, class Call, class Merge>
  void scatter(completion<T> done, Call call, Merge merge);

  core::settings cfg_;
  std::shared_ptr<core::clock> clk_;
  slot_table slots_;
  std::unique_ptr<worker_pool> pool_;
  std::mutex events_mtx_; // a slot change and a subscribe, one at a time
  merged_events events_;
  std::atomic<bool> stopping_{false};
};

} // namespace switchboard::actors
