// /v1/sessions and /v1/sessions/KEY/...

#include "api_test_util.hpp"

namespace switchboard::api::testing {
namespace {

class SessionsTest : public ApiTest {
protected:
  void SetUp() override {
    start();
    route("99");
  }
  std::string key_url(const std::string& tail = "") {
    return "/v1/sessions/" + key_path("99") + tail;
  }
};

TEST_F(SessionsTest, GetEntryDecodesThePercentEncodedKey) {
  auto r = get(key_url());
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  EXPECT_EQ(j["session_key"], "agent:main:telegram:dm:99");
  EXPECT_EQ(j["origin"]["platform"], "telegram");
  EXPECT_TRUE(j["created_at"].is_string());
}

TEST_F(SessionsTest, UnknownKeyIs404InvalidKeyIs400) {
  auto r = get("/v1/sessions/" + key_path("nobody"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.error_code(), "not_found");
  auto bad = get("/v1/sessions/agent%01main");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(get("/v1/sessions/%zz").status, 400);
}

TEST_F(SessionsTest, ListSessionsValidatesItsQuery) {
  auto r = get("/v1/sessions?active_minutes=60&limit=10&offset=0");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["sessions"].size(), 1u);
  EXPECT_TRUE(eng_.last().list->active_since.has_value());
  EXPECT_EQ(eng_.last().list->limit, 10);
  for (auto q : {"limit=-1", "limit=abc", "limit=5000", "offset=1.5",
                 "active_minutes=x"})
    EXPECT_EQ(get(std::string{"/v1/sessions?"} + q).status, 400) << q;
}

TEST_F(SessionsTest, AppendPassesItsRequestId) {
  auto with_id = post(key_url("/messages"), R"({"role": "assistant",
    "content": "x", "request_id": "turn-1", "platform_message_id": "p"})");
  ASSERT_EQ(with_id.status, 200) << with_id.body;
  EXPECT_EQ(eng_.last().append_request_id, "turn-1");
  auto bad =
    post(key_url("/messages"), R"({"role": "assistant", "request_id": "a b"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("request_id: expected"), std::string::npos);
}

TEST_F(SessionsTest, AppendUsageAndTranscript) {
  auto m = post(key_url("/messages"),
                R"({"role": "assistant", "content": "hi there"})");
  ASSERT_EQ(m.status, 200) << m.body;
  EXPECT_EQ(m.json()["session_id"], "sess_1");
  EXPECT_EQ(m.json()["message_id"], 2);
  EXPECT_EQ(m.json()["duplicate"], false);
  EXPECT_EQ(eng_.last().append_request_id, std::nullopt);
  EXPECT_EQ(post(key_url("/messages"), R"({"role": "robot"})").status, 400);

  auto u =
    post(key_url("/usage"), R"({"input_tokens": 10, "output_tokens": 5})");
  ASSERT_EQ(u.status, 200) << u.body;
  EXPECT_EQ(u.json()["input_tokens"], 10);
  EXPECT_EQ(post(key_url("/usage"), R"({"input_tokens": "ten"})").status, 400);

  auto t = get(key_url("/transcript"));
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(t.json()["session_id"], "sess_1");
  EXPECT_EQ(t.json()["messages"].size(), 2u);
  EXPECT_EQ(t.json()["messages"][1]["content"], "hi there");
}

TEST_F(SessionsTest, RewriteTranscript) {
  auto r = put(key_url("/transcript"),
               R"({"messages": [{"role": "user", "content": "only"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["message_count"], 1);
  auto bad = put(key_url("/transcript"),
                 R"({"messages": [{"role": "user", "extra": 1}]})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.error_message().find("messages[0]"), std::string::npos);
  EXPECT_EQ(put(key_url("/transcript"), R"({"messages": 3})").status, 400);
}

TEST_F(SessionsTest, ResetSwitchBusy) {
  auto r = post(key_url("/reset"), R"({"title": "fresh"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["session_id"], "sess_2");
  EXPECT_EQ(eng_.last().reset_title, "fresh");
  EXPECT_EQ(post(key_url("/reset"), "").status, 200);

  auto s = post(key_url("/switch"), R"({"session_id": "sess_1"})");
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_EQ(s.json()["session_id"], "sess_1");
  EXPECT_EQ(
    post(key_url("/switch"), R"({"session_id": "a", "title": "b"})").status,
    400);
  EXPECT_EQ(post(key_url("/switch"), R"({"session_id": "../etc"})").status,
            400);
  EXPECT_EQ(post(key_url("/switch"), R"({"session_id": "nope"})").status, 404);
  EXPECT_EQ(eng_.last().switch_target->scope, core::switch_scope::key);
  EXPECT_EQ(
    post(key_url("/switch"), R"({"session_id": "sess_1", "scope": "user"})")
      .status,
    200);
  EXPECT_EQ(eng_.last().switch_target->scope, core::switch_scope::user);
  auto scope =
    post(key_url("/switch"), R"({"session_id": "sess_1", "scope": "all"})");
  EXPECT_EQ(scope.status, 400);
  EXPECT_NE(scope.body.find("scope: expected one of key, user"),
            std::string::npos);

  auto b = post(key_url("/busy"), R"({"busy": true, "ttl_seconds": 60})");
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_TRUE(b.json()["busy_until"].is_string());
  EXPECT_EQ(eng_.last().busy_ttl, 60.0);
  EXPECT_EQ(post(key_url("/busy"), R"({"ttl_seconds": 60})").status, 400);
  EXPECT_EQ(post(key_url("/busy"), R"({"busy": 1})").status, 400);
}

TEST_F(SessionsTest, ExpireOneKey) {
  auto r = post(key_url("/expire"), "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json(),
            (nlohmann::json{{"session_key", "agent:main:telegram:dm:99"},
                            {"session_id", "sess_1"},
                            {"reason", "manual"},
                            {"flushed", true},
                            {"flush_failed", false}}));
  EXPECT_EQ(eng_.last().expire_key, "agent:main:telegram:dm:99");
  EXPECT_EQ(eng_.last().expire_session_id, std::nullopt);
  auto again = post(key_url("/expire"), R"({"session_id": "sess_1"})");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.error_code(), "conflict");
  EXPECT_EQ(eng_.last().expire_session_id, "sess_1");
  auto unknown = post("/v1/sessions/" + key_path("404") + "/expire", "{}");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.error_code(), "not_found");
  for (const char* body : {R"({"session": "x"})", R"({"session_id": "../x"})",
                           R"({"session_id": 7})", "[1]"}) {
    auto bad = post(key_url("/expire"), body);
    EXPECT_EQ(bad.status, 400) << body;
    EXPECT_EQ(bad.error_code(), "bad_request") << body;
  }
}

TEST_F(SessionsTest, ContextPrompt) {
  auto r = get(key_url("/context?redact_pii=true"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto prompt = r.json()["prompt"].get<std::string>();
  EXPECT_FALSE(prompt.empty());
  auto plain = get(key_url("/context")).json()["prompt"].get<std::string>();
  EXPECT_NE(plain.find("99"), std::string::npos) << plain;
  EXPECT_NE(prompt, plain); // the chat id is redacted on telegram
  EXPECT_EQ(get(key_url("/context?redact_pii=maybe")).status, 400);
}

} // namespace
} // namespace switchboard::api::testing
