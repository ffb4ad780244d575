// `switchboard serve` end to end: the real binary on a free port and a
// temporary data dir, driven over HTTP.

#include "tests/support/process.hpp"
#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>

namespace switchboard::testing {
namespace {

const std::string key_path = "/v1/sessions/agent%3Amain%3Atelegram%3Adm%3A99";

class ServeTest : public ::testing::Test {
protected:
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string dir_ = make_temp_dir();
};

TEST_F(ServeTest, PrintsOneListeningLine) {
  server_process s({"--data-dir", dir_});
  EXPECT_TRUE(std::regex_match(
    s.line(),
    std::regex{R"(switchboard listening on http://127\.0\.0\.1:\d+)"}))
    << s.line();
  EXPECT_EQ(http("GET", s.url() + "/healthz").status, 200);
  EXPECT_EQ(s.stop(SIGTERM), 0);
}

TEST_F(ServeTest, RouteTranscriptSearchReset) {
  server_process s({"--data-dir", dir_});
  ASSERT_FALSE(s.url().empty()) << s.line();
  auto first = http("POST", s.url() + "/v1/messages",
                    route_body("99", "deploy the chat-send fix"));
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(parse(first)["created"], true);
  auto id = parse(first)["session_id"].get<std::string>();
  auto second = http("POST", s.url() + "/v1/messages",
                     route_body("99", "and then the docs"));
  EXPECT_EQ(parse(second)["session_id"], id);

  auto t = http("GET", s.url() + key_path + "/transcript");
  ASSERT_EQ(t.status, 200) << t.body;
  ASSERT_EQ(parse(t)["messages"].size(), 2u);
  EXPECT_EQ(parse(t)["messages"][1]["content"], "and then the docs");

  auto found = http("GET", s.url() + "/v1/search?q=chat-send");
  ASSERT_EQ(found.status, 200) << found.body;
  ASSERT_EQ(parse(found)["results"].size(), 1u);
  EXPECT_EQ(parse(found)["results"][0]["session_id"], id);

  auto reset = http("POST", s.url() + key_path + "/reset", "");
  ASSERT_EQ(reset.status, 200) << reset.body;
  EXPECT_NE(parse(reset)["session_id"], id);
  auto row = http("GET", s.url() + "/v1/session-ids/" + id);
  ASSERT_EQ(row.status, 200) << row.body;
  EXPECT_EQ(parse(row)["end_reason"], "session_reset");
  EXPECT_EQ(s.stop(SIGTERM), 0);
}

TEST_F(ServeTest, ExpiryWithTheManualClock) {
  server_process s({"--data-dir", dir_, "--clock", "manual"});
  ASSERT_FALSE(s.url().empty()) << s.line();
  ASSERT_EQ(
    http("POST", s.url() + "/v1/messages", route_body("99", "hi")).status, 200);
  auto clock =
    http("POST", s.url() + "/v1/admin/clock", R"({"advance_seconds": 172800})");
  ASSERT_EQ(clock.status, 200) << clock.body;
  auto sweep = http("POST", s.url() + "/v1/admin/expire", "");
  ASSERT_EQ(sweep.status, 200) << sweep.body;
  EXPECT_EQ(parse(sweep)["expired"], 1);
  auto next = http("POST", s.url() + "/v1/messages", route_body("99", "back"));
  ASSERT_EQ(next.status, 200) << next.body;
  EXPECT_EQ(parse(next)["was_auto_reset"], true);
  EXPECT_EQ(parse(next)["auto_reset_reason"], "idle");
  EXPECT_EQ(s.stop(SIGTERM), 0);
}

TEST_F(ServeTest, ClockIs404WithTheSystemClock) {
  server_process s({"--data-dir", dir_});
  auto r =
    http("POST", s.url() + "/v1/admin/clock", R"({"advance_seconds": 1})");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(s.stop(SIGTERM), 0);
}

TEST_F(ServeTest, ClusterIs404InSingleNodeMode) {
  server_process s({"--data-dir", dir_});
  auto r = http("GET", s.url() + "/v1/cluster");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.error_code(), "not_found");
  EXPECT_NE(r.error_message().find("not in cluster mode"), std::string::npos)
    << r.body;
  EXPECT_EQ(s.stop(SIGTERM), 0);
}

TEST_F(ServeTest, TokenFileGuardsV1) {
  auto token_file = dir_ + "/token";
  std::ofstream{token_file} << "s3cret\n";
  server_process s({"--data-dir", dir_ + "/data", "--token-file", token_file});
  ASSERT_FALSE(s.url().empty()) << s.line();
  EXPECT_EQ(http("GET", s.url() + "/v1/sessions").status, 401);
  EXPECT_EQ(
    http("GET", s.url() + "/v1/sessions", "", {"Authorization: Bearer s3cret"})
      .status,
    200);
  EXPECT_EQ(http("GET", s.url() + "/healthz").status, 200);
  EXPECT_EQ(s.stop(SIGTERM), 0);
}

TEST_F(ServeTest, SigtermKeepsEveryAcknowledgedWrite) {
  constexpr int count = 50;
  {
    server_process s({"--data-dir", dir_});
    ASSERT_FALSE(s.url().empty()) << s.line();
    for (int i = 0; i < count; ++i)
      ASSERT_EQ(http("POST", s.url() + "/v1/messages",
                     route_body("99", "m" + std::to_string(i)))
                  .status,
                200);
    EXPECT_EQ(s.stop(SIGTERM), 0);
  }
  server_process again({"--data-dir", dir_});
  ASSERT_FALSE(again.url().empty()) << again.line();
  auto t = http("GET", again.url() + key_path + "/transcript");
  ASSERT_EQ(t.status, 200) << t.body;
  auto messages = parse(t)["messages"];
  ASSERT_EQ(messages.size(), static_cast<std::size_t>(count));
  EXPECT_EQ(messages[count - 1]["content"], "m49");
  EXPECT_EQ(again.stop(SIGINT), 0);
}

TEST_F(ServeTest, EventsAndMetricsFromTheRealEngine) {
  server_process s({"--data-dir", dir_});
  ASSERT_FALSE(s.url().empty()) << s.line();
  http_result routed;
  auto text = read_stream(
    s.url() + "/v1/events",
    [&] {
      routed = http("POST", s.url() + "/v1/messages", route_body("7", "hi"));
    },
    "\n\n");
  EXPECT_EQ(routed.status, 200) << routed.body;
  EXPECT_EQ(text.rfind("id: 1\nevent: session_created\ndata: {", 0), 0u)
    << text;
  auto m = http("GET", s.url() + "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("switchboard_messages_routed_total 1\n"),
            std::string::npos)
    << m.body;
  EXPECT_NE(m.body.find("switchboard_writer_commit_seconds_count "),
            std::string::npos);
  EXPECT_EQ(s.stop(SIGTERM), 0); // an open event stream does not block stop
}

TEST_F(ServeTest, PrintConfigShowsTheEffectiveSettings) {
  auto r = run_command({switchboard_bin(), "serve", "--print-config",
                        "--listen", "127.0.0.1:9999"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["listen"], "127.0.0.1:9999");
  EXPECT_EQ(j["cluster"]["nats_urls"], nlohmann::json::array());
}

TEST_F(ServeTest, PrintConfigShowsTheClusterFlagsWithoutContactingNats) {
  auto r =
    run_command({switchboard_bin(), "serve", "--print-config", "--nats",
                 "nats://127.0.0.1:1, nats://127.0.0.1:2", "--node-id", "n1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["cluster"], nlohmann::json::parse(R"({
    "nats_urls": ["nats://127.0.0.1:1", "nats://127.0.0.1:2"],
    "node_id": "n1", "partitions": 16, "replicas": 3,
    "member_ttl_seconds": 5, "snapshot_every_records": 10000,
    "log_keep_records": 1000})"));
}

} // namespace
} // namespace switchboard::testing
