#pragma once

// The NATS subjects of forwarding (docs/CLUSTER_STATUS.md "Phase 3c"):
// plain subjects, not streams (nothing is stored). Pure functions.

#include <string>
#include <string_view>

namespace switchboard::cluster {

/// "sb.rpc.03": where partition 3's owner answers forwarded calls.
/// REQUIRES: 0 <= partition < max_partitions.
std::string rpc_subject(int partition);

/// "sb.rpc.03.n2": where node n2 answers partition 3's forwarded calls
/// while it serves the partition. A caller that knows the owner the log
/// names addresses it there, so an old owner that has not yet learned it
/// was deposed (a paused node keeps its subscriptions for minutes) is never
/// asked. REQUIRES: as rpc_subject; `node` a member id (subject-safe).
std::string rpc_subject(int partition, std::string_view node);

/// "sb.events.03": where partition 3's owner publishes its engine's events.
/// REQUIRES: 0 <= partition < max_partitions.
std::string events_subject(int partition);

} // namespace switchboard::cluster
