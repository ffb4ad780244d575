#pragma once

// A task run on its own std::thread every `period` until stopped: the
// member heartbeat (shared/CLUSTER.md "Membership"). Not a CAF scheduler
// thread, so a slow NATS call blocks nobody but this thread. stop() wakes
// the thread at once (a condition variable, no sleep) and joins it.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace switchboard::cluster {

class periodic_thread {
public:
  /// Starts the thread: `task` runs once `period` after the start, then
  /// every `period` (measured from the end of the previous run).
  periodic_thread(std::chrono::milliseconds period, std::function<void()> task);

  /// Calls stop().
  ~periodic_thread();
  periodic_thread(const periodic_thread&) = delete;
  periodic_thread& operator=(const periodic_thread&) = delete;

  /// Returns once the thread has ended; a run in progress is finished
  /// first, no run starts afterwards. Idempotent.
  /// REQUIRES: not called from the task.
  void stop();

private:
  void loop();

  std::chrono::milliseconds period_;
  std::function<void()> task_;
  std::mutex mtx_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace switchboard::cluster
