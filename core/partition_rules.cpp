#include "core/partition_rules.hpp"

#include "core/cluster_rules.hpp"

#include <cassert>

namespace switchboard::core {

std::uint32_t fnv1a_32(std::string_view data) {
  std::uint32_t hash = 2166136261u; // offset basis
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 16777619u; // FNV prime
  }
  return hash;
}

int partition_of(std::string_view session_key, int partitions) {
  assert(partitions >= 1 && partitions <= max_partitions);
  return static_cast<int>(fnv1a_32(session_key) %
                          static_cast<std::uint32_t>(partitions));
}

} // namespace switchboard::core
