#pragma once

// Actors-private: the two thread pools that keep blocking work off CAF's
// scheduler threads (no CAF here).
//  - reader_pool: N threads, each with its own read-only store connection.
//  - worker_pool: N threads for flush hooks (N = flush.concurrency, which is
//    what bounds concurrent hook calls).

#include "actors/runtime.hpp"

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace switchboard::actors {

/// A FIFO of jobs run by `n` threads. stop() finishes the queued jobs, then
/// joins. Thread-safe.
class worker_pool {
public:
  using job = std::function<void(int worker)>;

  explicit worker_pool(int n);
  ~worker_pool();
  worker_pool(const worker_pool&) = delete;
  worker_pool& operator=(const worker_pool&) = delete;

  /// False once stopping (the job is not run).
  bool post(job j);
  void stop();
  bool stopping() const;
  /// Waits up to `d` unless stop() is called first; false when stopping.
  bool sleep_for(std::chrono::duration<double> d);

private:
  void loop(int worker);

  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::deque<job> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

/// Read-only connections, one per thread.
class reader_pool {
public:
  /// Opens `n` connections up front: an error when any fails.
  static core::result<std::unique_ptr<reader_pool>>
  open(const reader_factory& factory, int n);

  /// Runs fn on a reader thread; false (not run) once stopping.
  bool post(std::function<void(core::store_reader&)> fn);
  void stop();

private:
  explicit reader_pool(std::vector<std::unique_ptr<core::store_reader>> rs);

  std::vector<std::unique_ptr<core::store_reader>> readers_;
  worker_pool pool_;
};

} // namespace switchboard::actors
