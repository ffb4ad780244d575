// The ledger of a load run (ledger.hpp).

#include "loadgen/ledger.hpp"

namespace switchboard::loadgen {

void ledger::route(const actors::route_reply& r) {
  std::lock_guard lock{mtx_};
  auto& k = keys_[r.session_key];
  k.sessions.insert(r.session_id);
  if (r.created && !r.was_auto_reset)
    ++k.fresh;
  if (r.was_auto_reset) {
    ++k.resets;
    if (r.auto_reset_reason == core::reset_reason::idle)
      ++idle_;
    else if (r.auto_reset_reason == core::reset_reason::daily)
      ++daily_;
  }
  auto& s = sessions_[r.session_id];
  s.key = r.session_key;
  s.created = s.created || r.created;
  if (r.message_id)
    s.message_ids.push_back(*r.message_id);
}

void ledger::append(const std::string& key, const actors::append_reply& r) {
  std::lock_guard lock{mtx_};
  keys_[key].sessions.insert(r.session_id);
  auto& s = sessions_[r.session_id];
  s.key = key;
  s.message_ids.push_back(r.message_id);
}

void ledger::sweep(const actors::sweep_report& r) {
  std::lock_guard lock{mtx_};
  expired_ += r.expired;
  flushed_ += r.flushed;
}

std::map<std::string, ledger::key_info> ledger::keys() const {
  std::lock_guard lock{mtx_};
  return {keys_.begin(), keys_.end()};
}

std::map<std::string, ledger::session_info> ledger::sessions() const {
  std::lock_guard lock{mtx_};
  return {sessions_.begin(), sessions_.end()};
}

std::size_t ledger::session_count() const {
  std::lock_guard lock{mtx_};
  return sessions_.size();
}

std::int64_t ledger::resets(core::reset_reason why) const {
  std::lock_guard lock{mtx_};
  return why == core::reset_reason::idle    ? idle_
         : why == core::reset_reason::daily ? daily_
                                            : 0;
}

std::int64_t ledger::expired() const {
  std::lock_guard lock{mtx_};
  return expired_;
}

std::int64_t ledger::flushed() const {
  std::lock_guard lock{mtx_};
  return flushed_;
}

} // namespace switchboard::loadgen
