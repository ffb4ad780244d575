#include "cluster/placement.hpp"

namespace switchboard::cluster {

namespace {

std::uint64_t fnv1a_64(std::string_view data) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

/// splitmix64's finalizer: FNV alone mixes its last bytes poorly, and ids
/// like "node-1"/"node-2" differ only there.
std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

/// True when (score a, id a) ranks above (score b, id b).
bool ranks_above(std::uint64_t sa, const std::string& a, std::uint64_t sb,
                 const std::string& b) {
  return sa != sb ? sa > sb : a < b;
}

} // namespace

std::uint64_t rendezvous_score(std::string_view member, int partition) {
  auto p = static_cast<std::uint64_t>(partition);
  return mix64(fnv1a_64(member) ^ mix64(p + 0x9e3779b97f4a7c15ull));
}

placement place(int partition, const std::vector<std::string>& members) {
  placement out;
  std::uint64_t best = 0, second = 0;
  for (const auto& m : members) {
    if (m == out.owner || m == out.standby)
      continue;
    auto s = rendezvous_score(m, partition);
    if (out.owner.empty() || ranks_above(s, m, best, out.owner)) {
      out.standby = std::move(out.owner);
      second = best;
      out.owner = m;
      best = s;
    } else if (out.standby.empty() || ranks_above(s, m, second, out.standby)) {
      out.standby = m;
      second = s;
    }
  }
  return out;
}

} // namespace switchboard::cluster
