// GET /v1/usage (SPEC 14): token and cost totals from the daily rollups.

#include "api/query.hpp"
#include "api/replies.hpp"
#include "api/routes.hpp"
#include "core/usage.hpp"

namespace switchboard::api {

namespace {

core::result<core::usage_query> decode_usage_query(const request& req) {
  core::usage_query q;
  q.from = query_string(req, "from");
  q.to = query_string(req, "to");
  if (q.from && q.from->empty())
    q.from.reset();
  if (q.to && q.to->empty())
    q.to.reset();
  auto group = query_string(req, "group_by").value_or("day");
  auto g = core::parse_usage_group(group.empty() ? "day" : group);
  if (!g)
    return core::bad_request("query.group_by: expected day, platform or model");
  q.group_by = *g;
  if (auto st = core::check_usage_query(q, "query.from", "query.to"); !st)
    return st.err();
  return q;
}

void get_usage(const call& c, respond_fn respond) {
  auto q = decode_usage_query(c.req);
  if (failed(q, respond))
    return;
  c.ctx.eng.read([q = std::move(q).value(), respond](core::store_reader& s) {
    guarded(respond, [&] {
      auto rows = s.usage(q);
      if (failed(rows, respond))
        return;
      respond(json_reply(200, core::usage_json(rows.value(), q.group_by)));
    });
  });
}

} // namespace

void add_usage_routes(router& r) {
  r.add("GET", "/v1/usage", get_usage);
}

} // namespace switchboard::api
