// /v1/session-ids/ID/...

#include "api_test_util.hpp"

namespace switchboard::api::testing {
namespace {

class SessionIdsTest : public ApiTest {
protected:
  void SetUp() override {
    start();
    route("1", "first words");
    route("2");
  }
};

TEST_F(SessionIdsTest, GetByIdOrUniquePrefix) {
  auto r = get("/v1/session-ids/sess_1");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["id"], "sess_1");
  EXPECT_EQ(get("/v1/session-ids/sess_2").json()["id"], "sess_2");
  auto ambiguous = get("/v1/session-ids/sess_");
  EXPECT_EQ(ambiguous.status, 400);
  EXPECT_NE(ambiguous.error_message().find("ambiguous"), std::string::npos);
  EXPECT_EQ(get("/v1/session-ids/zzz").status, 404);
}

TEST_F(SessionIdsTest, PathLikeIdsAre400) {
  for (auto id : {"..%2F..", "..", "a%2Fb", "a%5Cb", "C%3A", "%2E%2E"}) {
    auto r = get(std::string{"/v1/session-ids/"} + id);
    EXPECT_EQ(r.status, 400) << id;
    EXPECT_EQ(r.error_code(), "bad_request") << id;
  }
  EXPECT_EQ(get("/v1/session-ids/" + std::string(65, 'a')).status, 400);
}

TEST_F(SessionIdsTest, TitleIsSanitizedAndConflictsAre409) {
  auto r = put("/v1/session-ids/sess_1/title", R"({"title": "  My   plan "})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["title"], "My plan");
  auto clash = put("/v1/session-ids/sess_2/title", R"({"title": "My plan"})");
  EXPECT_EQ(clash.status, 409);
  EXPECT_EQ(clash.error_code(), "conflict");
  nlohmann::json long_title{{"title", std::string(101, 'x')}};
  EXPECT_EQ(put("/v1/session-ids/sess_2/title", long_title.dump()).status, 400);
  EXPECT_EQ(put("/v1/session-ids/sess_2/title", R"({"name": "x"})").status,
            400);
  auto cleared = put("/v1/session-ids/sess_1/title", R"({"title": null})");
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_TRUE(cleared.json()["title"].is_null());
}

TEST_F(SessionIdsTest, MessagesStitchedAndExport) {
  auto plain = get("/v1/session-ids/sess_1/messages");
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_EQ(plain.json()["messages"].size(), 1u);
  auto stitched = get("/v1/session-ids/sess_1/messages?stitch=true");
  EXPECT_EQ(stitched.json()["messages"].size(), 2u);
  auto ex = get("/v1/session-ids/sess_1/export");
  ASSERT_EQ(ex.status, 200) << ex.body;
  EXPECT_EQ(ex.json()["messages"][0]["content"], "first words");
}

TEST_F(SessionIdsTest, ExportAsMarkdownAndRedacted) {
  route("3", "ring me on +1 555 123 4567");
  auto md = get("/v1/session-ids/sess_3/export?format=markdown");
  ASSERT_EQ(md.status, 200) << md.body;
  EXPECT_EQ(md.headers["content-type"].rfind("text/markdown", 0), 0u)
    << md.headers["content-type"];
  EXPECT_EQ(md.body.rfind("# Session sess_3\n", 0), 0u) << md.body;
  EXPECT_NE(md.body.find("## 1. User"), std::string::npos) << md.body;
  EXPECT_NE(md.body.find("+1 555 123 4567"), std::string::npos);
  auto red =
    get("/v1/session-ids/sess_3/export?format=markdown&redact_pii=true");
  ASSERT_EQ(red.status, 200) << red.body;
  EXPECT_EQ(red.body.find("555 123"), std::string::npos) << red.body;
  EXPECT_NE(red.body.find("ring me on user_"), std::string::npos) << red.body;
  auto json = get("/v1/session-ids/sess_3/export?format=json&redact_pii=1");
  ASSERT_EQ(json.status, 200) << json.body;
  EXPECT_EQ(json.body.find("555 123"), std::string::npos) << json.body;
  // The stored message is unchanged.
  EXPECT_EQ(
    get("/v1/session-ids/sess_3/export").json()["messages"][0]["content"],
    "ring me on +1 555 123 4567");
}

TEST_F(SessionIdsTest, ExportRejectsUnknownFormatAndBadRedactFlag) {
  auto bad = get("/v1/session-ids/sess_1/export?format=html");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.error_message(), "query.format: expected json or markdown");
  EXPECT_EQ(get("/v1/session-ids/sess_1/export?redact_pii=maybe").status, 400);
  EXPECT_EQ(get("/v1/session-ids/nope/export?format=markdown").status, 404);
}

TEST_F(SessionIdsTest, ExportIncludesRewrittenRowsOnlyWhenAsked) {
  auto rewrite = put("/v1/sessions/" + key_path("1") + "/transcript",
                     R"({"messages": [{"role": "user", "content": "new"}]})");
  ASSERT_EQ(rewrite.status, 200) << rewrite.body;
  auto plain = get("/v1/session-ids/sess_1/export");
  ASSERT_EQ(plain.status, 200) << plain.body;
  ASSERT_EQ(plain.json()["messages"].size(), 1u);
  EXPECT_EQ(plain.json()["messages"][0]["content"], "new");
  auto all = get("/v1/session-ids/sess_1/export?include_inactive=true");
  ASSERT_EQ(all.status, 200) << all.body;
  auto rows = all.json()["messages"];
  ASSERT_EQ(rows.size(), 2u) << all.body;
  EXPECT_EQ(rows[0]["content"], "first words");
  EXPECT_EQ(rows[0]["active"], 0);
  EXPECT_EQ(rows[1]["active"], 1);
  EXPECT_EQ(get("/v1/session-ids/sess_1/export?include_inactive=false")
              .json()["messages"]
              .size(),
            1u);
  auto md =
    get("/v1/session-ids/sess_1/export?format=markdown&include_inactive=true");
  EXPECT_EQ(md.status, 400);
  EXPECT_NE(md.error_message().find("query.include_inactive"),
            std::string::npos);
  EXPECT_EQ(get("/v1/session-ids/sess_1/export?include_inactive=2").status,
            400);
}

TEST_F(SessionIdsTest, DeleteTakesTheExactId) {
  auto r = http("DELETE", url("/v1/session-ids/sess_2"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["deleted"], true);
  EXPECT_EQ(http("DELETE", url("/v1/session-ids/sess_2")).status, 404);
  EXPECT_EQ(get("/v1/sessions/" + key_path("2")).status, 404);
}

} // namespace
} // namespace switchboard::api::testing
