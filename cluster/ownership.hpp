#pragma once

// What a node should do about one partition, decided from the facts every
// node sees alike (shared/CLUSTER.md "Failover"): the partition log's last
// record (the authority on who owns it) and the live members (placement by
// rendezvous hashing). Pure: the node's ownership loop gathers the facts and
// carries the action out; this decides.
//
// Contract:
// - The log decides the owner: the node of its last `takeover` or `batch`
//   record. After `genesis` or a `handoff` nobody owns the partition.
// - Only the placement owner over the live members (this node counted as
//   live: it knows it runs, even while its own member key is missing) takes
//   an unowned partition over, and only a partition whose log owner is not
//   live. A takeover is safe whoever attempts it: it is a fenced append
//   expecting the taker's applied sequence, so it succeeds only for a node
//   that has applied every acknowledged record, and at most once per
//   sequence.
// - A live log owner keeps its partition until the placement owner is
//   another live node that has caught up with the log; then it hands it off
//   (a node returning after a crash gets its partitions back only once it
//   holds their data, so a handoff costs the time of a few records, not of
//   a full catch-up).
// - The placement owner and standby of a partition they do not own follow
//   its log (keep their file applied), so one of them can take it over or
//   receive it at any time. Every other node forwards calls to the owner.

#include "cluster/log_record.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace switchboard::cluster {

enum class partition_action {
  serve,     // this node owns the partition and keeps it
  take_over, // unowned (or its owner is gone): append takeover, then serve
  hand_off,  // owned here, but the live placement owner is ready for it
  follow,    // owned (or about to be) elsewhere; keep this node's file applied
  forward,   // owned elsewhere; forward calls to the owner
};

/// The wire name of an action, e.g. "take_over" (logs, status).
std::string_view to_string(partition_action a);

/// What a partition's log says: its last record's kind and node.
struct log_tail {
  record_kind kind = record_kind::genesis;
  std::string node;
};

/// The owner the log names: the node of the last takeover or batch record,
/// "" after genesis or handoff.
std::string log_owner(const log_tail& tail);

struct ownership_facts {
  int partition = 0;
  log_tail tail;
  /// The live members' node ids (their member keys exist), any order.
  std::vector<std::string> live;
  /// The live members whose file of the partition has applied the log up
  /// to its end, or nearly: they can receive the partition in a handoff.
  std::vector<std::string> caught_up;
};

/// What node `me` should do about the partition.
partition_action decide(std::string_view me, const ownership_facts& facts);

} // namespace switchboard::cluster
