// Publishing a run (--publish): the periodic "running" posts and the final
// "done" post with the verdict, and an older server (404) that only earns
// one warning.

#include "loadgen/publish.hpp"
#include "loadgen/report.hpp"
#include "tests/unit/loadgen/tiny_http_server.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace lg = switchboard::loadgen;

namespace {

/// Keeps every POST /v1/admin/loadtests body.
class loadtests_api {
public:
  lg::testing::tiny_reply operator()(const lg::testing::tiny_request& r) {
    std::lock_guard lock{mtx_};
    if (r.method == "POST" && r.path == "/v1/admin/loadtests")
      bodies_.push_back(nlohmann::json::parse(r.body, nullptr, false));
    cv_.notify_all();
    return {200, "{}"};
  }

  /// Waits (10 s at most) until a post in `state` arrived.
  bool wait_for_state(const std::string& state) {
    std::unique_lock lock{mtx_};
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] {
      for (const auto& b : bodies_)
        if (b.value("state", "") == state)
          return true;
      return false;
    });
  }

  std::vector<nlohmann::json> bodies() {
    std::lock_guard lock{mtx_};
    return bodies_;
  }

private:
  std::mutex mtx_;
  std::condition_variable cv_;
  std::vector<nlohmann::json> bodies_;
};

} // namespace

TEST(LoadgenPublishTest, PostsRunningSummariesThenTheVerdict) {
  loadtests_api api;
  lg::testing::tiny_http_server srv{[&](const auto& r) {
    return api(r);
  }};
  lg::run_result run;
  run.started = std::chrono::steady_clock::now();
  run.stats.record(0.1, 2.0, 1, true);
  lg::publisher p{{srv.url(), std::nullopt, "run-1", 500, "out.html"}, run};
  ASSERT_TRUE(api.wait_for_state("running"));
  p.finish(lg::summary_json(run), "pass");
  auto bodies = api.bodies();
  ASSERT_GE(bodies.size(), 2u);
  const auto& running = bodies.front();
  EXPECT_EQ(running["run_id"], "run-1");
  EXPECT_EQ(running["state"], "running");
  EXPECT_EQ(running["summary"]["acked"], 1);
  EXPECT_EQ(running["summary"]["target_rate"], 500);
  EXPECT_TRUE(running["summary"]["latency_ms"].contains("p99"));
  EXPECT_FALSE(running["summary"].contains("verdict"));
  const auto& done = bodies.back();
  EXPECT_EQ(done["state"], "done");
  EXPECT_EQ(done["summary"]["verdict"], "pass");
  EXPECT_EQ(done["summary"]["report_html"], "out.html");
  EXPECT_TRUE(done["summary"].contains("resets"));
  EXPECT_TRUE(done["summary"].contains("sessions"));
  EXPECT_EQ(p.failures(), 0);
}

TEST(LoadgenPublishTest, AnOlderServerGetsOneWarningAndTheRunGoesOn) {
  lg::testing::tiny_http_server srv{[](const auto&) {
    return lg::testing::tiny_reply{404, R"({"error":{"message":"no route"}})"};
  }};
  lg::run_result run;
  run.started = std::chrono::steady_clock::now();
  ::testing::internal::CaptureStderr();
  {
    lg::publisher p{{srv.url(), std::nullopt, "", 0, ""}, run};
    p.finish(lg::summary_json(run), "fail");
    p.finish(lg::summary_json(run), "fail");
    EXPECT_GE(p.failures(), 2);
    EXPECT_EQ(p.run_id().rfind("lg-", 0), 0u);
  }
  auto err = ::testing::internal::GetCapturedStderr();
  auto first = err.find("warning: cannot publish");
  ASSERT_NE(first, std::string::npos) << err;
  EXPECT_EQ(err.find("warning", first + 1), std::string::npos) << err;
  EXPECT_NE(err.find("HTTP 404"), std::string::npos) << err;
}
