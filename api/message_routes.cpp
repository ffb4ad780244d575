// POST /v1/messages and POST /v1/messages:batch (API.md "Routing").

#include "api/replies.hpp"
#include "api/routes.hpp"
#include "core/message.hpp"
#include "core/request_id.hpp"
#include "core/source.hpp"

namespace switchboard::api {

namespace {

/// Largest batch accepted (API.md).
constexpr std::size_t max_batch_items = 1000;

core::result<actors::route_request> decode_route(const nlohmann::json& j,
                                                 const std::string& path) {
  if (auto st = expect_object(j, path,
                              {"source", "message", "force_new", "request_id"});
      !st)
    return st.err();
  if (!j.contains("source") || j["source"].is_null())
    return core::bad_request(field_path(path, "source") + ": required");
  auto src = core::decode_source(j["source"], field_path(path, "source"));
  if (!src)
    return src.err();
  actors::route_request req{std::move(src).value(), std::nullopt, false};
  if (j.contains("message") && !j["message"].is_null()) {
    auto msg = core::decode_message(j["message"], field_path(path, "message"));
    if (!msg)
      return msg.err();
    req.msg = std::move(msg).value();
  }
  auto force = opt_bool(j, path, "force_new");
  if (!force)
    return force.err();
  req.force_new = force.value().value_or(false);
  auto id = core::decode_request_id(j, path);
  if (!id)
    return id.err();
  req.request_id = std::move(id).value();
  return req;
}

nlohmann::json to_json(const actors::route_reply& r) {
  nlohmann::json j{{"session_key", r.session_key},
                   {"session_id", r.session_id},
                   {"created", r.created},
                   {"was_auto_reset", r.was_auto_reset},
                   {"auto_reset_reason", nullptr},
                   {"reset_had_activity", r.reset_had_activity},
                   {"message_id", nullptr},
                   {"duplicate", r.duplicate}};
  if (r.auto_reset_reason != core::reset_reason::none)
    j["auto_reset_reason"] = core::to_string(r.auto_reset_reason);
  if (r.message_id)
    j["message_id"] = *r.message_id;
  return j;
}

/// message_appended for a routed message (only when it carried one and it
/// was stored now, not a repeat of an earlier request).
void note_routed(const api_context& ctx, const actors::route_reply& r,
                 const std::string& role) {
  if (r.message_id && !r.duplicate)
    ctx.appended(r.session_key, r.session_id, *r.message_id, role);
}

std::string role_of(const actors::route_request& r) {
  return r.msg ? r.msg->role : std::string{};
}

void post_message(const call& c, respond_fn respond) {
  auto body = body_param(c, respond, false);
  if (!body)
    return;
  auto req = decode_route(*body, "");
  if (failed(req, respond))
    return;
  auto role = role_of(req.value());
  auto done = reply_with<actors::route_reply>(std::move(respond), to_json);
  c.ctx.eng.route(std::move(req).value(), [&ctx = c.ctx, role, done](auto r) {
    if (r)
      note_routed(ctx, r.value(), role);
    done(std::move(r));
  });
}

core::result<const nlohmann::json*> batch_items(const nlohmann::json& body) {
  if (auto st = expect_object(body, "", {"items"}); !st)
    return st.err();
  auto it = body.find("items");
  if (it == body.end() || !it->is_array())
    return core::bad_request("items: expected array");
  if (it->size() > max_batch_items)
    return core::bad_request("items: at most " +
                             std::to_string(max_batch_items) + " items");
  return &*it;
}

/// Merges the engine's results (for the decodable items) with the decode
/// errors, in input order.
nlohmann::json
merge_results(const std::vector<std::optional<core::error>>& decode_errors,
              std::vector<core::result<actors::route_reply>>& routed) {
  auto results = nlohmann::json::array();
  std::size_t next = 0;
  for (const auto& e : decode_errors) {
    core::result<actors::route_reply> r =
      e ? core::result<actors::route_reply>{*e}
        : (next < routed.size() ? std::move(routed[next++])
                                : core::internal_error("missing result"));
    results.push_back(r ? to_json(r.value()) : error_json(r.err()));
  }
  return {{"results", std::move(results)}};
}

void post_batch(const call& c, respond_fn respond) {
  auto body = body_param(c, respond, false);
  if (!body)
    return;
  auto items = batch_items(*body);
  if (failed(items, respond))
    return;
  std::vector<actors::route_request> reqs;
  std::vector<std::string> roles;
  std::vector<std::optional<core::error>> errors;
  for (std::size_t i = 0; i < items.value()->size(); ++i) {
    auto req =
      decode_route((*items.value())[i], "items[" + std::to_string(i) + "]");
    errors.push_back(req ? std::nullopt
                         : std::optional<core::error>{req.err()});
    if (req) {
      roles.push_back(role_of(req.value()));
      reqs.push_back(std::move(req).value());
    }
  }
  auto done = [respond, errors, roles, &ctx = c.ctx](auto routed) {
    for (std::size_t i = 0; i < routed.size() && i < roles.size(); ++i)
      if (routed[i])
        note_routed(ctx, routed[i].value(), roles[i]);
    guarded(respond,
            [&] { respond(json_reply(200, merge_results(errors, routed))); });
  };
  if (reqs.empty())
    return done(std::vector<core::result<actors::route_reply>>{});
  c.ctx.eng.route_batch(std::move(reqs), std::move(done));
}

} // namespace

void add_message_routes(router& r) {
  r.add("POST", "/v1/messages", post_message);
  r.add("POST", "/v1/messages:batch", post_batch);
}

} // namespace switchboard::api
