#include "cluster/job_thread.hpp"

namespace switchboard::cluster {

job_thread::job_thread(std::size_t max_queued) : max_queued_(max_queued) {
  thread_ = std::thread([this] { loop(); });
}

job_thread::~job_thread() {
  stop();
}

bool job_thread::post(std::function<void()> job) {
  {
    std::lock_guard lock{mtx_};
    if (stopping_ || jobs_.size() >= max_queued_)
      return false;
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

void job_thread::stop() {
  {
    std::lock_guard lock{mtx_};
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void job_thread::loop() {
  std::unique_lock lock{mtx_};
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty())
      return; // stopping, and every accepted job has run
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
}

} // namespace switchboard::cluster
