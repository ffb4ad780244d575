#include "actors/engine.hpp"

#include "actors/runtime.hpp"

#include <algorithm>

namespace switchboard::actors {

bool subscription::push(event e) {
  std::function<void()> ready;
  {
    std::lock_guard<std::mutex> lk(mtx_);
    if (closed_)
      return false;
    if (buffer_.size() >= capacity_) {
      // The subscriber fell behind: tell it once, then close.
      buffer_.push_back({"subscriber_dropped", nlohmann::json::object()});
      closed_ = true;
    } else {
      buffer_.push_back(std::move(e));
    }
    ready = ready_;
  }
  if (ready)
    ready();
  return true;
}

std::vector<event> subscription::drain() {
  std::lock_guard<std::mutex> lk(mtx_);
  std::vector<event> out(std::make_move_iterator(buffer_.begin()),
                         std::make_move_iterator(buffer_.end()));
  buffer_.clear();
  return out;
}

bool subscription::closed() const {
  std::lock_guard<std::mutex> lk(mtx_);
  return closed_;
}

void subscription::close() {
  std::lock_guard<std::mutex> lk(mtx_);
  closed_ = true;
}

void subscription::on_ready(std::function<void()> fn) {
  std::lock_guard<std::mutex> lk(mtx_);
  ready_ = std::move(fn);
}

void event_hub::add(std::shared_ptr<subscription> s) {
  std::lock_guard<std::mutex> lk(mtx_);
  subs_.push_back(std::move(s));
  count_.store(subs_.size(), std::memory_order_relaxed);
}

void event_hub::publish(const std::string& type, nlohmann::json data) {
  std::lock_guard<std::mutex> lk(mtx_);
  if (subs_.empty())
    return;
  auto gone = [&](const std::shared_ptr<subscription>& s) {
    return !s->push(event{type, data});
  };
  subs_.erase(std::remove_if(subs_.begin(), subs_.end(), gone), subs_.end());
  count_.store(subs_.size(), std::memory_order_relaxed);
}

} // namespace switchboard::actors
