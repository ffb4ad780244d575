// POST /v1/messages and /v1/messages:batch, and strict body decoding.

#include "api_test_util.hpp"

namespace switchboard::api::testing {
namespace {

class RoutingTest : public ApiTest {
protected:
  void SetUp() override { start(); }
};

TEST_F(RoutingTest, RouteReplyHasEveryFieldOfApiMd) {
  auto j = route("99");
  EXPECT_EQ(j["session_key"], "agent:main:telegram:dm:99");
  EXPECT_EQ(j["session_id"], "sess_1");
  EXPECT_EQ(j["created"], true);
  EXPECT_EQ(j["was_auto_reset"], false);
  EXPECT_TRUE(j["auto_reset_reason"].is_null());
  EXPECT_EQ(j["reset_had_activity"], false);
  EXPECT_EQ(j["message_id"], 1);
  EXPECT_EQ(j["duplicate"], false);
  auto again = route("99");
  EXPECT_EQ(again["created"], false);
  EXPECT_EQ(again["session_id"], "sess_1");
}

TEST_F(RoutingTest, RequestIdIsPassedOnAndChecked) {
  auto r = post("/v1/messages", R"({"source": {"platform": "slack"},
    "request_id": "slack:Ev01.2-3_x"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(eng_.last().route_request_id, "slack:Ev01.2-3_x");
  auto bad = post("/v1/messages", R"({"source": {"platform": "slack"},
    "request_id": "a b"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("request_id: expected 1-128"), std::string::npos)
    << bad.body;
  auto item = post("/v1/messages:batch", R"({"items": [
    {"source": {"platform": "slack"}, "request_id": ""}]})");
  ASSERT_EQ(item.status, 200) << item.body;
  EXPECT_NE(item.body.find("items[0].request_id"), std::string::npos)
    << item.body;
}

TEST_F(RoutingTest, WithoutMessageTheMessageIdIsNull) {
  auto r = post("/v1/messages", R"({"source": {"platform": "slack"}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json()["message_id"].is_null());
}

TEST_F(RoutingTest, ResetReasonIsReportedByName) {
  route("5");
  auto r = post("/v1/messages", R"({"source": {"platform": "telegram",
    "chat_id": "5"}, "force_new": true})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["auto_reset_reason"], "idle");
  EXPECT_EQ(r.json()["was_auto_reset"], true);
}

TEST_F(RoutingTest, BadBodiesAre400WithTheErrorShape) {
  const std::vector<std::pair<std::string, std::string>> cases = {
    {"{\"source\": ", "malformed"},
    {"[1, 2]", "expected object"},
    {"", "expected a JSON object"},
    {R"({"source": {"platform": "telegram"}, "colour": 1})", "colour"},
    {R"({"source": {"platform": "telegram", "colour": 1}})", "colour"},
    {R"({"source": {"platform": 7}})", "source.platform"},
    {R"({"source": {"platform": "telegram"}, "force_new": "yes"})",
     "force_new: expected boolean"},
    {R"({"message": {"role": "user"}})", "source: required"},
    {R"({"source": {"platform": "telegram"}, "message": {"role": "x"}})",
     "message.role"},
  };
  for (const auto& [body, needle] : cases) {
    auto r = post("/v1/messages", body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(r.error_code(), "bad_request") << body;
    EXPECT_NE(r.error_message().find(needle), std::string::npos)
      << body << " -> " << r.error_message();
  }
}

TEST_F(RoutingTest, InvalidUtf8Is400) {
  auto r = post("/v1/messages",
                "{\"source\": {\"platform\": \"telegram\", \"user_name\": "
                "\"\xff\xfe\"}}");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.error_message().find("UTF-8"), std::string::npos);
}

TEST_F(RoutingTest, DeepNestingIs400) {
  std::string deep(10000, '[');
  deep += std::string(10000, ']');
  auto r = post("/v1/messages", deep);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.error_message().find("nested"), std::string::npos);
}

TEST_F(RoutingTest, OversizedStringIs400) {
  nlohmann::json body{
    {"source",
     {{"platform", "telegram"}, {"user_name", std::string(300, 'a')}}}};
  auto r = post("/v1/messages", body.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.error_message().find("source.user_name"), std::string::npos);
}

TEST_F(RoutingTest, TwoMebibyteBodyIs413) {
  nlohmann::json body{
    {"source", {{"platform", "telegram"}}},
    {"message",
     {{"role", "user"}, {"content", std::string(2 * 1024 * 1024, 'x')}}}};
  auto r = post("/v1/messages", body.dump());
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.error_code(), "payload_too_large");
}

TEST_F(RoutingTest, BatchAnswersEachItemInOrder) {
  auto r = post("/v1/messages:batch", R"({"items": [
    {"source": {"platform": "telegram", "chat_id": "1"},
     "message": {"role": "user", "content": "a"}},
    {"source": {"platform": "telegram", "chat_id": "2", "bogus": true}},
    {"source": {"platform": "telegram", "chat_id": "1"},
     "message": {"role": "user", "content": "b"}}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto results = r.json()["results"];
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0]["message_id"], 1);
  EXPECT_EQ(results[1]["error"]["code"], "bad_request");
  EXPECT_NE(results[1]["error"]["message"].get<std::string>().find("items[1]"),
            std::string::npos);
  EXPECT_EQ(results[2]["message_id"], 2);
  EXPECT_EQ(results[2]["session_id"], results[0]["session_id"]);
}

TEST_F(RoutingTest, BatchEnvelopeIsValidated) {
  EXPECT_EQ(post("/v1/messages:batch", R"({"items": {}})").status, 400);
  EXPECT_EQ(post("/v1/messages:batch", R"({"things": []})").status, 400);
  nlohmann::json big{{"items", nlohmann::json::array()}};
  for (int i = 0; i < 1001; ++i)
    big["items"].push_back({{"source", {{"platform", "x"}}}});
  auto r = post("/v1/messages:batch", big.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.error_message().find("1000"), std::string::npos);
  auto empty = post("/v1/messages:batch", R"({"items": []})");
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(empty.json()["results"], nlohmann::json::array());
}

TEST_F(RoutingTest, OverloadIs503WithRetryAfter) {
  eng_.overload_next();
  auto r = post("/v1/messages", R"({"source": {"platform": "telegram"}})");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.error_code(), "overloaded");
  EXPECT_EQ(r.headers["retry-after"], "1");
}

} // namespace
} // namespace switchboard::api::testing
