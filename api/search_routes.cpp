// GET /v1/history (SPEC 11) and GET /v1/search (SPEC 10).

#include "api/query.hpp"
#include "api/replies.hpp"
#include "api/routes.hpp"
#include "core/session_id.hpp"

namespace switchboard::api {

namespace {

/// Longest raw search query accepted; the store's sanitizer truncates to
/// 2048 code points anyway.
constexpr std::size_t max_query_bytes = 16 * 1024;

core::status check_roles(const std::vector<std::string>& roles) {
  for (const auto& r : roles)
    if (r != "user" && r != "assistant" && r != "tool" && r != "system")
      return core::bad_request(
        "query.roles: expected user, assistant, tool or system");
  return {};
}

/// `name=` (optional): a non-empty value of at most 1024 bytes. Why not
/// "empty = no filter": a gateway that sends an empty user id to scope a
/// search must never get every user's hits.
core::result<std::optional<std::string>> scope_param(const request& req,
                                                     const char* name) {
  auto v = query_string(req, name);
  if (v && (v->empty() || v->size() > 1024))
    return core::bad_request(std::string{"query."} + name +
                             ": expected 1-1024 bytes");
  return v;
}

/// The user_id= and session_key= filters into `q` (search or history).
template <class Query>
core::status read_scope(const request& req, Query& q) {
  auto user = scope_param(req, "user_id");
  if (!user)
    return user.err();
  auto key = scope_param(req, "session_key");
  if (!key)
    return key.err();
  q.user_id = std::move(user).value();
  q.session_key = std::move(key).value();
  return {};
}

core::result<core::search_order> parse_sort(const request& req) {
  auto sort = query_string(req, "sort").value_or("relevance");
  if (sort == "relevance" || sort.empty())
    return core::search_order::relevance;
  if (sort == "newest")
    return core::search_order::newest;
  if (sort == "oldest")
    return core::search_order::oldest;
  return core::bad_request("query.sort: expected relevance, newest or oldest");
}

core::result<core::search_query> decode_search(const request& req) {
  core::search_query q;
  q.text = query_string(req, "q").value_or("");
  if (q.text.size() > max_query_bytes)
    return core::bad_request("query.q: longer than " +
                             std::to_string(max_query_bytes) + " bytes");
  q.sources = query_list(req, "sources");
  q.exclude_sources = query_list(req, "exclude_sources");
  q.roles = query_list(req, "roles");
  if (auto st = check_roles(q.roles); !st)
    return st.err();
  if (auto st = read_scope(req, q); !st)
    return st.err();
  auto order = parse_sort(req);
  auto limit = query_int(req, "limit", max_limit);
  auto offset = query_int(req, "offset", max_offset);
  if (!order)
    return order.err();
  if (!limit)
    return limit.err();
  if (!offset)
    return offset.err();
  q.order = order.value();
  q.limit = limit.value().value_or(q.limit);
  q.offset = offset.value().value_or(0);
  return q;
}

void get_search(const call& c, respond_fn respond) {
  auto q = decode_search(c.req);
  if (failed(q, respond))
    return;
  c.ctx.eng.read([q = std::move(q).value(), respond](core::store_reader& s) {
    guarded(respond, [&] {
      auto hits = s.search(q);
      if (!hits && hits.err().code != core::errc::overloaded) {
        // SPEC 10: a query SQLite still rejects finds nothing; never a 500.
        spdlog::warn("api: search failed: {}", hits.err().message);
        return respond(json_reply(200, {{"results", nlohmann::json::array()}}));
      }
      if (failed(hits, respond))
        return;
      respond(json_reply(200, {{"results", std::move(hits).value()}}));
    });
  });
}

/// `parent_session_id=` (optional): a valid session id (SPEC 2).
core::result<std::optional<std::string>> parent_param(const request& req) {
  auto v = query_string(req, "parent_session_id");
  if (v && !core::valid_session_id(*v))
    return core::bad_request(
      "query.parent_session_id: expected a session id ([0-9A-Za-z_-]{1,64})");
  return v;
}

core::result<core::history_query> decode_history(const request& req) {
  core::history_query q;
  auto parent = parent_param(req);
  if (!parent)
    return parent.err();
  q.parent_session_id = std::move(parent).value();
  q.source = query_string(req, "source");
  if (q.source && q.source->empty())
    q.source.reset();
  q.exclude_sources = query_list(req, "exclude_sources");
  if (auto st = read_scope(req, q); !st)
    return st.err();
  auto limit = query_int(req, "limit", max_limit);
  auto offset = query_int(req, "offset", max_offset);
  if (!limit)
    return limit.err();
  if (!offset)
    return offset.err();
  q.limit = limit.value().value_or(q.limit);
  q.offset = offset.value().value_or(0);
  return q;
}

void get_history(const call& c, respond_fn respond) {
  auto q = decode_history(c.req);
  if (failed(q, respond))
    return;
  c.ctx.eng.read([q = std::move(q).value(), respond](core::store_reader& s) {
    guarded(respond, [&] {
      auto rows = s.history(q);
      if (failed(rows, respond))
        return;
      respond(json_reply(200, {{"sessions", std::move(rows).value()}}));
    });
  });
}

} // namespace

void add_search_routes(router& r) {
  r.add("GET", "/v1/history", get_history);
  r.add("GET", "/v1/search", get_search);
}

} // namespace switchboard::api
