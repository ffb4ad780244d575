#pragma once

// build_session_key (SPEC 1, seed 000 with the two marked changes).

#include "core/source.hpp"

#include <string>

namespace switchboard::core {

struct key_settings {
  std::string agent_name = "main";      // namespace "agent:<agent_name>"
  bool group_sessions_per_user = true;  // split group chats per participant
  bool thread_sessions_per_user = true; // ...also inside threads
};

/// The session key for a source (SPEC 1). Empty strings count as absent,
/// like the seed's truthiness tests. Components are used as given (a ':'
/// inside a chat id stays).
std::string build_session_key(const source& s, const key_settings& cfg);

/// True for a key switchboard accepts from outside (API paths): non-empty, at
/// most 1024 bytes, valid UTF-8, no control characters (C0, DEL, C1).
bool valid_session_key(std::string_view key);

} // namespace switchboard::core
