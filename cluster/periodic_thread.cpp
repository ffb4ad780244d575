#include "cluster/periodic_thread.hpp"

namespace switchboard::cluster {

periodic_thread::periodic_thread(std::chrono::milliseconds period,
                                 std::function<void()> task)
  : period_(period), task_(std::move(task)) {
  thread_ = std::thread([this] { loop(); });
}

periodic_thread::~periodic_thread() {
  stop();
}

void periodic_thread::stop() {
  {
    std::lock_guard lock{mtx_};
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void periodic_thread::loop() {
  std::unique_lock lock{mtx_};
  while (!wake_.wait_for(lock, period_, [this] { return stopping_; })) {
    lock.unlock();
    task_();
    lock.lock();
  }
}

} // namespace switchboard::cluster
