// The dashboard's server support: event ids and resume, filters, opt-in
// events, /v1/stats, the expiry forecast, session filters, load tests,
// /metrics latency series, and the static files.

#include "api_test_util.hpp"

#include "api/forecast.hpp"
#include "api/metrics_text.hpp"
#include "api/static_files.hpp"

#include <atomic>
#include <chrono>
#include <regex>
#include <thread>

namespace switchboard::api::testing {
namespace {

class DashboardTest : public ApiTest {
protected:
  void SetUp() override { start(); }

  void publish_created(int n) {
    for (int i = 0; i < n; ++i)
      eng_.publish(
        {"session_created", {{"session_key", "k" + std::to_string(i)}}});
  }
};

/// The ids of the events in an SSE text, in order.
std::vector<int> event_ids(const std::string& text) {
  std::vector<int> out;
  std::regex id_line{"(^|\n)id: ([0-9]+)\n"};
  for (std::sregex_iterator it{text.begin(), text.end(), id_line}, end;
       it != end; ++it)
    out.push_back(std::stoi((*it)[2]));
  return out;
}

nlohmann::json loadtest_body(const std::string& id, const std::string& state) {
  return {{"run_id", id},
          {"state", state},
          {"summary",
           {{"messages", 100},
            {"acked", 99},
            {"errors", 1},
            {"seconds", 2.5},
            {"msgs_per_s", 40.0},
            {"sessions", 10},
            {"latency_ms", {{"p50", 1}, {"p90", 2}, {"p99", 3}, {"max", 4}}},
            {"verdict", "pass"}}}};
}

TEST_F(DashboardTest, ResumeAfterADroppedConnectionLosesAndRepeatsNothing) {
  publish_created(3);
  // The first connection reads up to event 3, then drops.
  auto first = read_stream_until(url("/v1/events?last_event_id=0"), "id: 3\n");
  EXPECT_EQ(event_ids(first), (std::vector<int>{1, 2, 3}));
  publish_created(3); // 4..6 while nobody listens
  auto second =
    read_stream_until(url("/v1/events"), "id: 6\n", {"Last-Event-ID: 3"});
  auto ids = event_ids(second);
  // Reading stops at the "id: 6" line: the event 6 block is cut after it.
  EXPECT_EQ(ids, (std::vector<int>{4, 5, 6}));
}

TEST_F(DashboardTest, QueryResumePointWinsAndFiltersApply) {
  eng_.publish({"session_created", {{"session_key", "a"}}});
  eng_.publish({"session_expired", {{"session_key", "a"}}});
  eng_.publish({"session_expired", {{"session_key", "b"}}});
  auto text = read_stream_until(
    url("/v1/events?last_event_id=0&types=session_expired&session_key=b"),
    "\n\n");
  EXPECT_EQ(text, "id: 3\nevent: session_expired\n"
                  "data: {\"session_key\":\"b\"}\n\n");
}

TEST_F(DashboardTest, BadStreamParametersAre400) {
  auto t = get("/v1/events?types=bogus");
  EXPECT_EQ(t.status, 400);
  EXPECT_EQ(t.error_message(), "query.types: unknown event type 'bogus'");
  auto l = get("/v1/events?last_event_id=x");
  EXPECT_EQ(l.status, 400);
  EXPECT_EQ(l.error_message(),
            "last_event_id: expected a non-negative integer");
}

TEST_F(DashboardTest, MessageAppendedIsOptIn) {
  std::atomic<bool> done{false};
  std::string text;
  std::thread reader([&] {
    text = read_stream_until(url("/v1/events?types=message_appended"), "\n\n");
    done = true;
  });
  // The stream attaches asynchronously: route until its event shows up.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{20};
  while (!done && std::chrono::steady_clock::now() < deadline) {
    route("77", "hi");
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  reader.join();
  EXPECT_NE(text.find("event: message_appended\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\"role\":\"user\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"session_key\":\"agent:main:telegram:dm:77\""),
            std::string::npos)
    << text;
  EXPECT_NE(text.find("\"message_id\":"), std::string::npos) << text;
}

TEST_F(DashboardTest, StatsEventsComeOnceASecondWhenAsked) {
  auto text = read_stream_until(url("/v1/events?types=stats"), "\n\n");
  EXPECT_NE(text.find("event: stats\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\"writer_queue_depth\""), std::string::npos) << text;
}

TEST_F(DashboardTest, StatsSnapshotHasEveryField) {
  auto r = get("/v1/stats");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  for (auto key : {"version", "uptime_seconds", "counters", "rates",
                   "resident_actors", "writer_queue_depth", "flushes",
                   "database", "last_sweep", "next_sweep"})
    EXPECT_TRUE(j.contains(key)) << key << " in " << r.body;
  EXPECT_EQ(j["counters"]["messages_routed"], 5);
  EXPECT_EQ(j["resident_actors"], 7);
  for (auto w : {"1s", "10s", "60s"})
    for (auto key : {"messages_per_s", "batch_size", "route_ack_ms", "http_ms"})
      EXPECT_TRUE(j["rates"][w].contains(key)) << w << "." << key;
  EXPECT_TRUE(j["rates"]["1s"]["route_ack_ms"].contains("p99"));
}

TEST_F(DashboardTest, ForecastCountsTheSessionsDuePerHour) {
  route("1");
  route("2");
  auto r = get("/v1/expiry/forecast?hours=48");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  const auto& b = j["buckets"];
  ASSERT_EQ(b.size(), 48u);
  std::int64_t idle = 0, daily = 0;
  for (const auto& x : b) {
    idle += x["idle"].get<std::int64_t>();
    daily += x["daily"].get<std::int64_t>();
  }
  // Default policy "both" (idle 1440 min, daily at 04:00): within 48 h.
  EXPECT_EQ(idle + daily, 2);
  EXPECT_EQ(get("/v1/expiry/forecast?hours=0").status, 400);
}

TEST(ForecastTest, IdleBeforeDailyAndBusyWaits) {
  core::settings cfg;
  cfg.reset.policies.default_policy = {core::reset_mode::both, 4, 60};
  auto z = core::zone::utc();
  auto t = core::parse_iso("2026-11-22T10:30:00Z", z).value();
  core::session_entry e;
  e.updated_at = t;
  auto n = next_expiry(cfg, z, e);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->second, core::reset_reason::idle);
  EXPECT_EQ(core::format_iso_utc(n->first), "2026-11-22T11:30:00.000000Z");
  cfg.reset.policies.default_policy = {core::reset_mode::daily, 4, 60};
  n = next_expiry(cfg, z, e);
  EXPECT_EQ(n->second, core::reset_reason::daily);
  EXPECT_EQ(core::format_iso_utc(n->first), "2026-11-23T04:00:00.000000Z");
  e.busy_until = core::parse_iso("2026-11-23T06:00:00Z", z).value();
  EXPECT_EQ(core::format_iso_utc(next_expiry(cfg, z, e)->first),
            "2026-11-23T06:00:00.000000Z");
  cfg.reset.policies.default_policy.mode = core::reset_mode::none;
  EXPECT_FALSE(next_expiry(cfg, z, e));
}

TEST(ForecastTest, BucketsStartAtTheHourAndDueNowCountsFirst) {
  core::settings cfg;
  cfg.reset.policies.default_policy = {core::reset_mode::idle, 4, 90};
  auto z = core::zone::utc();
  auto now = core::parse_iso("2026-11-22T10:30:00Z", z).value();
  std::vector<core::expiry_candidate> c(3);
  c[0].entry.updated_at = now - std::chrono::hours{5};    // due now: 10:00
  c[1].entry.updated_at = now - std::chrono::minutes{20}; // 11:40: 11:00
  c[2].entry.updated_at = now + std::chrono::minutes{40}; // 12:40: out
  auto j = expiry_forecast(cfg, z, c, now, 2);
  ASSERT_EQ(j["buckets"].size(), 2u);
  EXPECT_EQ(j["buckets"][0]["hour"], "2026-11-22T10:00:00.000000Z");
  EXPECT_EQ(j["buckets"][0]["idle"], 1);
  EXPECT_EQ(j["buckets"][1]["hour"], "2026-11-22T11:00:00.000000Z");
  EXPECT_EQ(j["buckets"][1]["idle"], 1);
}

TEST_F(DashboardTest, SessionFiltersReachTheStoreAndTotalComesBack) {
  route("1");
  auto r = get("/v1/sessions?platform=telegram&chat_type=dm&q=ab&"
               "finalized=false&sort=tokens&order=asc");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["total"], 1);
  EXPECT_EQ(r.json()["platforms"]["telegram"], 1);
  auto q = eng_.last().list.value();
  EXPECT_EQ(q.platform, "telegram");
  EXPECT_EQ(q.chat_type, "dm");
  EXPECT_EQ(q.text, "ab");
  EXPECT_EQ(q.finalized, false);
  EXPECT_EQ(q.sort, core::entry_sort::tokens);
  EXPECT_TRUE(q.ascending);
  auto bad = get("/v1/sessions?sort=size");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.error_message(),
            "query.sort: expected one of updated, created, tokens");
  EXPECT_EQ(get("/v1/sessions?chat_type=room").status, 400);
  EXPECT_EQ(get("/v1/sessions?finalized=maybe").status, 400);
}

TEST_F(DashboardTest, LoadTestsArePublishedListedAndBounded) {
  auto p =
    post("/v1/admin/loadtests", loadtest_body("run-1", "running").dump());
  ASSERT_EQ(p.status, 200) << p.body;
  auto body = loadtest_body("run-1", "done");
  body["summary"]["report_html"] = "<html>report</html>";
  ASSERT_EQ(post("/v1/admin/loadtests", body.dump()).status, 200);
  auto runs = get("/v1/admin/loadtests").json()["runs"];
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["state"], "done");
  EXPECT_EQ(runs[0]["summary"]["verdict"], "pass");
  EXPECT_FALSE(runs[0]["summary"].contains("report_html"));
  EXPECT_EQ(runs[0]["report"], "/v1/admin/loadtests/run-1/report");
  auto report = get("/v1/admin/loadtests/run-1/report");
  EXPECT_EQ(report.status, 200);
  EXPECT_EQ(report.body, "<html>report</html>");
  EXPECT_EQ(report.headers["content-type"], "text/html; charset=utf-8");
  for (int i = 0; i < 25; ++i)
    post("/v1/admin/loadtests",
         loadtest_body("r" + std::to_string(i), "running").dump());
  runs = get("/v1/admin/loadtests").json()["runs"];
  ASSERT_EQ(runs.size(), 20u);
  EXPECT_EQ(runs[0]["run_id"], "r24");
}

TEST_F(DashboardTest, BadLoadTestsNameTheFieldAndChangeNothing) {
  auto b = loadtest_body("x", "finished");
  auto r = post("/v1/admin/loadtests", b.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_message(), "state: expected \"running\" or \"done\"");
  b = loadtest_body("x", "running");
  b["summary"]["latency_ms"].erase("p99");
  r = post("/v1/admin/loadtests", b.dump());
  EXPECT_EQ(r.error_message(), "summary.latency_ms.p99: expected a number");
  b = loadtest_body("bad id!", "running");
  EXPECT_EQ(post("/v1/admin/loadtests", b.dump()).status, 400);
  EXPECT_TRUE(get("/v1/admin/loadtests").json()["runs"].empty());
}

TEST_F(DashboardTest, MetricsHaveLatencyHistogramsAndGauges) {
  route("1");
  auto t = get("/metrics").body;
  for (auto needle : {"# TYPE switchboard_route_ack_seconds histogram\n",
                      "switchboard_route_ack_seconds_bucket{le=\"2e-05\"} ",
                      "switchboard_route_ack_seconds_count 1\n",
                      "# TYPE switchboard_http_request_seconds histogram\n",
                      "# TYPE switchboard_writer_queue_depth gauge\n",
                      "# TYPE switchboard_flushes_queued gauge\n",
                      "# TYPE switchboard_flushes_in_flight gauge\n"})
    EXPECT_NE(t.find(needle), std::string::npos) << needle;
  EXPECT_EQ(t.find("99999"), std::string::npos) << t;
  EXPECT_EQ(t.find("00000001"), std::string::npos) << t;
}

TEST(MetricsTextTest, BoundsPrintAsTheShortestDecimal) {
  EXPECT_EQ(prom_number(1.9999999999999998e-05), "2e-05");
  EXPECT_EQ(prom_number(5.0), "5");
  EXPECT_EQ(prom_number(0.001), "0.001");
  EXPECT_EQ(prom_number(1e9), "1e+09");
  EXPECT_EQ(prom_number(0.1 + 0.2), "0.3");
}

TEST_F(DashboardTest, StaticFilesWithAStrictPolicy) {
  auto r = get("/");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_EQ(r.headers["content-security-policy"], std::string{dashboard_csp});
  EXPECT_NE(r.body.find("data-testid=\"health\""), std::string::npos);
  auto js = get("/ui/app.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.headers["content-type"], "text/javascript; charset=utf-8");
  EXPECT_EQ(get("/ui/nothing.js").status, 404);
  EXPECT_EQ(get("/ui/../ui/app.js").status, 404);
  EXPECT_EQ(dashboard_csp.find("unsafe"), std::string_view::npos);
}

class DashboardTokenTest : public ApiTest {
protected:
  void SetUp() override {
    server_options o;
    o.token = "s3cret";
    start(o);
  }
};

TEST_F(DashboardTokenTest, StaticFilesNeedNoTokenButTheDataDoes) {
  EXPECT_EQ(get("/").status, 200);
  EXPECT_EQ(get("/ui/app.js").status, 200);
  EXPECT_EQ(get("/v1/stats").status, 401);
  EXPECT_EQ(
    http("GET", url("/v1/stats"), "", {"Authorization: Bearer s3cret"}).status,
    200);
}

} // namespace
} // namespace switchboard::api::testing
