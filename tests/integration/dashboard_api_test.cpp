// The dashboard's server support through the real binary and engine:
// event ids and resume across a dropped connection, the session filters
// in SQL, the forecast, /v1/stats, the dashboard files, and /metrics
// through promtool when it is installed.

#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

namespace switchboard::testing {
namespace {

std::string typed_route_body(const std::string& platform,
                             const std::string& chat, const std::string& type) {
  return nlohmann::json{
    {"source",
     {{"platform", platform}, {"chat_id", chat}, {"chat_type", type}}},
    {"message", {{"role", "user"}, {"content", "hi"}}}}
    .dump();
}

std::vector<int> event_ids(const std::string& text) {
  std::vector<int> out;
  std::regex id_line{"(^|\n)id: ([0-9]+)\n"};
  for (std::sregex_iterator it{text.begin(), text.end(), id_line}, end;
       it != end; ++it)
    out.push_back(std::stoi((*it)[2]));
  return out;
}

class DashboardApiTest : public ::testing::Test {
protected:
  void SetUp() override {
    server_.emplace(
      std::vector<std::string>{"--data-dir", dir_, "--clock", "manual"});
    ASSERT_FALSE(server_->url().empty()) << server_->line();
  }
  void TearDown() override {
    server_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  http_result post(const std::string& path, const std::string& body) {
    return http("POST", server_->url() + path, body);
  }
  http_result get(const std::string& path) {
    return http("GET", server_->url() + path);
  }
  void route(const std::string& platform, const std::string& chat,
             const std::string& type = "dm") {
    auto r = post("/v1/messages", typed_route_body(platform, chat, type));
    ASSERT_EQ(r.status, 200) << r.body;
    // The manual clock stands still: move it so creation times differ.
    post("/v1/admin/clock", R"({"advance_seconds": 1})");
  }

  std::string dir_ = make_temp_dir();
  std::optional<server_process> server_;
};

TEST_F(DashboardApiTest, ResumeAfterADroppedStreamLosesAndRepeatsNothing) {
  route("telegram", "1");
  route("telegram", "2");
  auto first = read_stream(
    server_->url() + "/v1/events?last_event_id=0", [] {}, "id: 2\n");
  EXPECT_EQ(event_ids(first), (std::vector<int>{1, 2}));
  route("telegram", "3"); // while nobody listens
  route("telegram", "4");
  auto second = read_stream(
    server_->url() + "/v1/events?last_event_id=2", [] {}, "id: 4\n");
  EXPECT_EQ(event_ids(second), (std::vector<int>{3, 4}));
  EXPECT_NE(second.find("agent:main:telegram:dm:3"), std::string::npos);
}

TEST_F(DashboardApiTest, MessageAppendedReachesAStreamThatAsks) {
  http_result routed;
  auto text = read_stream(
    server_->url() + "/v1/events?types=message_appended",
    [&] {
      routed = post("/v1/messages", typed_route_body("slack", "5", "dm"));
    },
    "\n\n");
  ASSERT_EQ(routed.status, 200);
  EXPECT_NE(text.find("event: message_appended\ndata: "), std::string::npos)
    << text;
  EXPECT_NE(text.find(R"("role":"user")"), std::string::npos) << text;
}

TEST_F(DashboardApiTest, SessionFiltersSortAndTotalInSql) {
  route("telegram", "1");
  route("telegram", "2", "group");
  route("discord", "3", "group");
  ASSERT_EQ(
    http(
      "PUT",
      server_->url() + "/v1/session-ids/" +
        parse(get("/v1/sessions?platform=discord"))["sessions"][0]["session_id"]
          .get<std::string>() +
        "/title",
      R"({"title": "Weekly Planning"})")
      .status,
    200);
  auto all = parse(get("/v1/sessions?limit=1"));
  EXPECT_EQ(all["total"], 3);
  EXPECT_EQ(all["sessions"].size(), 1u);
  EXPECT_EQ(all["platforms"]["telegram"], 2);
  EXPECT_EQ(all["platforms"]["discord"], 1);
  auto tg = parse(get("/v1/sessions?platform=telegram&chat_type=group"));
  ASSERT_EQ(tg["total"], 1);
  EXPECT_EQ(tg["sessions"][0]["session_key"], "agent:main:telegram:group:2");
  auto by_title = parse(get("/v1/sessions?q=planning"));
  ASSERT_EQ(by_title["total"], 1);
  EXPECT_EQ(by_title["sessions"][0]["platform"], "discord");
  auto by_key = parse(get("/v1/sessions?q=TELEGRAM:DM"));
  EXPECT_EQ(by_key["total"], 1);
  auto oldest = parse(get("/v1/sessions?sort=created&order=asc"));
  EXPECT_EQ(oldest["sessions"][0]["session_key"], "agent:main:telegram:dm:1");
  EXPECT_EQ(parse(get("/v1/sessions?finalized=true"))["total"], 0);
}

TEST_F(DashboardApiTest, ForecastAndSweepAfterTheClockMoves) {
  route("telegram", "1");
  auto before = parse(get("/v1/expiry/forecast?hours=48"));
  std::int64_t due = 0;
  for (const auto& b : before["buckets"])
    due += b["idle"].get<std::int64_t>() + b["daily"].get<std::int64_t>();
  EXPECT_EQ(due, 1);
  post("/v1/admin/clock", R"({"advance_seconds": 200000})");
  auto swept = parse(post("/v1/admin/expire", "{}"));
  EXPECT_EQ(swept["expired"], 1);
  auto after = parse(get("/v1/expiry/forecast?hours=48"));
  EXPECT_NE(after["buckets"][0]["hour"], before["buckets"][0]["hour"]);
  for (const auto& b : after["buckets"])
    EXPECT_EQ(b["idle"].get<int>() + b["daily"].get<int>(), 0);
  auto stats = parse(get("/v1/stats"));
  EXPECT_EQ(stats["counters"]["sessions_expired"], 1);
  ASSERT_TRUE(stats["last_sweep"].is_object()) << stats;
  EXPECT_EQ(stats["last_sweep"]["expired"], 1);
  EXPECT_TRUE(stats["next_sweep"].is_string());
  EXPECT_GT(stats["database"]["bytes"].get<std::int64_t>(), 0);
}

TEST_F(DashboardApiTest, ServesTheDashboard) {
  auto page = get("/");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<script type=\"module\" src=\"/ui/app.js\">"),
            std::string::npos);
  for (auto f : {"app.js", "api.js", "style.css", "sessions.js", "search.js",
                 "events.js", "expiry.js", "loadtest.js", "overview.js",
                 "drawer.js", "charts.js"})
    EXPECT_EQ(get(std::string{"/ui/"} + f).status, 200) << f;
}

TEST_F(DashboardApiTest, MetricsPassPromtool) {
  route("telegram", "1");
  auto m = get("/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("switchboard_route_ack_seconds_count 1\n"),
            std::string::npos);
  if (!std::filesystem::exists("/usr/bin/promtool"))
    GTEST_SKIP() << "promtool not installed (Debian package prometheus)";
  auto file = dir_ + "/metrics.txt";
  std::ofstream(file) << m.body;
  auto cmd = "/usr/bin/promtool check metrics < " + file + " > " + dir_ +
             "/promtool.out 2>&1";
  int rc = std::system(cmd.c_str());
  std::ifstream out(dir_ + "/promtool.out");
  std::string report((std::istreambuf_iterator<char>(out)), {});
  EXPECT_EQ(rc, 0) << report;
}

} // namespace
} // namespace switchboard::testing
