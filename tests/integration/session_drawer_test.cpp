// The session drawer's server support through the real binary and engine:
// expiring one key now (POST /v1/sessions/KEY/expire: the flush hook, the
// finalized entry, the ended row, the events, and the refusals that change
// nothing), the rows a transcript rewrite replaced
// (GET /v1/session-ids/ID/export?include_inactive=true), and the children
// of a session (GET /v1/history?parent_session_id=).

#include "tests/support/data_dir_fixture.hpp"
#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace switchboard::testing {
namespace {

using json = nlohmann::json;

const std::string key_a = "agent:main:telegram:dm:a";
const std::string key_b = "agent:main:telegram:dm:b";

std::string path_of(const std::string& key) {
  std::string out;
  for (char c : key)
    out += c == ':' ? std::string{"%3A"} : std::string(1, c);
  return out;
}

class SessionDrawerTest : public ::testing::Test {
protected:
  /// serve --clock manual; the flush hook appends each payload to a file.
  void serve() {
    json cfg{{"flush",
              {{"hook", "command"},
               {"command", "cat >> " + hook_log() + "; echo >> " + hook_log()},
               {"min_messages", 2}}},
             {"expiry", {{"interval_seconds", 3600}}}};
    std::ofstream(dir_.file("config.json")) << cfg.dump();
    server_.emplace(std::vector<std::string>{"--data-dir", dir_.file("data"),
                                             "--clock", "manual", "--config",
                                             dir_.file("config.json")});
    ASSERT_FALSE(server_->url().empty()) << server_->line();
  }
  std::string hook_log() const { return dir_.file("flush.log"); }
  json call(const std::string& method, const std::string& path,
            const json& body = nullptr, long want = 200) {
    return json_call(server_->url(), method, path, body, want);
  }
  json say(const std::string& chat, const std::string& text) {
    return call("POST", "/v1/messages",
                {{"source", {{"platform", "telegram"}, {"chat_id", chat}}},
                 {"message", {{"role", "user"}, {"content", text}}}});
  }
  json expire(const std::string& key, const json& body = json::object(),
              long want = 200) {
    return call("POST", "/v1/sessions/" + path_of(key) + "/expire", body, want);
  }
  json entry(const std::string& key) {
    return call("GET", "/v1/sessions/" + path_of(key));
  }
  std::string hook_calls() {
    std::ifstream in(hook_log());
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  temp_dir dir_;
  std::optional<server_process> server_;
};

TEST_F(SessionDrawerTest, ExpireOneKeyFlushesFinalizesAndTellsTheFeed) {
  serve();
  auto first = say("a", "remember the blue door");
  say("a", "and the red one");
  say("b", "a bystander");
  std::string id = first["session_id"];

  auto r = expire(key_a, {{"session_id", id}});
  EXPECT_EQ(r, (json{{"session_key", key_a},
                     {"session_id", id},
                     {"reason", "manual"},
                     {"flushed", true},
                     {"flush_failed", false}}));
  // The flush hook ran first, with the reason; the entry is finalized and
  // the row ended with the reason; the bystander is untouched.
  auto payload = json::parse(hook_calls(), nullptr, false);
  ASSERT_TRUE(payload.is_object()) << hook_calls();
  EXPECT_EQ(payload["session_id"], id);
  EXPECT_EQ(payload["reason"], "manual");
  EXPECT_EQ(payload["message_count"], 2);
  EXPECT_EQ(entry(key_a)["expiry_finalized"], true);
  auto row = call("GET", "/v1/session-ids/" + id);
  EXPECT_EQ(row["end_reason"], "manual");
  EXPECT_FALSE(row["ended_at"].is_null());
  EXPECT_EQ(entry(key_b)["expiry_finalized"], false);
  json expired{
    {"reason", "manual"}, {"session_id", id}, {"session_key", key_a}};
  auto feed =
    read_stream_until(server_->url() + "/v1/events?last_event_id=0&types="
                                       "memory_flush,session_expired",
                      "data: " + expired.dump() + "\n");
  auto flush_at = feed.find("event: memory_flush");
  ASSERT_NE(flush_at, std::string::npos) << feed;
  EXPECT_LT(flush_at, feed.find("event: session_expired")) << feed;

  // The next message starts a new session, as after a sweep.
  auto next = say("a", "hello again");
  EXPECT_NE(next["session_id"], id);
  EXPECT_EQ(next["was_auto_reset"], true);
}

TEST_F(SessionDrawerTest, RefusalsChangeNothing) {
  serve();
  std::string id = say("a", "one")["session_id"];
  auto unknown = expire("agent:main:telegram:dm:nobody", json::object(), 404);
  EXPECT_EQ(unknown["error"]["code"], "not_found");
  auto moved = expire(key_a, {{"session_id", "20200101_000000_00000000"}}, 409);
  EXPECT_NE(moved["error"]["message"].get<std::string>().find(id),
            std::string::npos)
    << moved;
  call("POST", "/v1/sessions/" + path_of(key_a) + "/busy",
       {{"busy", true}, {"ttl_seconds", 600}});
  auto busy = expire(key_a, json::object(), 409);
  EXPECT_NE(busy["error"]["message"].get<std::string>().find("busy"),
            std::string::npos)
    << busy;
  EXPECT_EQ(entry(key_a)["expiry_finalized"], false);
  EXPECT_TRUE(call("GET", "/v1/session-ids/" + id)["ended_at"].is_null());
  call("POST", "/v1/sessions/" + path_of(key_a) + "/busy", {{"busy", false}});
  expire(key_a);
  auto again = expire(key_a, json::object(), 409);
  EXPECT_NE(again["error"]["message"].get<std::string>().find("already"),
            std::string::npos)
    << again;
  EXPECT_EQ(hook_calls(), ""); // one message: below flush.min_messages
}

TEST_F(SessionDrawerTest, ADueSessionEndsWithItsPolicyReason) {
  serve();
  std::string id = say("a", "one")["session_id"];
  say("a", "two");
  call("POST", "/v1/admin/clock", {{"advance_seconds", 2 * 86400}});
  auto r = expire(key_a);
  EXPECT_EQ(r["reason"], "idle");
  EXPECT_EQ(call("GET", "/v1/session-ids/" + id)["end_reason"], "idle");
  EXPECT_EQ(json::parse(hook_calls(), nullptr, false)["reason"], "idle");
  // A sweep afterwards finds nothing left to do for it.
  EXPECT_EQ(call("POST", "/v1/admin/expire", json::object())["expired"], 0);
}

TEST_F(SessionDrawerTest, ExportShowsRewrittenRowsOnlyWhenAsked) {
  serve();
  std::string id = say("a", "draft one")["session_id"];
  say("a", "draft two");
  call("PUT", "/v1/sessions/" + path_of(key_a) + "/transcript",
       {{"messages", {{{"role", "user"}, {"content", "final"}}}}});
  auto plain = call("GET", "/v1/session-ids/" + id + "/export");
  ASSERT_EQ(plain["messages"].size(), 1u) << plain;
  EXPECT_EQ(plain["messages"][0]["content"], "final");
  auto all =
    call("GET", "/v1/session-ids/" + id + "/export?include_inactive=true");
  auto rows = all["messages"];
  ASSERT_EQ(rows.size(), 3u) << all;
  EXPECT_EQ(rows[0]["content"], "draft one");
  EXPECT_EQ(rows[1]["content"], "draft two");
  for (int i : {0, 1}) {
    EXPECT_EQ(rows[i]["active"], 0) << rows[i];
    EXPECT_TRUE(rows[i]["replaced_by"].is_number_integer()) << rows[i];
  }
  EXPECT_EQ(rows[2]["content"], "final");
  EXPECT_EQ(rows[2]["active"], 1);
  EXPECT_EQ(all["message_count"], 1); // the counters count active rows
}

TEST_F(SessionDrawerTest, HistoryListsTheChildrenOfASession) {
  auto data = dir_.file("data");
  std::filesystem::create_directories(data);
  ASSERT_EQ(fill_lineage_data_dir(data), "");
  serve();
  auto kids =
    call("GET", "/v1/history?parent_session_id=20260301_000000_aaaa0001");
  ASSERT_EQ(kids["sessions"].size(), 1u) << kids;
  EXPECT_EQ(kids["sessions"][0]["id"], "20260301_010000_bbbb0002");
  EXPECT_EQ(kids["sessions"][0]["title"], "plan #2");
  auto none =
    call("GET", "/v1/history?parent_session_id=20260301_010000_bbbb0002");
  EXPECT_EQ(none["sessions"].size(), 0u) << none;
  EXPECT_EQ(call("GET", "/v1/history")["sessions"].size(), 3u);
}

} // namespace
} // namespace switchboard::testing
