// Exactly once under retries and redelivery (SPEC 12, issue 13) with the
// real binary: request_id repeats (concurrent, later, after a SIGTERM
// restart, after a kill -9 right after the ack), platform_message_id
// redelivery, repeated ids inside one batch, appends, and the counter in
// /metrics.

#include "tests/support/process.hpp"
#include "tests/support/reliability_util.hpp"
#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <thread>

namespace switchboard::testing {
namespace {

using json = nlohmann::json;

json route(const std::string& chat, const std::string& text,
           const std::optional<std::string>& request_id,
           const std::optional<std::string>& platform_id = std::nullopt) {
  auto j = json::parse(route_body(chat, text));
  if (request_id)
    j["request_id"] = *request_id;
  if (platform_id)
    j["message"]["platform_message_id"] = *platform_id;
  return j;
}

class ExactlyOnceTest : public ::testing::Test {
protected:
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string db() const { return dir_ + "/state.db"; }
  std::string messages() const {
    return sqlite_scalar(db(), "SELECT count(*) FROM messages");
  }
  std::unique_ptr<server_process> start(std::vector<std::string> extra = {}) {
    extra.insert(extra.end(), {"--data-dir", dir_});
    return std::make_unique<server_process>(extra);
  }
  std::string dir_ = make_temp_dir();
};

TEST_F(ExactlyOnceTest, FiftyConcurrentRepeatsStoreOneMessage) {
  auto s = start();
  ASSERT_FALSE(s->url().empty());
  auto body = route("1", "only once", "req-50").dump();
  std::vector<json> replies(50);
  std::vector<std::thread> clients;
  for (std::size_t i = 0; i < replies.size(); ++i)
    clients.emplace_back([&, i] {
      replies[i] = parse(http("POST", s->url() + "/v1/messages", body));
    });
  for (auto& t : clients)
    t.join();
  int firsts = 0;
  for (const auto& r : replies) {
    ASSERT_TRUE(r.contains("message_id")) << r.dump();
    EXPECT_EQ(r["message_id"], replies[0]["message_id"]);
    EXPECT_EQ(r["session_id"], replies[0]["session_id"]);
    firsts += r["duplicate"] == false ? 1 : 0;
  }
  EXPECT_EQ(firsts, 1);
  EXPECT_EQ(messages(), "1");
  auto metrics = http("GET", s->url() + "/metrics").body;
  EXPECT_NE(metrics.find("switchboard_duplicates_total 49"), std::string::npos)
    << metrics;
}

TEST_F(ExactlyOnceTest, OneIdOnManyKeysConcurrentlyIsAppliedOnce) {
  auto s = start();
  ASSERT_FALSE(s->url().empty());
  std::vector<json> replies(20);
  std::vector<std::thread> clients;
  for (std::size_t i = 0; i < replies.size(); ++i)
    clients.emplace_back([&, i] {
      auto body = route(std::to_string(i), "x", "shared-id").dump();
      replies[i] = parse(http("POST", s->url() + "/v1/messages", body));
    });
  for (auto& t : clients)
    t.join();
  int firsts = 0;
  for (const auto& r : replies) {
    EXPECT_EQ(r["message_id"], replies[0]["message_id"]) << r.dump();
    firsts += r["duplicate"] == false ? 1 : 0;
  }
  EXPECT_EQ(firsts, 1);
  EXPECT_EQ(messages(), "1");
  EXPECT_EQ(sqlite_scalar(db(), "SELECT count(*) FROM session_entries"), "1");
}

TEST_F(ExactlyOnceTest, RepeatAfterSigtermRestartIsADuplicate) {
  auto s = start();
  ASSERT_FALSE(s->url().empty());
  auto first = parse(http("POST", s->url() + "/v1/messages",
                          route("1", "hello", "restart-1").dump()));
  ASSERT_EQ(first["duplicate"], false) << first.dump();
  EXPECT_EQ(first["created"], true);
  ASSERT_EQ(s->stop(SIGTERM), 0);
  s = start();
  ASSERT_FALSE(s->url().empty());
  // A different body: the id decides (SPEC 12).
  auto again = parse(http("POST", s->url() + "/v1/messages",
                          route("1", "hello, edited", "restart-1").dump()));
  EXPECT_EQ(again["duplicate"], true) << again.dump();
  first["duplicate"] = true;
  EXPECT_EQ(again, first); // the first reply, created: true included
  EXPECT_EQ(messages(), "1");
}

TEST_F(ExactlyOnceTest, RepeatAfterKillNineRightAfterTheAckIsADuplicate) {
  auto s = start();
  ASSERT_FALSE(s->url().empty());
  for (int round = 0; round < 3; ++round) {
    auto id = "crash-" + std::to_string(round);
    auto first = parse(
      http("POST", s->url() + "/v1/messages", route("1", "m" + id, id).dump()));
    ASSERT_EQ(first["duplicate"], false) << first.dump();
    s->stop(SIGKILL); // as soon as the ack is in
    s = start();
    ASSERT_FALSE(s->url().empty());
    auto again = parse(
      http("POST", s->url() + "/v1/messages", route("1", "m" + id, id).dump()));
    EXPECT_EQ(again["duplicate"], true) << again.dump();
    EXPECT_EQ(again["message_id"], first["message_id"]);
  }
  EXPECT_EQ(messages(), "3");
}

TEST_F(ExactlyOnceTest, PlatformMessageIdRedeliveryIsStoredOnce) {
  auto s = start();
  ASSERT_FALSE(s->url().empty());
  auto first = parse(http("POST", s->url() + "/v1/messages",
                          route("1", "hi", std::nullopt, "tg-77").dump()));
  auto again = parse(http("POST", s->url() + "/v1/messages",
                          route("1", "hi", std::nullopt, "tg-77").dump()));
  EXPECT_EQ(first["duplicate"], false);
  EXPECT_EQ(again["duplicate"], true) << again.dump();
  EXPECT_EQ(again["message_id"], first["message_id"]);
  EXPECT_EQ(again["session_id"], first["session_id"]);
  auto other = parse(http("POST", s->url() + "/v1/messages",
                          route("2", "hi", std::nullopt, "tg-77").dump()));
  EXPECT_EQ(other["duplicate"], false) << other.dump(); // another key
  EXPECT_NE(other["message_id"], first["message_id"]);
  EXPECT_EQ(messages(), "2");
  EXPECT_EQ(sqlite_scalar(db(), "SELECT count(*) FROM messages WHERE "
                                "platform_message_id = 'tg-77'"),
            "2");
  // Appends check the same rule on the key's current session.
  auto app = http("POST", s->url() + key_path("1") + "/messages",
                  R"({"role": "user", "content": "hi",
                      "platform_message_id": "tg-77"})");
  EXPECT_EQ(parse(app)["duplicate"], true) << app.body;
  EXPECT_EQ(messages(), "2");
}

TEST_F(ExactlyOnceTest, BatchWithRepeatedIdsAppliesEachIdOnce) {
  auto s = start();
  ASSERT_FALSE(s->url().empty());
  json items = json::array({route("1", "a", "x"), route("2", "b", "x"),
                            route("1", "c", "y"), route("1", "d", "y"),
                            route("3", "e", std::nullopt, "p1"),
                            route("3", "f", std::nullopt, "p1")});
  auto r = http("POST", s->url() + "/v1/messages:batch",
                json{{"items", items}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  auto res = parse(r)["results"];
  ASSERT_EQ(res.size(), 6u) << r.body;
  // Items 0 and 1 (different keys) race: either may be the first.
  EXPECT_NE(res[0]["duplicate"], res[1]["duplicate"]) << r.body;
  EXPECT_EQ(res[1]["message_id"], res[0]["message_id"]);
  EXPECT_EQ(res[1]["session_key"], res[0]["session_key"]); // the first reply
  // Same key: applied in order.
  std::vector<bool> dup;
  for (std::size_t i = 2; i < res.size(); ++i)
    dup.push_back(res[i]["duplicate"].get<bool>());
  EXPECT_EQ(dup, (std::vector<bool>{false, true, false, true}));
  EXPECT_EQ(res[3]["message_id"], res[2]["message_id"]);
  EXPECT_EQ(res[5]["message_id"], res[4]["message_id"]);
  EXPECT_EQ(messages(), "3");
}

TEST_F(ExactlyOnceTest, AppendWithRequestIdIsAppliedOnce) {
  auto s = start();
  ASSERT_FALSE(s->url().empty());
  ASSERT_EQ(
    http("POST", s->url() + "/v1/messages", route("1", "u", {}).dump()).status,
    200);
  auto body = R"({"role": "assistant", "content": "answer",
                  "request_id": "turn-1:reply"})";
  auto first =
    parse(http("POST", s->url() + key_path("1") + "/messages", body));
  auto again =
    parse(http("POST", s->url() + key_path("1") + "/messages", body));
  EXPECT_EQ(first["duplicate"], false) << first.dump();
  EXPECT_EQ(again["duplicate"], true) << again.dump();
  EXPECT_EQ(again["message_id"], first["message_id"]);
  EXPECT_EQ(messages(), "2");
}

TEST_F(ExactlyOnceTest, ADuplicateNeverMovesUpdatedAt) {
  auto s = start({"--clock", "manual"});
  ASSERT_FALSE(s->url().empty());
  http("POST", s->url() + "/v1/messages", route("1", "a", "t-1").dump());
  auto before = parse(http("GET", s->url() + key_path("1")))["updated_at"];
  http("POST", s->url() + "/v1/admin/clock", R"({"advance_seconds": 60})");
  auto dup = parse(
    http("POST", s->url() + "/v1/messages", route("1", "a", "t-1").dump()));
  ASSERT_EQ(dup["duplicate"], true);
  EXPECT_EQ(parse(http("GET", s->url() + key_path("1")))["updated_at"], before);
}

TEST_F(ExactlyOnceTest, BadIdsAreRejectedNamingTheField) {
  auto s = start();
  ASSERT_FALSE(s->url().empty());
  for (const auto& bad :
       {json("has space"), json(""), json(7), json(std::string(129, 'a'))}) {
    auto body = route("1", "x", {});
    body["request_id"] = bad;
    auto r = http("POST", s->url() + "/v1/messages", body.dump());
    EXPECT_EQ(r.status, 400) << bad.dump();
    EXPECT_NE(r.body.find("request_id"), std::string::npos) << r.body;
  }
  auto batch = http("POST", s->url() + "/v1/messages:batch",
                    R"({"items": [{"source": {"platform": "telegram"},
                        "request_id": "a/b"}]})");
  EXPECT_NE(batch.body.find("items[0].request_id"), std::string::npos)
    << batch.body;
  auto pmid = route("1", "x", {}, "");
  auto r = http("POST", s->url() + "/v1/messages", pmid.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("message.platform_message_id"), std::string::npos);
  EXPECT_EQ(messages(), "0");
}

} // namespace
} // namespace switchboard::testing
