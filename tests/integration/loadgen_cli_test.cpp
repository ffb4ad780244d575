// `switchboard loadgen` end to end: short embedded runs (JSON summary shape,
// virtual time producing idle and daily resets, verification catching a
// dropped message) and runs against `switchboard serve`, one server or
// several (--url A,B). No timing asserts.

#include "tests/support/data_dir_fixture.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <fstream>
#include <sstream>

namespace switchboard::testing {
namespace {

class LoadgenCliTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::ofstream{dir_.file("config.json")}
      << R"({"reset": {"default": {"mode": "both", "at_hour": 4,
                                   "idle_minutes": 180}}})";
  }

  process_result loadgen(std::vector<std::string> args) {
    args.insert(args.begin(), {switchboard_bin(), "loadgen"});
    return run_command(args);
  }

  /// The last stdout line as JSON.
  static nlohmann::json last_line(const std::string& out) {
    auto trimmed = out.substr(0, out.find_last_not_of('\n') + 1);
    auto line = trimmed.substr(trimmed.rfind('\n') + 1);
    return nlohmann::json::parse(line, nullptr, false);
  }

  std::vector<std::string> embedded_args() {
    return {"--embedded",
            "--data-dir",
            dir_.file("data"),
            "--config",
            dir_.file("config.json"),
            "--chats",
            "150",
            "--messages",
            "3000",
            "--concurrency",
            "8",
            "--seed",
            "7",
            "--virtual-clock",
            "--sim-seconds-per-message",
            "120",
            "--json"};
  }

  temp_dir dir_;
};

/// switchboard_messages_routed_total of a server's /metrics (-1: absent).
long routed_total(const std::string& url) {
  auto r = http("GET", url + "/metrics");
  std::istringstream in{r.body};
  std::string name;
  long value = -1;
  for (std::string line; std::getline(in, line);) {
    std::istringstream words{line};
    if (words >> name >> value && name == "switchboard_messages_routed_total")
      return value;
  }
  return -1;
}

TEST_F(LoadgenCliTest, EmbeddedRunPrintsTheSummaryAndVerifies) {
  auto args = embedded_args();
  args.insert(args.end(), {"--report", dir_.file("report.html")});
  auto r = loadgen(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("verify: ok"), std::string::npos) << r.err;
  auto j = last_line(r.out);
  ASSERT_TRUE(j.is_object()) << r.out;
  for (const char* k : {"messages", "acked", "errors", "seconds", "msgs_per_s",
                        "sessions", "series", "resets", "expired", "flushed"})
    EXPECT_TRUE(j.contains(k)) << k;
  for (const char* k : {"p50", "p90", "p99", "max"})
    EXPECT_TRUE(j["latency_ms"].contains(k)) << k;
  EXPECT_EQ(j["messages"], 3000);
  EXPECT_EQ(j["acked"], 3000);
  EXPECT_EQ(j["errors"], 0);
  EXPECT_GT(j["sessions"].get<int>(), 0);
  ASSERT_TRUE(j["series"].is_array());
  ASSERT_FALSE(j["series"].empty());
  EXPECT_TRUE(j["series"][0].contains("p99"));
  // 3000 messages x 120 s = 100 simulated hours: four 04:00 boundaries, and
  // the quiet chats stay silent longer than 3 hours.
  EXPECT_GT(j["resets"]["idle"].get<int>(), 0) << j.dump();
  EXPECT_GT(j["resets"]["daily"].get<int>(), 0) << j.dump();

  std::ifstream in{dir_.file("report.html")};
  std::stringstream html;
  html << in.rdbuf();
  EXPECT_NE(html.str().find("<svg"), std::string::npos);
  EXPECT_EQ(html.str().find("http://"), html.str().find("http://www.w3.org"));
}

TEST_F(LoadgenCliTest, VerifyCatchesADroppedMessage) {
  auto args = embedded_args();
  args.insert(args.end(), {"--test-drop-ack", "17"});
  auto r = loadgen(args);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("verify: FAILED"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("acknowledged"), std::string::npos) << r.err;
}

TEST_F(LoadgenCliTest, NeedsExactlyOneTarget) {
  EXPECT_EQ(loadgen({"--messages", "10"}).exit_code, 2);
  EXPECT_EQ(loadgen({"--embedded", "--url", "http://127.0.0.1:1"}).exit_code,
            2);
  EXPECT_EQ(loadgen({"--embedded", "--platforms", "x"}).exit_code, 2);
  auto bad = loadgen({"--url", "http://127.0.0.1:1,ftp://127.0.0.1:2"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err, "switchboard: loadgen: --url: \"ftp://127.0.0.1:2\" is "
                     "not http://HOST:PORT\n");
}

TEST_F(LoadgenCliTest, AgainstAServerSingleAndBatchWithVirtualClock) {
  server_process s({"--data-dir", dir_.file("srv"), "--clock", "manual"});
  ASSERT_FALSE(s.url().empty()) << s.line();
  for (const char* batch : {"0", "20"}) {
    auto r =
      loadgen({"--url", s.url(), "--chats", "40", "--messages", "400",
               "--concurrency", "4", "--batch", batch, "--verify",
               "--virtual-clock", "--sim-seconds-per-message", "60", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = last_line(r.out);
    EXPECT_EQ(j["acked"], 400) << r.out;
    EXPECT_EQ(j["errors"], 0);
  }
  EXPECT_EQ(s.stop(SIGTERM), 0);
}

TEST_F(LoadgenCliTest, EventDrivenClientAgainstTheServerAcksAndVerifies) {
  server_process s({"--data-dir", dir_.file("srv")});
  ASSERT_FALSE(s.url().empty()) << s.line();
  auto r =
    loadgen({"--url", s.url(), "--chats", "300", "--messages", "3000",
             "--concurrency", "48", "--replies", "0.3", "--verify", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("verify: ok"), std::string::npos) << r.err;
  auto j = last_line(r.out);
  EXPECT_EQ(j["messages"], 3000) << r.out;
  EXPECT_EQ(j["acked"], 3000);
  EXPECT_EQ(j["errors"], 0);
  EXPECT_GT(j["sessions"].get<int>(), 0);
  EXPECT_EQ(s.stop(SIGTERM), 0);
}

TEST_F(LoadgenCliTest, OpenLoopAgainstTheServerSendsEverything) {
  server_process s({"--data-dir", dir_.file("srv")});
  ASSERT_FALSE(s.url().empty()) << s.line();
  auto r = loadgen({"--url", s.url(), "--chats", "50", "--messages", "400",
                    "--concurrency", "8", "--rate", "2000", "--replies", "0",
                    "--verify", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = last_line(r.out);
  EXPECT_EQ(j["acked"], 400) << r.out;
  EXPECT_EQ(s.stop(SIGTERM), 0);
}

TEST_F(LoadgenCliTest, PublishNeverFailsTheRun) {
  // Whether this server knows /v1/admin/loadtests or not (an older one
  // answers 404), the run succeeds and warns at most once.
  server_process s({"--data-dir", dir_.file("srv")});
  ASSERT_FALSE(s.url().empty()) << s.line();
  auto r = loadgen({"--url", s.url(), "--chats", "20", "--messages", "200",
                    "--concurrency", "4", "--publish", "--verify", "--json",
                    "--report", dir_.file("r.html")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(last_line(r.out)["acked"], 200) << r.out;
  EXPECT_NE(r.err.find("publishing as lg-"), std::string::npos) << r.err;
  auto first = r.err.find("warning: cannot publish");
  if (first != std::string::npos) {
    EXPECT_EQ(r.err.find("warning", first + 1), std::string::npos) << r.err;
  }
  EXPECT_EQ(s.stop(SIGTERM), 0);
}

TEST_F(LoadgenCliTest, SpreadsTheLoadOverSeveralServers) {
  server_process a({"--data-dir", dir_.file("a")});
  server_process b({"--data-dir", dir_.file("b")});
  ASSERT_FALSE(a.url().empty()) << a.line();
  ASSERT_FALSE(b.url().empty()) << b.line();
  // A bad element refuses the whole run before any request.
  auto bad = loadgen({"--url", a.url() + ",", "--messages", "10"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err, "switchboard: loadgen: --url: item 2 is empty\n");
  // Two independent servers are no cluster: no replies (a reply could land
  // on the server that never saw its chat) and no --verify.
  auto r =
    loadgen({"--url", a.url() + "," + b.url(), "--chats", "40", "--messages",
             "400", "--concurrency", "6", "--replies", "0", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = last_line(r.out);
  EXPECT_EQ(j["acked"], 400) << r.out;
  EXPECT_EQ(j["errors"], 0);
  ASSERT_EQ(j["targets"].size(), 2u) << r.out;
  EXPECT_EQ(j["targets"][0]["url"], a.url());
  EXPECT_EQ(j["targets"][1]["url"], b.url());
  // Each server stored exactly the messages sent to it, and both got some.
  long sent_a = j["targets"][0]["requests"],
       sent_b = j["targets"][1]["requests"];
  EXPECT_GT(sent_a, 100);
  EXPECT_GT(sent_b, 100);
  EXPECT_EQ(sent_a + sent_b, 400);
  EXPECT_EQ(j["targets"][0]["errors"], 0);
  EXPECT_EQ(j["targets"][1]["errors"], 0);
  EXPECT_EQ(routed_total(a.url()), sent_a);
  EXPECT_EQ(routed_total(b.url()), sent_b);
  EXPECT_EQ(a.stop(SIGTERM), 0);
  EXPECT_EQ(b.stop(SIGTERM), 0);
}

TEST_F(LoadgenCliTest, VerifiesTheWholeLedgerThroughEveryUrl) {
  // One server named twice (repeated flag, one with a trailing '/'): like
  // the nodes of a cluster, each URL answers for every chat, so turns with
  // replies may use both and verification passes through each.
  server_process s({"--data-dir", dir_.file("srv")});
  ASSERT_FALSE(s.url().empty()) << s.line();
  auto r = loadgen({"--url", s.url(), "--url", s.url() + "/", "--chats", "60",
                    "--messages", "600", "--concurrency", "6", "--replies",
                    "0.3", "--verify", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("verify: ok"), std::string::npos) << r.err;
  auto j = last_line(r.out);
  EXPECT_EQ(j["acked"], 600) << r.out;
  ASSERT_EQ(j["targets"].size(), 2u) << r.out;
  EXPECT_EQ(j["targets"][1]["url"], s.url());
  EXPECT_GT(j["targets"][0]["requests"].get<long>(), 0);
  EXPECT_GT(j["targets"][1]["requests"].get<long>(), 0);

  // Two independent servers: each lacks what the other stored, and the
  // problems name the URL they were seen through.
  server_process other({"--data-dir", dir_.file("other")});
  ASSERT_FALSE(other.url().empty()) << other.line();
  auto split = loadgen({"--url", s.url() + "," + other.url(), "--chats", "20",
                        "--messages", "100", "--concurrency", "4", "--replies",
                        "0", "--verify", "--json"});
  EXPECT_EQ(split.exit_code, 1) << split.err;
  EXPECT_NE(split.err.find("verify: FAILED"), std::string::npos) << split.err;
  EXPECT_NE(split.err.find("  " + s.url() + ": session "), std::string::npos)
    << split.err;
  EXPECT_NE(split.err.find("  " + other.url() + ": session "),
            std::string::npos)
    << split.err;
  EXPECT_EQ(s.stop(SIGTERM), 0);
  EXPECT_EQ(other.stop(SIGTERM), 0);
}

TEST_F(LoadgenCliTest, PublishNeedsAUrl) {
  EXPECT_EQ(loadgen({"--embedded", "--publish"}).exit_code, 2);
}

} // namespace
} // namespace switchboard::testing
