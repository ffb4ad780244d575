// The timer thread (contract in rpc_timer.hpp).

#include "cluster/rpc_timer.hpp"

namespace switchboard::cluster {

rpc_timer::rpc_timer() : thread_([this] { loop(); }) {}

rpc_timer::~rpc_timer() {
  {
    std::lock_guard lock(mtx_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void rpc_timer::at(clock::time_point when, std::function<void()> fn) {
  {
    std::lock_guard lock(mtx_);
    due_.emplace(when, std::move(fn));
  }
  wake_.notify_all();
}

void rpc_timer::loop() {
  std::unique_lock lock(mtx_);
  while (!stopping_) {
    if (due_.empty()) {
      wake_.wait(lock);
      continue;
    }
    auto first = due_.begin();
    if (first->first > clock::now()) {
      wake_.wait_until(lock, first->first);
      continue;
    }
    auto fn = std::move(first->second);
    due_.erase(first);
    lock.unlock();
    fn();
    lock.lock();
  }
}

} // namespace switchboard::cluster
