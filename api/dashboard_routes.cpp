// What the dashboard reads besides the session routes (API.md "Operations"):
// GET /v1/stats, GET /v1/expiry/forecast, POST/GET /v1/admin/loadtests and
// GET /v1/admin/loadtests/RUN_ID/report.

#include "api/forecast.hpp"
#include "api/query.hpp"
#include "api/replies.hpp"
#include "api/routes.hpp"

namespace switchboard::api {

namespace {

/// Entries the forecast reads at most (the expiry scan's own bound).
constexpr std::int64_t forecast_scan_limit = 1000000;
constexpr std::int64_t max_forecast_hours = 24 * 14;

void get_stats(const call& c, respond_fn respond) {
  respond(json_reply(200, c.ctx.stats->snapshot()));
}

void get_forecast(const call& c, respond_fn respond) {
  auto hours = query_int(c.req, "hours", max_forecast_hours);
  if (failed(hours, respond))
    return;
  int n = static_cast<int>(hours.value().value_or(24));
  if (n < 1)
    return respond(error_reply(
      core::bad_request("query.hours: expected an integer between 1 and " +
                        std::to_string(max_forecast_hours))));
  auto now = c.ctx.eng.now_source().now();
  c.ctx.eng.read([&ctx = c.ctx, now, n, respond](core::store_reader& store) {
    guarded(respond, [&] {
      // Every entry not finalized: all of them are active before now + 1 s.
      auto cands = store.scan_expiry_candidates(now + std::chrono::seconds{1},
                                                forecast_scan_limit);
      if (failed(cands, respond))
        return;
      respond(json_reply(
        200, expiry_forecast(ctx.cfg, ctx.zone, cands.value(), now, n)));
    });
  });
}

void post_loadtest(const call& c, respond_fn respond) {
  auto body = body_param(c, respond, false);
  if (!body)
    return;
  auto run = c.ctx.loadtests.publish(*body, c.ctx.eng.now_source().now());
  if (failed(run, respond))
    return;
  if (c.ctx.events->recording("loadtest"))
    c.ctx.events->append("loadtest", run.value());
  respond(json_reply(200, run.value()));
}

void get_loadtests(const call& c, respond_fn respond) {
  respond(json_reply(200, c.ctx.loadtests.list()));
}

void get_loadtest_report(const call& c, respond_fn respond) {
  auto html = c.ctx.loadtests.report(c.params[0]);
  if (!html)
    return respond(
      error_reply(core::not_found("no report for run '" + c.params[0] + "'")));
  reply r;
  r.content_type = "text/html; charset=utf-8";
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"loadtest-report.html\"");
  r.body = std::move(*html);
  respond(std::move(r));
}

} // namespace

void add_dashboard_routes(router& r) {
  r.add("GET", "/v1/stats", get_stats);
  r.add("GET", "/v1/expiry/forecast", get_forecast);
  r.add("POST", "/v1/admin/loadtests", post_loadtest);
  r.add("GET", "/v1/admin/loadtests", get_loadtests);
  r.add("GET", "/v1/admin/loadtests/{}/report", get_loadtest_report);
}

} // namespace switchboard::api
