#pragma once

// Who may attach a session to a key (SPEC 5, /resume). A switch names a
// scope:
//  - key (the default): only sessions created under the same key
//    (sessions.session_key).
//  - user: also sessions of the same platform (sessions.source) and the
//    same non-empty user_id, e.g. another chat of the same person. A key
//    without a user id can therefore only reach its own sessions.
// Anything else is forbidden. Sessions without a session_key (imported from
// Hermes) belong to no key: only scope user can reach them.

#include "core/result.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::core {

enum class switch_scope { key, user };

/// "key" | "user"; anything else bad_request naming `field`.
result<switch_scope> parse_switch_scope(std::string_view text,
                                        std::string_view field = "scope");

/// What the `sessions` row says about who owns a session.
struct session_owner {
  std::optional<std::string> session_key;
  std::string source; // the platform
  std::optional<std::string> user_id;
};

/// The key asking, with its platform and user (from its routing entry).
struct switch_requester {
  std::string session_key;
  std::string platform;
  std::optional<std::string> user_id;
};

/// True when `who` may switch to a session owned by `owner` under `scope`.
bool may_switch(switch_scope scope, const switch_requester& who,
                const session_owner& owner);

} // namespace switchboard::core
