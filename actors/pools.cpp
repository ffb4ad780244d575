#include "actors/pools.hpp"

namespace switchboard::actors {

worker_pool::worker_pool(int n) {
  for (int i = 0; i < n; ++i)
    threads_.emplace_back([this, i] { loop(i); });
}

worker_pool::~worker_pool() {
  stop();
}

bool worker_pool::post(job j) {
  {
    std::lock_guard<std::mutex> lk(mtx_);
    if (stopping_)
      return false;
    jobs_.push_back(std::move(j));
  }
  cv_.notify_one();
  return true;
}

void worker_pool::stop() {
  {
    std::lock_guard<std::mutex> lk(mtx_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable())
      t.join();
  threads_.clear();
}

bool worker_pool::stopping() const {
  std::lock_guard<std::mutex> lk(mtx_);
  return stopping_;
}

bool worker_pool::sleep_for(std::chrono::duration<double> d) {
  std::unique_lock<std::mutex> lk(mtx_);
  return !cv_.wait_for(lk, d, [this] { return stopping_; });
}

void worker_pool::loop(int worker) {
  for (;;) {
    job j;
    {
      std::unique_lock<std::mutex> lk(mtx_);
      cv_.wait(lk, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty())
        return;
      j = std::move(jobs_.front());
      jobs_.pop_front();
    }
    j(worker);
  }
}

core::result<std::unique_ptr<reader_pool>>
reader_pool::open(const reader_factory& factory, int n) {
  std::vector<std::unique_ptr<core::store_reader>> rs;
  for (int i = 0; i < n; ++i) {
    auto r = factory();
    if (!r)
      return r.err();
    rs.push_back(std::move(*r));
  }
  return std::unique_ptr<reader_pool>(new reader_pool(std::move(rs)));
}

reader_pool::reader_pool(std::vector<std::unique_ptr<core::store_reader>> rs)
  : readers_(std::move(rs)), pool_(static_cast<int>(readers_.size())) {}

bool reader_pool::post(std::function<void(core::store_reader&)> fn) {
  return pool_.post([this, fn = std::move(fn)](int worker) {
    fn(*readers_[static_cast<std::size_t>(worker)]);
  });
}

void reader_pool::stop() {
  pool_.stop();
}

} // namespace switchboard::actors
