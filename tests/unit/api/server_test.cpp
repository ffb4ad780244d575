// Server-wide behaviour: 404/405, auth, events, metrics, graceful stop.

#include "api_test_util.hpp"

#include "api/auth.hpp"
#include "api/query.hpp"

#include <thread>

namespace switchboard::api::testing {
namespace {

class ServerTest : public ApiTest {
protected:
  void SetUp() override { start(); }
};

TEST_F(ServerTest, HealthzAndUnknownPaths) {
  auto h = get("/healthz");
  ASSERT_EQ(h.status, 200);
  EXPECT_EQ(h.json(), (nlohmann::json{{"status", "ok"}}));
  EXPECT_EQ(h.headers["content-type"], "application/json");
  auto r = get("/v1/nothing/here");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.error_code(), "not_found");
  EXPECT_EQ(get("/nothing").status, 404);
}

TEST_F(ServerTest, WrongMethodIs405WithAllow) {
  auto r = http("DELETE", url("/v1/messages"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers["allow"], "POST");
  auto t = http("DELETE", url("/v1/sessions/k/transcript"));
  EXPECT_EQ(t.status, 405);
  EXPECT_EQ(t.headers["allow"], "GET, PUT");
}

TEST_F(ServerTest, MetricsTextShape) {
  get("/healthz");
  auto r = get("/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"].rfind("text/plain", 0), 0u);
  const auto& t = r.body;
  for (auto needle : {"# TYPE switchboard_messages_routed_total counter\n",
                      "switchboard_messages_routed_total 5\n",
                      "# TYPE switchboard_resident_session_actors gauge\n",
                      "switchboard_resident_session_actors 7\n",
                      "# TYPE switchboard_writer_batch_size histogram\n",
                      "switchboard_writer_batch_size_bucket{le=\"5\"} 1\n",
                      "switchboard_writer_batch_size_bucket{le=\"+Inf\"} 2\n",
                      "switchboard_writer_batch_size_count 2\n",
                      "switchboard_writer_commit_seconds_count 1\n",
                      "switchboard_http_requests_total{status=\"200\"} "})
    EXPECT_NE(t.find(needle), std::string::npos) << needle << "\n" << t;
}

TEST_F(ServerTest, EventsStreamAsServerSentEvents) {
  eng_.publish({"session_created", {{"session_key", "k"}}});
  auto text = read_stream_until(url("/v1/events?last_event_id=0"), "\n\n");
  EXPECT_EQ(text, "id: 1\nevent: session_created\n"
                  "data: {\"session_key\":\"k\"}\n\n");
}

TEST_F(ServerTest, StopFinishesRequestsInFlight) {
  eng_.hold();
  http_result r;
  std::thread client([&] {
    r = http("POST", url("/v1/messages"),
             R"({"source": {"platform": "telegram"}})");
  });
  eng_.wait_queued(1);
  std::thread stopper([&] { server_->stop(); });
  eng_.release();
  client.join();
  stopper.join();
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(http("GET", url("/healthz")).status, 0); // no longer listening
}

class AuthTest : public ApiTest {
protected:
  void SetUp() override {
    server_options o;
    o.token = "s3cret";
    start(o);
  }
};

TEST_F(AuthTest, V1NeedsTheBearerToken) {
  auto none = get("/v1/sessions");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.error_code(), "unauthorized");
  EXPECT_EQ(
    http("GET", url("/v1/sessions"), "", {"Authorization: Bearer wrong"})
      .status,
    401);
  EXPECT_EQ(
    http("GET", url("/v1/sessions"), "", {"Authorization: s3cret"}).status,
    401);
  EXPECT_EQ(
    http("GET", url("/v1/sessions"), "", {"Authorization: Bearer s3cret"})
      .status,
    200);
  EXPECT_EQ(get("/healthz").status, 200);
  EXPECT_EQ(get("/metrics").status, 200);
}

TEST(AuthUnitTest, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
  EXPECT_FALSE(constant_time_equal("", "a"));
  EXPECT_TRUE(authorized(std::nullopt, "v1", ""));
  EXPECT_TRUE(authorized(std::string{"t"}, "healthz", ""));
}

TEST(QueryUnitTest, DecodesSegmentsAndQuery) {
  request r;
  ASSERT_TRUE(decode_target("/v1/sessions/a%3Ab%2Fc/x?q=a+b%21&n=1", r).ok());
  EXPECT_EQ(r.segments,
            (std::vector<std::string>{"v1", "sessions", "a:b/c", "x"}));
  EXPECT_EQ(r.query["q"], "a b!");
  EXPECT_EQ(r.query["n"], "1");
  request bad;
  EXPECT_FALSE(decode_target("/v1/%4", bad).ok());
  EXPECT_FALSE(decode_target("/v1?q=%ff", bad).ok());
}

} // namespace
} // namespace switchboard::api::testing
