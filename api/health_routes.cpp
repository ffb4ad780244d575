// GET /healthz, GET /metrics, GET /v1/openapi.json, and the streaming route
// GET /v1/events (served by events.cpp).

#include "api/metrics_text.hpp"
#include "api/openapi.hpp"
#include "api/replies.hpp"
#include "api/routes.hpp"

namespace switchboard::api {

namespace {

void get_healthz(const call&, respond_fn respond) {
  respond(json_reply(200, {{"status", "ok"}}));
}

void get_metrics(const call& c, respond_fn respond) {
  reply r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body =
    render_metrics(c.ctx.eng.metrics(), c.ctx.http.read(),
                   {c.ctx.latency.route_ack.read(), c.ctx.latency.http.read()});
  respond(std::move(r));
}

void get_openapi(const call&, respond_fn respond) {
  reply r;
  r.body = std::string{openapi_document()};
  respond(std::move(r));
}

} // namespace

void add_health_routes(router& r) {
  r.add("GET", "/healthz", get_healthz);
  r.add("GET", "/metrics", get_metrics);
  r.add("GET", "/v1/openapi.json", get_openapi);
  r.add("GET", "/v1/events", handler{});
}

router make_router(bool with_clock) {
  router r;
  add_message_routes(r);
  add_session_routes(r);
  add_session_id_routes(r);
  add_search_routes(r);
  add_usage_routes(r);
  add_admin_routes(r, with_clock);
  add_dashboard_routes(r);
  add_cluster_routes(r);
  add_health_routes(r);
  return r;
}

} // namespace switchboard::api
