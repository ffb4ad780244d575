#include "core/ownership.hpp"

namespace switchboard::core {

result<switch_scope> parse_switch_scope(std::string_view text,
                                        std::string_view field) {
  if (text == "key")
    return switch_scope::key;
  if (text == "user")
    return switch_scope::user;
  return bad_request(std::string{field} + ": expected one of key, user");
}

namespace {

bool same_user(const switch_requester& who, const session_owner& owner) {
  return who.user_id && !who.user_id->empty() && owner.user_id == who.user_id &&
         owner.source == who.platform;
}

} // namespace

bool may_switch(switch_scope scope, const switch_requester& who,
                const session_owner& owner) {
  if (owner.session_key == who.session_key)
    return true;
  switch (scope) {
    case switch_scope::key:
      return false;
    case switch_scope::user:
      return same_user(who, owner);
  }
  return false;
}

} // namespace switchboard::core
