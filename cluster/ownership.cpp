#include "cluster/ownership.hpp"

#include "cluster/placement.hpp"

#include <algorithm>

namespace switchboard::cluster {

namespace {

bool contains(const std::vector<std::string>& ids, std::string_view id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

/// Placement over the live members with `me` counted among them.
placement place_with(std::string_view me, const ownership_facts& f) {
  auto members = f.live;
  if (!contains(members, me))
    members.emplace_back(me);
  return place(f.partition, members);
}

} // namespace

std::string_view to_string(partition_action a) {
  switch (a) {
    case partition_action::serve:
      return "serve";
    case partition_action::take_over:
      return "take_over";
    case partition_action::hand_off:
      return "hand_off";
    case partition_action::follow:
      return "follow";
    case partition_action::forward:
      return "forward";
  }
  return "forward";
}

std::string log_owner(const log_tail& tail) {
  switch (tail.kind) {
    case record_kind::takeover:
    case record_kind::batch:
      return tail.node;
    case record_kind::genesis:
    case record_kind::handoff:
      return "";
  }
  return "";
}

partition_action decide(std::string_view me, const ownership_facts& f) {
  auto owner = log_owner(f.tail);
  auto placed = place_with(me, f);
  if (owner == me) {
    bool successor_ready = placed.owner != me &&
                           contains(f.live, placed.owner) &&
                           contains(f.caught_up, placed.owner);
    return successor_ready ? partition_action::hand_off
                           : partition_action::serve;
  }
  bool owner_live = !owner.empty() && contains(f.live, owner);
  if (!owner_live && placed.owner == me)
    return partition_action::take_over;
  if (placed.owner == me || placed.standby == me)
    return partition_action::follow;
  return partition_action::forward;
}

} // namespace switchboard::cluster
