#pragma once

// One std::thread that runs posted jobs in order: the node's answers to
// GET /v1/cluster, which wait on NATS and so must not run on the HTTP I/O
// thread. The queue is bounded: a job past the bound is refused up front
// (the caller answers "overloaded"), never dropped once accepted.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace switchboard::cluster {

class job_thread {
public:
  explicit job_thread(std::size_t max_queued);
  /// Calls stop().
  ~job_thread();
  job_thread(const job_thread&) = delete;
  job_thread& operator=(const job_thread&) = delete;

  /// Queues `job`; false (and `job` is not run) when max_queued jobs are
  /// waiting or the thread is stopping. Thread-safe.
  bool post(std::function<void()> job);

  /// Runs every job accepted so far, then ends the thread. Idempotent.
  /// REQUIRES: not called from a job.
  void stop();

private:
  void loop();

  std::size_t max_queued_;
  std::mutex mtx_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace switchboard::cluster
