#pragma once

// Owner and standby of a partition by rendezvous (highest random weight)
// hashing over the live members (shared/CLUSTER.md "Membership"). Pure.
//
// Every member gets a score for the partition; the highest is the owner,
// the second highest the standby. Every node computes the same answer from
// the same member list, and a member leaving moves only the partitions it
// owned or stood by for: the others' scores are unchanged.
//
// This is the *intended* placement. Who really owns a partition is decided
// by the log (the last `takeover` record), never by this function alone.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::cluster {

struct placement {
  std::string owner;   // "" when there is no member
  std::string standby; // "" when there are fewer than two members
};

/// The rendezvous score of `member` for `partition`: a 64-bit mix of
/// FNV-1a-64(member) and the partition id, the same on every platform.
std::uint64_t rendezvous_score(std::string_view member, int partition);

/// The owner (highest score) and standby (second highest) of `partition`
/// among `members`. Ties (equal scores) go to the smaller member id.
/// Duplicate ids count once; the order of `members` does not matter.
placement place(int partition, const std::vector<std::string>& members);

} // namespace switchboard::cluster
