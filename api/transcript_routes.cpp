// GET/PUT /v1/sessions/KEY/transcript and GET /v1/sessions/KEY/context.

#include "api/query.hpp"
#include "api/replies.hpp"
#include "api/routes.hpp"
#include "core/context_prompt.hpp"
#include "core/message.hpp"

namespace switchboard::api {

namespace {

void get_transcript(const call& c, respond_fn respond) {
  auto key = key_param(c, respond);
  if (!key)
    return;
  auto& eng = c.ctx.eng;
  eng.get_entry(*key, [&eng, respond](core::result<core::session_entry> e) {
    if (failed(e, respond))
      return;
    eng.read([id = e.value().session_id, respond](core::store_reader& s) {
      guarded(respond, [&] {
        auto messages = s.transcript(id, false);
        if (failed(messages, respond))
          return;
        respond(json_reply(200, {{"session_id", id},
                                 {"messages", std::move(messages).value()}}));
      });
    });
  });
}

core::result<std::vector<core::message>>
decode_messages(const nlohmann::json& j) {
  if (auto st = expect_object(j, "", {"messages"}); !st)
    return st.err();
  auto it = j.find("messages");
  if (it == j.end() || !it->is_array())
    return core::bad_request("messages: expected array");
  std::vector<core::message> messages;
  for (std::size_t i = 0; i < it->size(); ++i) {
    auto m =
      core::decode_message((*it)[i], "messages[" + std::to_string(i) + "]");
    if (!m)
      return m.err();
    messages.push_back(std::move(m).value());
  }
  return messages;
}

void put_transcript(const call& c, respond_fn respond) {
  auto key = key_param(c, respond);
  auto body = key ? body_param(c, respond, false) : std::nullopt;
  if (!body)
    return;
  auto messages = decode_messages(*body);
  if (failed(messages, respond))
    return;
  c.ctx.eng.rewrite_transcript(
    *key, std::move(messages).value(),
    reply_with<actors::rewrite_reply>(respond, [](auto& r) {
      return nlohmann::json{{"session_id", r.session_id},
                            {"message_count", r.message_count}};
    }));
}

/// The entry's origin, or a source made of its platform and chat type when
/// the entry has none (an entry imported without origin).
core::source origin_of(const core::session_entry& e) {
  if (e.origin)
    return *e.origin;
  core::source s;
  s.platform = e.platform.empty() ? "unknown" : e.platform;
  s.type = e.type;
  return s;
}

void get_context(const call& c, respond_fn respond) {
  auto key = key_param(c, respond);
  auto redact = query_bool(c.req, "redact_pii");
  if (!key || failed(redact, respond))
    return;
  core::session_context ctx;
  ctx.connected_platforms = c.ctx.cfg.context.connected_platforms;
  ctx.home_channels = c.ctx.cfg.context.home_channels;
  ctx.local_output_path = c.ctx.cfg.context.local_output_path;
  c.ctx.eng.get_entry(*key, reply_with<core::session_entry>(
                              respond, [ctx, redact = redact.value()](auto& e) {
                                auto with_origin = ctx;
                                with_origin.origin = origin_of(e);
                                return nlohmann::json{
                                  {"prompt", core::build_session_context_prompt(
                                               with_origin, redact)}};
                              }));
}

} // namespace

void add_transcript_routes(router& r) {
  r.add("GET", "/v1/sessions/{}/transcript", get_transcript);
  r.add("PUT", "/v1/sessions/{}/transcript", put_transcript);
}

void add_context_route(router& r) {
  r.add("GET", "/v1/sessions/{}/context", get_context);
}

} // namespace switchboard::api
