// The event-driven HTTP target against a tiny keep-alive server: one driver
// thread holds `concurrency` requests in flight on as many connections (not
// one per request), every request path and body is what the API expects,
// refusals are counted as errors, and several URLs take the requests in
// turn (each counted per URL) while clock and expiry calls reach them all.

#include "core/source.hpp"
#include "tests/unit/loadgen/small_run.hpp"
#include "tests/unit/loadgen/tiny_http_server.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>

namespace lg = switchboard::loadgen;

namespace {

/// A route reply for a POST /v1/messages body.
nlohmann::json route_reply(const nlohmann::json& item, int id) {
  auto chat = item["source"]["chat_id"].get<std::string>();
  return {{"session_key", "agent:main:x:dm:" + chat},
          {"session_id", "s-" + chat},
          {"created", false},
          {"message_id", id}};
}

/// Answers like the server; holds the first `hold` requests until that
/// many are in flight at once (so the test sees them concurrently).
class fake_api {
public:
  explicit fake_api(int hold) : hold_(hold) {}

  lg::testing::tiny_reply operator()(const lg::testing::tiny_request& r) {
    if (++arrived_ <= hold_) {
      std::unique_lock lock{mtx_};
      cv_.notify_all();
      cv_.wait_for(lock, std::chrono::seconds(10),
                   [this] { return arrived_.load() >= hold_; });
    }
    auto body = nlohmann::json::parse(r.body, nullptr, false);
    int id = ++ids_;
    if (r.path == "/v1/messages")
      return {200, route_reply(body, id).dump()};
    if (r.path == "/v1/messages:batch") {
      nlohmann::json out = {{"results", nlohmann::json::array()}};
      for (const auto& item : body["items"])
        out["results"].push_back(route_reply(item, ++ids_));
      return {200, out.dump()};
    }
    if (r.path.find("/messages") != std::string::npos) {
      std::lock_guard lock{mtx_};
      append_paths_.push_back(r.path);
      return {200,
              nlohmann::json{{"session_id", "s-x"}, {"message_id", id}}.dump()};
    }
    return {200, "{}"};
  }

  std::vector<std::string> append_paths() {
    std::lock_guard lock{mtx_};
    return append_paths_;
  }

private:
  int hold_;
  std::atomic<int> arrived_{0};
  std::atomic<int> ids_{0};
  std::mutex mtx_;
  std::condition_variable cv_;
  std::vector<std::string> append_paths_;
};

} // namespace

TEST(LoadgenHttpTargetTest, OneThreadDrivesConcurrencyKeepAliveConnections) {
  fake_api api{6};
  lg::testing::tiny_http_server srv{[&](const auto& r) {
    return api(r);
  }};
  auto t = lg::make_http_target({{srv.url()}, std::nullopt, 6});
  lg::run_result r;
  lg::testing::run_small(*t, {300, 6, 0, 0, 0.5}, r);
  EXPECT_EQ(r.stats.acked(), 300);
  EXPECT_EQ(r.stats.errors(), 0)
    << (r.first_errors.empty() ? "" : r.first_errors[0]);
  EXPECT_EQ(srv.max_in_flight(), 6);
  EXPECT_EQ(srv.connections(), 6); // kept alive, one per request in flight
  auto paths = api.append_paths();
  ASSERT_FALSE(paths.empty());
  // The key is one path segment: its ':' are escaped.
  EXPECT_EQ(paths.front().rfind("/v1/sessions/agent%3Amain%3Ax%3Adm%3A", 0), 0u)
    << paths.front();
}

TEST(LoadgenHttpTargetTest, BatchesOverHttp) {
  fake_api api{0};
  lg::testing::tiny_http_server srv{[&](const auto& r) {
    return api(r);
  }};
  auto t = lg::make_http_target({{srv.url()}, std::nullopt, 2});
  lg::run_result r;
  lg::testing::run_small(*t, {400, 2, 40}, r);
  EXPECT_EQ(r.stats.acked(), 400);
  EXPECT_EQ(srv.requests(), 10);
  EXPECT_LE(srv.connections(), 2);
}

TEST(LoadgenHttpTargetTest, RefusalsAreErrors) {
  lg::testing::tiny_http_server srv{[](const auto&) {
    return lg::testing::tiny_reply{503, R"({"error":{"message":"busy"}})"};
  }};
  auto t = lg::make_http_target({{srv.url()}, std::nullopt, 3});
  lg::run_result r;
  lg::testing::run_small(*t, {30, 3}, r);
  EXPECT_EQ(r.stats.acked(), 0);
  EXPECT_EQ(r.stats.errors(), 30);
  ASSERT_FALSE(r.first_errors.empty());
  EXPECT_EQ(r.first_errors.front(), "HTTP 503: busy");
}

// The route body is written by hand (not through a JSON document): the
// server must read back exactly the source and text it was given, with
// quotes, backslashes, control characters and UTF-8 in them.
TEST(LoadgenHttpTargetTest, ARouteBodyCarriesTheSourceAndTextExactly) {
  nlohmann::json got;
  lg::testing::tiny_http_server srv{[&](const lg::testing::tiny_request& r) {
    got = nlohmann::json::parse(r.body, nullptr, false);
    return lg::testing::tiny_reply{
      200, R"({"session_key":"k","session_id":"s","message_id":1})"};
  }};
  auto t = lg::make_http_target({{srv.url()}, std::nullopt, 1});
  lg::routed r;
  r.origin.platform = "telegram";
  r.origin.type = switchboard::core::chat_type::group;
  r.origin.chat_id = "c\"1\\";
  r.origin.user_id = "u\n\t\x01";
  r.origin.thread_id = "t";
  r.origin.chat_id_alt = "alt";
  r.role = "user";
  r.text = "caf\u00e9 \"quoted\" \\ line\nnext \u4e2d\u6587";
  std::optional<switchboard::core::result<switchboard::actors::route_reply>>
    reply;
  t->route(r, [&](auto res) { reply = std::move(res); });
  for (int i = 0; i < 200 && !reply; ++i)
    t->poll(std::chrono::milliseconds(20));
  ASSERT_TRUE(reply && *reply);
  ASSERT_FALSE(got.is_discarded());
  EXPECT_EQ(got["source"], switchboard::core::encode_source(r.origin).patch(
                             nlohmann::json::parse(
                               R"([{"op":"remove","path":"/chat_name"},)"
                               R"({"op":"remove","path":"/user_name"},)"
                               R"({"op":"remove","path":"/chat_topic"}])")));
  EXPECT_EQ(got["message"],
            (nlohmann::json{{"role", "user"}, {"content", r.text}}));
}

// A kept-alive connection the server closed after its last reply is
// opened again, and a request already written to it is sent once more.
TEST(LoadgenHttpTargetTest, AConnectionTheServerClosedIsOpenedAgain) {
  fake_api api{0};
  lg::testing::tiny_http_server srv{[&](const auto& r) {
    auto reply = api(r);
    reply.close = true;
    return reply;
  }};
  auto t = lg::make_http_target({{srv.url()}, std::nullopt, 2});
  lg::run_result r;
  lg::testing::run_small(*t, {40, 2}, r);
  EXPECT_EQ(r.stats.acked(), 40);
  EXPECT_EQ(r.stats.errors(), 0)
    << (r.first_errors.empty() ? "" : r.first_errors[0]);
  EXPECT_GE(srv.connections(), srv.requests());
}

TEST(LoadgenHttpTargetTest, UnreachableServerIsAnErrorPerRequest) {
  std::string url;
  {
    lg::testing::tiny_http_server gone{[](const auto&) {
      return lg::testing::tiny_reply{};
    }};
    url = gone.url();
  }
  auto t = lg::make_http_target({{url}, std::nullopt, 2});
  lg::run_result r;
  lg::testing::run_small(*t, {4, 2}, r);
  EXPECT_EQ(r.stats.errors(), 4);
  ASSERT_FALSE(r.first_errors.empty());
  EXPECT_NE(r.first_errors.front().find("cannot reach"), std::string::npos);
}

TEST(LoadgenHttpTargetTest, SeveralUrlsTakeTheRequestsInTurn) {
  fake_api api_a{0}, api_b{0};
  lg::testing::tiny_http_server a{[&](const auto& r) {
    return api_a(r);
  }};
  lg::testing::tiny_http_server b{[&](const auto& r) {
    return api_b(r);
  }};
  auto t = lg::make_http_target({{a.url(), b.url()}, std::nullopt, 4});
  lg::run_result r;
  lg::testing::run_small(*t, {200, 4, 0, 0, 0.5}, r);
  EXPECT_EQ(r.stats.acked(), 200);
  EXPECT_EQ(r.stats.errors(), 0)
    << (r.first_errors.empty() ? "" : r.first_errors[0]);
  auto counts = t->per_url();
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts[0].url, a.url());
  EXPECT_EQ(counts[1].url, b.url());
  EXPECT_EQ(counts[0].requests, a.requests());
  EXPECT_EQ(counts[1].requests, b.requests());
  EXPECT_EQ(counts[0].failed + counts[1].failed, 0);
  // Strict turns from one driver: the shares differ by one at most.
  EXPECT_GT(a.requests(), 50);
  EXPECT_LE(std::abs(a.requests() - b.requests()), 1);
  EXPECT_LE(a.connections(), 4);
  EXPECT_LE(b.connections(), 4);
}

TEST(LoadgenHttpTargetTest, FailuresAreCountedForTheirUrl) {
  fake_api api{0};
  lg::testing::tiny_http_server good{[&](const auto& r) {
    return api(r);
  }};
  lg::testing::tiny_http_server busy{[](const auto&) {
    return lg::testing::tiny_reply{503, R"({"error":{"message":"busy"}})"};
  }};
  auto t = lg::make_http_target({{good.url(), busy.url()}, std::nullopt, 2});
  lg::run_result r;
  lg::testing::run_small(*t, {40, 2}, r);
  auto counts = t->per_url();
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts[0].failed, 0);
  EXPECT_EQ(counts[1].failed, counts[1].requests);
  EXPECT_EQ(counts[0].requests + counts[1].requests, 40);
  EXPECT_EQ(r.stats.errors(), counts[1].failed);
  EXPECT_EQ(r.stats.acked(), counts[0].requests);
}

TEST(LoadgenHttpTargetTest, ClockAndExpiryReachEveryUrl) {
  std::atomic<int> clocks{0}, sweeps{0};
  auto admin = [&](const lg::testing::tiny_request& r) {
    if (r.path == "/v1/admin/clock")
      ++clocks;
    if (r.path != "/v1/admin/expire")
      return lg::testing::tiny_reply{};
    ++sweeps;
    return lg::testing::tiny_reply{
      200, R"({"expired": 2, "flushed": 1, "flush_failed": 0})"};
  };
  lg::testing::tiny_http_server a{admin}, b{admin};
  auto t = lg::make_http_target({{a.url(), b.url()}, std::nullopt, 2});
  ASSERT_TRUE(t->advance_clock(60));
  EXPECT_EQ(clocks.load(), 2);
  auto swept = t->expire();
  ASSERT_TRUE(swept) << swept.err().message;
  EXPECT_EQ(sweeps.load(), 2);
  EXPECT_EQ(swept->expired, 4);
  EXPECT_EQ(swept->flushed, 2);
  // The load counts are not touched by these calls.
  for (const auto& c : t->per_url())
    EXPECT_EQ(c.requests, 0);
}
