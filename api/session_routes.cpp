// /v1/sessions and /v1/sessions/KEY/... (API.md "Sessions by key").

#include "api/query.hpp"
#include "api/replies.hpp"
#include "api/routes.hpp"
#include "core/request_id.hpp"
#include "core/session_entry.hpp"
#include "core/session_id.hpp"

namespace switchboard::api {

namespace {

/// Longest active_minutes accepted (about 19 years).
constexpr std::int64_t max_active_minutes = 10000000;

nlohmann::json entry_json(const core::session_entry& e) {
  return core::to_api_json(e);
}

/// One of `allowed` (or absent); bad_request naming the parameter.
core::result<std::optional<std::string>>
query_choice(const request& req, std::string_view name,
             std::initializer_list<std::string_view> allowed) {
  auto v = query_string(req, name);
  if (!v)
    return std::optional<std::string>{};
  std::string list;
  for (auto a : allowed) {
    if (*v == a)
      return v;
    list += (list.empty() ? "" : ", ") + std::string{a};
  }
  return core::bad_request("query." + std::string{name} + ": expected one of " +
                           list);
}

/// The dashboard filters (API.md: platform, chat_type, q, finalized, sort,
/// order) into `q`.
core::status list_filters(const request& req, core::entry_list_query& q) {
  q.platform = query_string(req, "platform");
  auto type =
    query_choice(req, "chat_type", {"dm", "group", "channel", "thread"});
  auto sort = query_choice(req, "sort", {"updated", "created", "tokens"});
  auto order = query_choice(req, "order", {"desc", "asc"});
  auto finalized = query_choice(req, "finalized", {"true", "false"});
  for (const auto* r : {&type, &sort, &order, &finalized})
    if (!*r)
      return r->err();
  q.chat_type = type.value();
  q.text = query_string(req, "q");
  if (q.text && q.text->empty())
    q.text.reset();
  if (finalized.value())
    q.finalized = *finalized.value() == "true";
  auto s = sort.value().value_or("updated");
  q.sort = s == "created"  ? core::entry_sort::created
           : s == "tokens" ? core::entry_sort::tokens
                           : core::entry_sort::updated;
  q.ascending = order.value() == "asc";
  return {};
}

nlohmann::json list_json(const std::vector<core::session_entry>& entries,
                         const core::entry_counts& counts) {
  auto list = nlohmann::json::array();
  for (const auto& e : entries)
    list.push_back(entry_json(e));
  return {{"sessions", std::move(list)},
          {"total", counts.total},
          {"platforms", counts.by_platform},
          {"totals",
           {{"total_tokens", counts.total_tokens},
            {"estimated_cost_usd", counts.estimated_cost_usd}}}};
}

void list_sessions(const call& c, respond_fn respond) {
  auto minutes = query_int(c.req, "active_minutes", max_active_minutes);
  auto limit = query_int(c.req, "limit", max_limit);
  auto offset = query_int(c.req, "offset", max_offset);
  if (failed(minutes, respond) || failed(limit, respond) ||
      failed(offset, respond))
    return;
  core::entry_list_query q;
  if (auto st = list_filters(c.req, q); !st)
    return respond(error_reply(st.err()));
  if (minutes.value())
    q.active_since =
      c.ctx.eng.now_source().now() - std::chrono::minutes{*minutes.value()};
  q.limit = limit.value().value_or(q.limit);
  q.offset = offset.value().value_or(0);
  c.ctx.eng.read([q, respond](core::store_reader& store) {
    guarded(respond, [&] {
      auto entries = store.list_entries(q);
      auto counts = entries ? store.count_entries(q)
                            : core::result<core::entry_counts>{entries.err()};
      if (failed(counts, respond))
        return;
      respond(json_reply(200, list_json(entries.value(), counts.value())));
    });
  });
}

void get_session(const call& c, respond_fn respond) {
  auto key = key_param(c, respond);
  if (!key)
    return;
  c.ctx.eng.get_entry(*key,
                      reply_with<core::session_entry>(respond, entry_json));
}

void post_message(const call& c, respond_fn respond) {
  auto key = key_param(c, respond);
  auto body = key ? body_param(c, respond, false) : std::nullopt;
  if (!body)
    return;
  // The body is the message plus an optional top-level request_id.
  auto id = core::decode_request_id(*body, "");
  if (failed(id, respond))
    return;
  if (body->is_object())
    body->erase("request_id");
  auto msg = core::decode_message(*body, "message");
  if (failed(msg, respond))
    return;
  auto role = msg.value().role;
  auto done = reply_with<actors::append_reply>(respond, [](auto& r) {
    return nlohmann::json{{"session_id", r.session_id},
                          {"message_id", r.message_id},
                          {"duplicate", r.duplicate}};
  });
  c.ctx.eng.append(
    *key, std::move(msg).value(),
    [&ctx = c.ctx, key = *key, role, done](auto r) {
      if (r && !r.value().duplicate)
        ctx.appended(key, r.value().session_id, r.value().message_id, role);
      done(std::move(r));
    },
    std::move(id).value());
}

void post_usage(const call& c, respond_fn respond) {
  auto key = key_param(c, respond);
  auto body = key ? body_param(c, respond, false) : std::nullopt;
  if (!body)
    return;
  auto usage = core::decode_usage(*body, "usage");
  if (failed(usage, respond))
    return;
  c.ctx.eng.update_usage(*key, std::move(usage).value(),
                         reply_with<core::session_entry>(respond, entry_json));
}

void post_reset(const call& c, respond_fn respond) {
  auto key = key_param(c, respond);
  auto body = key ? body_param(c, respond, true) : std::nullopt;
  if (!body)
    return;
  if (auto st = expect_object(*body, "", {"title"}); !st)
    return respond(error_reply(st.err()));
  auto title = opt_string(*body, "", "title");
  if (failed(title, respond))
    return;
  c.ctx.eng.reset(*key, std::move(title).value(),
                  reply_with<core::session_entry>(respond, entry_json));
}

core::result<actors::switch_target> decode_switch(const nlohmann::json& j) {
  if (auto st = expect_object(j, "", {"session_id", "title", "scope"}); !st)
    return st.err();
  auto id = opt_string(j, "", "session_id", 64);
  auto title = opt_string(j, "", "title");
  if (!id)
    return id.err();
  if (!title)
    return title.err();
  if (id.value().has_value() == title.value().has_value())
    return core::bad_request("body: expected exactly one of session_id, title");
  if (id.value() && !core::valid_session_id(*id.value()))
    return core::bad_request("session_id: invalid session id");
  auto scope_text = opt_string(j, "", "scope", 16);
  if (!scope_text)
    return scope_text.err();
  auto scope = core::parse_switch_scope(scope_text.value().value_or("key"));
  if (!scope)
    return scope.err();
  return actors::switch_target{id.value(), title.value(), scope.value()};
}

void post_switch(const call& c, respond_fn respond) {
  auto key = key_param(c, respond);
  auto body = key ? body_param(c, respond, false) : std::nullopt;
  if (!body)
    return;
  auto target = decode_switch(*body);
  if (failed(target, respond))
    return;
  c.ctx.eng.switch_to(*key, std::move(target).value(),
                      reply_with<core::session_entry>(respond, entry_json));
}

void post_busy(const call& c, respond_fn respond) {
  auto key = key_param(c, respond);
  auto body = key ? body_param(c, respond, false) : std::nullopt;
  if (!body)
    return;
  if (auto st = expect_object(*body, "", {"busy", "ttl_seconds"}); !st)
    return respond(error_reply(st.err()));
  auto busy = opt_bool(*body, "", "busy");
  auto ttl = opt_number(*body, "", "ttl_seconds");
  if (failed(busy, respond) || failed(ttl, respond))
    return;
  if (!busy.value())
    return respond(error_reply(core::bad_request("busy: required")));
  if (ttl.value() && *ttl.value() < 0)
    return respond(error_reply(core::bad_request("ttl_seconds: negative")));
  c.ctx.eng.set_busy(*key, *busy.value(), ttl.value(),
                     reply_with<core::session_entry>(respond, entry_json));
}

/// `{}` or `{"session_id": "..."}`: the session the caller means to end
/// (409 when the key now points at another one).
core::result<std::optional<std::string>>
decode_expire(const nlohmann::json& j) {
  if (auto st = expect_object(j, "", {"session_id"}); !st)
    return st.err();
  auto id = opt_string(j, "", "session_id", 64);
  if (id && id.value() && !core::valid_session_id(*id.value()))
    return core::bad_request("session_id: invalid session id");
  return id;
}

nlohmann::json expire_json(const actors::expire_reply& r) {
  return {{"session_key", r.session_key},
          {"session_id", r.session_id},
          {"reason", std::string(core::to_string(r.reason))},
          {"flushed", r.flushed},
          {"flush_failed", r.flush_failed}};
}

void post_expire(const call& c, respond_fn respond) {
  auto key = key_param(c, respond);
  auto body = key ? body_param(c, respond, true) : std::nullopt;
  if (!body)
    return;
  auto id = decode_expire(*body);
  if (failed(id, respond))
    return;
  c.ctx.eng.expire_key(*key, std::move(id).value(),
                       reply_with<actors::expire_reply>(respond, expire_json));
}

} // namespace

void add_session_routes(router& r) {
  r.add("GET", "/v1/sessions", list_sessions);
  r.add("GET", "/v1/sessions/{}", get_session);
  r.add("POST", "/v1/sessions/{}/messages", post_message);
  r.add("POST", "/v1/sessions/{}/usage", post_usage);
  r.add("POST", "/v1/sessions/{}/reset", post_reset);
  r.add("POST", "/v1/sessions/{}/switch", post_switch);
  r.add("POST", "/v1/sessions/{}/busy", post_busy);
  r.add("POST", "/v1/sessions/{}/expire", post_expire);
  add_transcript_routes(r);
  add_context_route(r);
}

} // namespace switchboard::api
