#include "actors/partitioned_slots.hpp"

#include "core/partition_rules.hpp"

namespace switchboard::actors {

core::error no_owner(int partition) {
  return core::overloaded("partition " + std::to_string(partition) +
                          " has no owner yet");
}

std::shared_ptr<engine> slot_table::get(int partition) const {
  std::lock_guard<std::mutex> lk(mtx_);
  return slots_.at(static_cast<std::size_t>(partition));
}

std::shared_ptr<engine> slot_table::set(int partition,
                                        std::shared_ptr<engine> e) {
  std::lock_guard<std::mutex> lk(mtx_);
  auto& slot = slots_.at(static_cast<std::size_t>(partition));
  std::swap(slot, e);
  return e;
}

int slot_table::partition_of(std::string_view session_key) const {
  return core::partition_of(session_key, size());
}

} // namespace switchboard::actors
