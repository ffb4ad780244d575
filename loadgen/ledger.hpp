#pragma once

// The ledger of a load run: everything the target acknowledged, by key and
// by session, and what the expiry sweeps reported. Verification checks the
// store against it. Thread-safe (one mutex).

#include "actors/engine.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace switchboard::loadgen {

class ledger {
public:
  struct key_info {
    std::set<std::string> sessions;
    std::int64_t resets = 0; // created by an auto reset
    std::int64_t fresh = 0;  // created without one (the key was new)
  };
  struct session_info {
    std::string key;
    bool created = false; // in this run (else it held messages before)
    std::vector<std::int64_t> message_ids;
  };

  void route(const actors::route_reply& r);
  void append(const std::string& key, const actors::append_reply& r);
  void sweep(const actors::sweep_report& r);

  // Copies in key order, for after the run.
  std::map<std::string, key_info> keys() const;
  std::map<std::string, session_info> sessions() const;
  std::size_t session_count() const;
  std::int64_t resets(core::reset_reason why) const;
  std::int64_t expired() const;
  std::int64_t flushed() const;

private:
  mutable std::mutex mtx_;
  // Hashed: the driver looks both up once per acknowledgement.
  std::unordered_map<std::string, key_info> keys_;
  std::unordered_map<std::string, session_info> sessions_;
  std::int64_t idle_ = 0, daily_ = 0, expired_ = 0, flushed_ = 0;
};

} // namespace switchboard::loadgen
