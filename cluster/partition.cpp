#include "cluster/partition.hpp"

#include <cassert>
#include <cstdio>

namespace switchboard::cluster {

namespace {

std::string two_digits(int partition) {
  assert(partition >= 0 && partition < max_partitions);
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", partition);
  return buf;
}

core::status check_range(int value, int max, std::string_view field) {
  if (value >= 1 && value <= max)
    return {};
  return core::bad_request(std::string{field} + " must be between 1 and " +
                           std::to_string(max));
}

} // namespace

std::string stream_name(int partition) {
  return "SB_P" + two_digits(partition);
}

std::string log_subject(int partition) {
  return "sb.log." + two_digits(partition);
}

core::status check_partitions(int partitions, std::string_view field) {
  return check_range(partitions, max_partitions, field);
}

core::status check_replicas(int replicas, std::string_view field) {
  return check_range(replicas, max_replicas, field);
}

} // namespace switchboard::cluster
