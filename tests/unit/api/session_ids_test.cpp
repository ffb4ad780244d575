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
  EXPECT_EQ(put("/v1/session-ids/sess_2/title", long_title.dump()).status,
            400);
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

TEST_F(SessionIdsTest, DeleteTakesTheExactId) {
  auto r = http("DELETE", url("/v1/session-ids/sess_2"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["deleted"], true);
  EXPECT_EQ(http("DELETE", url("/v1/session-ids/sess_2")).status, 404);
  EXPECT_EQ(get("/v1/sessions/" + key_path("2")).status, 404);
}

} // namespace
} // namespace switchboard::api::testing
