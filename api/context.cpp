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

void api_context::appended(const std::string& session_key,
                           const std::string& session_id,
                           std::int64_t message_id,
                           const std::string& role) const {
  if (!events->recording("message_appended"))
    return;
  events->append("message_appended", {{"session_key", session_key},
                                      {"session_id", session_id},
                                      {"message_id", message_id},
                                      {"role", role}});
}

} // namespace switchboard::api
