// Subject names of forwarding (contract in rpc_subjects.hpp), numbered as
// the partition's log subject is (cluster/partition.hpp).

#include "cluster/rpc_subjects.hpp"

#include <cstdio>

namespace switchboard::cluster {

namespace {

std::string numbered(const char* prefix, int partition) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", partition);
  return std::string(prefix) + buf;
}

} // namespace

std::string rpc_subject(int partition) {
  return numbered("sb.rpc.", partition);
}

std::string rpc_subject(int partition, std::string_view node) {
  return rpc_subject(partition) + "." + std::string{node};
}

std::string events_subject(int partition) {
  return numbered("sb.events.", partition);
}

} // namespace switchboard::cluster
