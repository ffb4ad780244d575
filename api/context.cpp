#include "api/context.hpp"

namespace switchboard::api {

void http_counters::count(int status) {
  std::lock_guard lock{mtx_};
  ++by_status_[status];
}

std::map<int, std::uint64_t> http_counters::read() const {
  std::lock_guard lock{mtx_};
  return by_status_;
}

} // namespace switchboard::api
