// The wire form of the forwarded values (contract in rpc_codec.hpp): each
// struct is listed once, as its fields, and both directions follow from
// that list.

#include "cluster/rpc_codec.hpp"

#include <array>

namespace switchboard::cluster::rpc {

using json = nlohmann::json;

namespace {

void expect_object(const json& j) {
  if (!j.is_object())
    throw std::invalid_argument("expected object");
}

} // namespace

#define SB_WIRE_STRUCT(T, FIELDS)                                              \
  json to_wire(const T& x) {                                                   \
    auto j = json::object();                                                   \
    FIELDS(x, [&j](const char* k, const auto& m) { put_field(j, k, m); });     \
    return j;                                                                  \
  }                                                                            \
  void from_wire(const json& j, T& x) {                                        \
    expect_object(j);                                                          \
    FIELDS(x, [&j](const char* k, auto& m) { get_field(j, k, m); });           \
  }

core::error malformed(std::string_view what, std::string_view detail) {
  return core::internal_error("rpc: malformed " + std::string(what) + ": " +
                              std::string(detail));
}

json to_wire(const core::time_point& x) {
  return x.time_since_epoch().count();
}
void from_wire(const json& j, core::time_point& x) {
  x = core::time_point{core::duration{j.get<std::int64_t>()}};
}

json to_wire(const core::error& x) {
  return {{"code", core::to_string(x.code)}, {"message", x.message}};
}
void from_wire(const json& j, core::error& x) {
  static constexpr std::array codes{
    core::errc::bad_request, core::errc::unauthorized,
    core::errc::forbidden,   core::errc::not_found,
    core::errc::conflict,    core::errc::payload_too_large,
    core::errc::overloaded,  core::errc::internal};
  auto name = j.at("code").get<std::string>();
  x.message = j.at("message").get<std::string>();
  for (auto c : codes)
    if (core::to_string(c) == name) {
      x.code = c;
      return;
    }
  throw std::invalid_argument("unknown error code '" + name + "'");
}

json to_wire(const core::status& x) {
  if (!x)
    return {{"error", to_wire(x.err())}};
  return {{"ok", nullptr}};
}
void from_wire(const json& j, core::status& x) {
  if (!j.contains("error")) {
    x = core::status{};
    return;
  }
  core::error e;
  from_wire(j.at("error"), e);
  x = std::move(e);
}

namespace {

template <class S, class F>
void source_fields(S& s, F&& f) {
  f("platform", s.platform);
  f("chat_type", s.type);
  f("chat_id", s.chat_id);
  f("chat_name", s.chat_name);
  f("user_id", s.user_id);
  f("user_name", s.user_name);
  f("thread_id", s.thread_id);
  f("chat_topic", s.chat_topic);
  f("user_id_alt", s.user_id_alt);
  f("chat_id_alt", s.chat_id_alt);
}

template <class S, class F>
void message_fields(S& m, F&& f) {
  f("role", m.role);
  f("content", m.content);
  f("tool_name", m.tool_name);
  f("tool_call_id", m.tool_call_id);
  f("tool_calls", m.tool_calls);
  f("reasoning", m.reasoning);
  f("reasoning_details", m.reasoning_details);
  f("codex_reasoning_items", m.codex_reasoning_items);
  f("finish_reason", m.finish_reason);
  f("token_count", m.token_count);
  f("platform_message_id", m.platform_message_id);
}

template <class S, class F>
void usage_update_fields(S& u, F&& f) {
  f("input_tokens", u.input_tokens);
  f("output_tokens", u.output_tokens);
  f("cache_read_tokens", u.cache_read_tokens);
  f("cache_write_tokens", u.cache_write_tokens);
  f("last_prompt_tokens", u.last_prompt_tokens);
  f("model", u.model);
  f("estimated_cost_usd", u.estimated_cost_usd);
  f("cost_status", u.cost_status);
  f("cost_source", u.cost_source);
  f("provider", u.provider);
  f("base_url", u.base_url);
}

template <class S, class F>
void entry_fields(S& e, F&& f) {
  f("session_key", e.session_key);
  f("session_id", e.session_id);
  f("created_at", e.created_at);
  f("updated_at", e.updated_at);
  f("origin", e.origin);
  f("display_name", e.display_name);
  f("platform", e.platform);
  f("chat_type", e.type);
  f("input_tokens", e.input_tokens);
  f("output_tokens", e.output_tokens);
  f("cache_read_tokens", e.cache_read_tokens);
  f("cache_write_tokens", e.cache_write_tokens);
  f("total_tokens", e.total_tokens);
  f("estimated_cost_usd", e.estimated_cost_usd);
  f("cost_status", e.cost_status);
  f("last_prompt_tokens", e.last_prompt_tokens);
  f("was_auto_reset", e.was_auto_reset);
  f("auto_reset_reason", e.auto_reset_reason);
  f("reset_had_activity", e.reset_had_activity);
  f("expiry_finalized", e.expiry_finalized);
  f("busy_until", e.busy_until);
  f("daily_reset_deferred", e.daily_reset_deferred);
}

template <class S, class F>
void candidate_fields(S& c, F&& f) {
  f("entry", c.entry);
  f("message_count", c.message_count);
}

template <class S, class F>
void list_query_fields(S& q, F&& f) {
  f("active_since", q.active_since);
  f("limit", q.limit);
  f("offset", q.offset);
  f("platform", q.platform);
  f("chat_type", q.chat_type);
  f("finalized", q.finalized);
  f("text", q.text);
  f("sort", q.sort);
  f("ascending", q.ascending);
}

template <class S, class F>
void counts_fields(S& c, F&& f) {
  f("total", c.total);
  f("by_platform", c.by_platform);
  f("total_tokens", c.total_tokens);
  f("estimated_cost_usd", c.estimated_cost_usd);
}

template <class S, class F>
void history_query_fields(S& q, F&& f) {
  f("source", q.source);
  f("exclude_sources", q.exclude_sources);
  f("limit", q.limit);
  f("offset", q.offset);
  f("user_id", q.user_id);
  f("session_key", q.session_key);
  f("parent_session_id", q.parent_session_id);
}

template <class S, class F>
void prune_rule_fields(S& r, F&& f) {
  f("started_before", r.started_before);
  f("keep_newest", r.keep_newest);
  f("source", r.source);
}

template <class S, class F>
void usage_row_fields(S& r, F&& f) {
  f("group", r.group);
  f("input_tokens", r.input_tokens);
  f("output_tokens", r.output_tokens);
  f("cache_read_tokens", r.cache_read_tokens);
  f("cache_write_tokens", r.cache_write_tokens);
  f("estimated_cost_usd", r.estimated_cost_usd);
  f("updates", r.updates);
}

template <class S, class F>
void usage_query_fields(S& q, F&& f) {
  f("from", q.from);
  f("to", q.to);
  f("group_by", q.group_by);
}

template <class S, class F>
void search_query_fields(S& q, F&& f) {
  f("text", q.text);
  f("sources", q.sources);
  f("exclude_sources", q.exclude_sources);
  f("roles", q.roles);
  f("limit", q.limit);
  f("offset", q.offset);
  f("order", q.order);
  f("user_id", q.user_id);
  f("session_key", q.session_key);
}

template <class S, class F>
void route_request_fields(S& r, F&& f) {
  f("origin", r.origin);
  f("msg", r.msg);
  f("force_new", r.force_new);
  f("request_id", r.request_id);
}

template <class S, class F>
void route_reply_fields(S& r, F&& f) {
  f("session_key", r.session_key);
  f("session_id", r.session_id);
  f("created", r.created);
  f("was_auto_reset", r.was_auto_reset);
  f("auto_reset_reason", r.auto_reset_reason);
  f("reset_had_activity", r.reset_had_activity);
  f("message_id", r.message_id);
  f("duplicate", r.duplicate);
}

template <class S, class F>
void append_reply_fields(S& r, F&& f) {
  f("session_id", r.session_id);
  f("message_id", r.message_id);
  f("duplicate", r.duplicate);
}

template <class S, class F>
void rewrite_reply_fields(S& r, F&& f) {
  f("session_id", r.session_id);
  f("message_count", r.message_count);
}

template <class S, class F>
void switch_target_fields(S& t, F&& f) {
  f("session_id", t.session_id);
  f("title", t.title);
  f("scope", t.scope);
}

template <class S, class F>
void sweep_report_fields(S& r, F&& f) {
  f("expired", r.expired);
  f("flushed", r.flushed);
  f("flush_failed", r.flush_failed);
}

template <class S, class F>
void expire_reply_fields(S& r, F&& f) {
  f("session_key", r.session_key);
  f("session_id", r.session_id);
  f("reason", r.reason);
  f("flushed", r.flushed);
  f("flush_failed", r.flush_failed);
}

template <class S, class F>
void prune_request_fields(S& r, F&& f) {
  f("older_than_days", r.older_than_days);
  f("source", r.source);
  f("dry_run", r.dry_run);
}

template <class S, class F>
void prune_report_fields(S& r, F&& f) {
  f("pruned", r.pruned);
  f("dry_run", r.dry_run);
  f("session_ids", r.session_ids);
}

template <class S, class F>
void event_fields(S& e, F&& f) {
  f("type", e.type);
  f("data", e.data);
}

} // namespace

SB_WIRE_STRUCT(core::source, source_fields)
SB_WIRE_STRUCT(core::message, message_fields)
SB_WIRE_STRUCT(core::usage_update, usage_update_fields)
SB_WIRE_STRUCT(core::session_entry, entry_fields)
SB_WIRE_STRUCT(core::expiry_candidate, candidate_fields)
SB_WIRE_STRUCT(core::entry_list_query, list_query_fields)
SB_WIRE_STRUCT(core::entry_counts, counts_fields)
SB_WIRE_STRUCT(core::history_query, history_query_fields)
SB_WIRE_STRUCT(core::prune_rule, prune_rule_fields)
SB_WIRE_STRUCT(core::usage_row, usage_row_fields)
SB_WIRE_STRUCT(core::usage_query, usage_query_fields)
SB_WIRE_STRUCT(core::search_query, search_query_fields)
SB_WIRE_STRUCT(actors::route_request, route_request_fields)
SB_WIRE_STRUCT(actors::route_reply, route_reply_fields)
SB_WIRE_STRUCT(actors::append_reply, append_reply_fields)
SB_WIRE_STRUCT(actors::rewrite_reply, rewrite_reply_fields)
SB_WIRE_STRUCT(actors::switch_target, switch_target_fields)
SB_WIRE_STRUCT(actors::sweep_report, sweep_report_fields)
SB_WIRE_STRUCT(actors::expire_reply, expire_reply_fields)
SB_WIRE_STRUCT(actors::prune_request, prune_request_fields)
SB_WIRE_STRUCT(actors::prune_report, prune_report_fields)
SB_WIRE_STRUCT(actors::event, event_fields)

#undef SB_WIRE_STRUCT

} // namespace switchboard::cluster::rpc
