#pragma once

// The NATS subjects of forwarding (docs/CLUSTER_STATUS.md "Phase 3c"):
// plain subjects, not streams (nothing is stored). Pure functions.

#include <string>

namespace switchboard::cluster {

/// "sb.rpc.03": where partition 3's owner answers forwarded calls.
/// REQUIRES: 0 <= partition < max_partitions.
std::string rpc_subject(int partition);

/// "sb.events.03": where partition 3's owner publishes its engine's events.
/// REQUIRES: 0 <= partition < max_partitions.
std::string events_subject(int partition);

} // namespace switchboard::cluster
