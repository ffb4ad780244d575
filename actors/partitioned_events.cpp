#include "actors/partitioned_events.hpp"

#include <algorithm>

namespace switchboard::actors {

/// One merged subscription: `out` and the slot subscriptions feeding it.
/// Each slot subscription's ready callback holds the feed (a slot engine
/// holds its subscription until it is closed), the feed holds `out`.
struct merged_events::feed {
  explicit feed(std::size_t capacity)
    : capacity(capacity), out(std::make_shared<subscription>(capacity)) {}
  std::size_t capacity;
  std::shared_ptr<subscription> out;
  std::mutex mtx; // one slot forwards at a time
  std::vector<std::weak_ptr<subscription>> from;

  /// REQUIRES: mtx held.
  void close_all() {
    out->close();
    for (auto& w : from)
      if (auto s = w.lock())
        s->close();
  }
};

void merged_events::forget_finished() {
  // A feed is finished when closed, or when only the feed still holds its
  // subscription (the consumer let go of it).
  auto finished = [](const std::shared_ptr<feed>& f) {
    return f->out->closed() || f->out.use_count() == 1;
  };
  feeds_.erase(std::remove_if(feeds_.begin(), feeds_.end(), finished),
               feeds_.end());
}

void merged_events::forward(const std::shared_ptr<feed>& f,
                            const std::shared_ptr<subscription>& from) {
  std::lock_guard<std::mutex> lk(f->mtx);
  for (auto& e : from->drain()) {
    bool dropped = e.type == "subscriber_dropped";
    // push() itself turns a full buffer into subscriber_dropped + closed.
    if (!f->out->push(std::move(e)) || dropped || f->out->closed())
      return f->close_all();
  }
}

void merged_events::connect(const std::shared_ptr<feed>& f, engine& e) {
  auto s = e.subscribe(f->capacity);
  {
    std::lock_guard<std::mutex> lk(f->mtx);
    if (f->out->closed()) {
      s->close();
      return;
    }
    f->from.push_back(s);
  }
  std::weak_ptr<subscription> ws = s;
  s->on_ready([f, ws] {
    if (auto s = ws.lock())
      forward(f, s);
  });
  forward(f, s); // what arrived before the callback was set
}

std::shared_ptr<subscription>
merged_events::subscribe(const std::vector<std::shared_ptr<engine>>& engines,
                         std::size_t capacity) {
  auto f = std::make_shared<feed>(capacity);
  {
    std::lock_guard<std::mutex> lk(mtx_);
    forget_finished();
    feeds_.push_back(f);
  }
  for (const auto& e : engines)
    if (e)
      connect(f, *e);
  return f->out;
}

void merged_events::attach(const std::shared_ptr<engine>& e) {
  if (!e)
    return;
  std::vector<std::shared_ptr<feed>> open;
  {
    std::lock_guard<std::mutex> lk(mtx_);
    forget_finished();
    open = feeds_;
  }
  for (auto& f : open)
    connect(f, *e);
}

} // namespace switchboard::actors
