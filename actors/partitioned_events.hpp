#pragma once

// The merged event stream of a partitioned engine: one subscription fed by
// one subscription on every slot's engine.
//
// Contract:
//  - Events of one partition keep their order; events of different
//    partitions are interleaved as they arrive.
//  - Bounded like any subscription: the merged one holds `capacity` events;
//    when its consumer falls behind it closes with subscriber_dropped (as
//    engine::subscribe does), and the slot subscriptions are closed.
//  - A slot subscription that drops (its own buffer filled before it was
//    forwarded) closes the merged one the same way: subscriber_dropped is
//    its last event.
//  - attach() adds the subscription of an engine that joins later (a
//    replaced slot); events it published before are not seen.
//  - A merged subscription its consumer closed (or let go of) detaches
//    from every slot at their next event.
//  - The caller serialises subscribe() and attach() (the partitioned
//    engine does, with the slot change), so no engine feeds one merged
//    subscription twice. Thread-safe; forwarding runs on the slots' pushing
//    threads and never blocks.

#include "actors/engine.hpp"

#include <memory>
#include <mutex>
#include <vector>

namespace switchboard::actors {

class merged_events {
public:
  /// A merged subscription fed by every engine of `engines` (null ones
  /// skipped), remembered for attach() until closed or let go.
  std::shared_ptr<subscription>
  subscribe(const std::vector<std::shared_ptr<engine>>& engines,
            std::size_t capacity);
  /// Subscribes `e` for every open merged subscription.
  void attach(const std::shared_ptr<engine>& e);

private:
  struct feed;
  static void forward(const std::shared_ptr<feed>& f,
                      const std::shared_ptr<subscription>& from);
  static void connect(const std::shared_ptr<feed>& f, engine& e);

  /// REQUIRES: mtx_ held.
  void forget_finished();

  std::mutex mtx_;
  std::vector<std::shared_ptr<feed>> feeds_; // open merged subscriptions
};

} // namespace switchboard::actors
