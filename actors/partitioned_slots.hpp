#pragma once

// The P slots of a partitioned engine (actors/partitioned_engine.hpp) and
// the blocking fan-out of a read to them.
//
// Contract:
//  - A slot holds the engine serving one partition (a local engine, or a
//    proxy to the partition's owner) or nothing (no owner yet). get() and
//    set() are thread-safe; set() returns the previous engine. An operation
//    takes the slot's engine under the lock and calls it outside the lock,
//    so an operation already sent to a replaced engine completes there.
//  - read_one / read_all run `op` with the slot's store_reader, on the
//    slot's reader thread, and WAIT for the answer: call them only from a
//    thread that may block (the partitioned engine's read threads), never
//    from an engine completion. read_all asks every slot at once and waits
//    for all. A slot without an engine answers overloaded "partition N has
//    no owner yet"; a slot that drops the read (it is stopping: engine::read
//    does not run fn then) answers overloaded "partition N is stopping", so
//    a wait never hangs on a stopped engine.

#include "actors/engine.hpp"

#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace switchboard::actors {

/// overloaded "partition N has no owner yet".
core::error no_owner(int partition);

class slot_table {
public:
  explicit slot_table(int partitions) : slots_(partitions) {}

  int size() const { return static_cast<int>(slots_.size()); }
  /// REQUIRES: 0 <= partition < size().
  std::shared_ptr<engine> get(int partition) const;
  std::shared_ptr<engine> set(int partition, std::shared_ptr<engine> e);
  /// The partition of a session key.
  int partition_of(std::string_view session_key) const;

  template <class T>
  using read_op = std::function<core::result<T>(core::store_reader&)>;

  template <class T>
  core::result<T> read_one(int partition, read_op<T> op) const {
    return ask<T>(partition, std::move(op)).get();
  }

  /// One answer per partition, index = partition.
  template <class T>
  std::vector<core::result<T>> read_all(const read_op<T>& op) const {
    return read_each<T>([op](int, core::store_reader& r) { return op(r); });
  }

  /// As read_all, with the partition passed to `op`.
  template <class T>
  std::vector<core::result<T>> read_each(
    const std::function<core::result<T>(int, core::store_reader&)>& op) const {
    std::vector<std::future<core::result<T>>> asked;
    for (int p = 0; p < size(); ++p)
      asked.push_back(
        ask<T>(p, [op, p](core::store_reader& r) { return op(p, r); }));
    std::vector<core::result<T>> out;
    for (auto& f : asked)
      out.push_back(f.get());
    return out;
  }

private:
  /// Answers the promise once; with overloaded when the read was dropped
  /// without running (the last copy of the job is destroyed).
  template <class T>
  struct pending {
    explicit pending(int p) : partition(p) {}
    ~pending() {
      if (!answered.exchange(true))
        promise.set_value(core::overloaded(
          "partition " + std::to_string(partition) + " is stopping"));
    }
    void answer(core::result<T> r) {
      if (!answered.exchange(true))
        promise.set_value(std::move(r));
    }
    int partition;
    std::atomic<bool> answered{false};
    std::promise<core::result<T>> promise;
  };

  template <class T>
  std::future<core::result<T>> ask(int partition, read_op<T> op) const {
    auto e = get(partition);
    if (!e) {
      std::promise<core::result<T>> none;
      none.set_value(no_owner(partition));
      return none.get_future();
    }
    auto job = std::make_shared<pending<T>>(partition);
    auto f = job->promise.get_future();
    // No copy of `job` stays here: if the engine drops the read, the last
    // copy dies with it and answers the future.
    e->read([job = std::move(job), op = std::move(op)](core::store_reader& r) {
      job->answer(op(r));
    });
    return f;
  }

  mutable std::mutex mtx_;
  std::vector<std::shared_ptr<engine>> slots_;
};

} // namespace switchboard::actors
