#include "api/replies.hpp"

#include "core/session_id.hpp"
#include "core/session_key.hpp"

namespace switchboard::api {

std::optional<std::string> key_param(const call& c, const respond_fn& respond) {
  const auto& key = c.params.at(0);
  if (core::valid_session_key(key))
    return key;
  respond(error_reply(core::bad_request("key: invalid session key")));
  return std::nullopt;
}

std::optional<std::string> id_param(const call& c, const respond_fn& respond) {
  const auto& id = c.params.at(0);
  if (core::valid_session_id(id))
    return id;
  respond(error_reply(core::bad_request(
    "id: invalid session id (expected [0-9A-Za-z_-]{1,64})")));
  return std::nullopt;
}

std::optional<nlohmann::json>
body_param(const call& c, const respond_fn& respond, bool empty_ok) {
  auto j = parse_body(c.req.body, empty_ok);
  if (failed(j, respond))
    return std::nullopt;
  return std::move(j).value();
}

} // namespace switchboard::api
