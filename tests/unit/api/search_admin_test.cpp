// /v1/history, /v1/search and /v1/admin/...

#include "api_test_util.hpp"

namespace switchboard::api::testing {
namespace {

class SearchTest : public ApiTest {
protected:
  void SetUp() override {
    start();
    route("1", "deploy the chat-send fix");
  }
};

TEST_F(SearchTest, SearchPassesItsFilters) {
  auto r = get("/v1/search?q=chat-send&sources=telegram,slack&roles=user"
               "&limit=5&offset=1&sort=newest");
  ASSERT_EQ(r.status, 200) << r.body;
  auto q = *eng_.last().search;
  EXPECT_EQ(q.text, "chat-send");
  EXPECT_EQ(q.sources, (std::vector<std::string>{"telegram", "slack"}));
  EXPECT_EQ(q.roles, std::vector<std::string>{"user"});
  EXPECT_EQ(q.limit, 5);
  EXPECT_EQ(q.offset, 1);
  EXPECT_EQ(q.order, core::search_order::newest);
  EXPECT_EQ(get("/v1/search?q=chat-send").json()["results"].size(), 1u);
}

TEST_F(SearchTest, HostileQueriesAreNever500) {
  for (auto q : {"%22%28%2A%5E", "fail", "AND", "%2A%2A%2A", "NEAR%28",
                 "a%22b%22%22"}) {
    auto r = get(std::string{"/v1/search?q="} + q);
    EXPECT_EQ(r.status, 200) << q;
    EXPECT_TRUE(r.json()["results"].is_array()) << q;
  }
}

TEST_F(SearchTest, BadSearchParametersAre400) {
  for (auto q : {"sort=random", "roles=admin", "limit=-5", "offset=x",
                 "limit=1001"})
    EXPECT_EQ(get(std::string{"/v1/search?q=a&"} + q).status, 400) << q;
}

TEST_F(SearchTest, History) {
  auto r = get("/v1/history?source=telegram&exclude_sources=cron,x&limit=3");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["sessions"].size(), 1u);
  auto q = *eng_.last().history;
  EXPECT_EQ(q.source, "telegram");
  EXPECT_EQ(q.exclude_sources, (std::vector<std::string>{"cron", "x"}));
  EXPECT_EQ(q.limit, 3);
  EXPECT_EQ(q.user_id, std::nullopt);
  EXPECT_EQ(get("/v1/history?limit=abc").status, 400);
}

TEST_F(SearchTest, UserAndKeyScopes) {
  ASSERT_EQ(
    get("/v1/search?q=a&user_id=42&session_key=agent%3Amain%3Ax").status, 200);
  auto q = *eng_.last().search;
  EXPECT_EQ(q.user_id, "42");
  EXPECT_EQ(q.session_key, "agent:main:x");
  ASSERT_EQ(get("/v1/history?user_id=42").status, 200);
  EXPECT_EQ(eng_.last().history->user_id, "42");
  EXPECT_EQ(eng_.last().history->session_key, std::nullopt);
  for (const char* q :
       {"/v1/search?q=a&user_id=", "/v1/history?session_key="}) {
    auto r = get(q);
    EXPECT_EQ(r.status, 400) << q;
    EXPECT_NE(r.body.find("query."), std::string::npos) << r.body;
  }
}

TEST_F(SearchTest, ExpireAndPrune) {
  auto e = post("/v1/admin/expire", "");
  ASSERT_EQ(e.status, 200) << e.body;
  EXPECT_EQ(e.json(), (nlohmann::json{{"expired", 2}, {"flushed", 1},
                                      {"flush_failed", 0}}));
  auto p = post("/v1/admin/prune",
                R"({"older_than_days": 90, "source": null})");
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_EQ(p.json()["pruned"], 3);
  EXPECT_EQ(eng_.last().prune_days, 90.0);
  EXPECT_FALSE(eng_.last().prune_source.has_value());
  EXPECT_EQ(post("/v1/admin/prune", R"({"source": "x"})").status, 400);
  EXPECT_EQ(post("/v1/admin/prune", R"({"older_than_days": -1})").status, 400);
}

TEST_F(SearchTest, ClockIs404WithoutManualClock) {
  auto r = post("/v1/admin/clock", R"({"advance_seconds": 60})");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.error_code(), "not_found");
}

class ClockTest : public ApiTest {
protected:
  void SetUp() override {
    server_options o;
    o.clock = &clock_;
    start(o);
  }
  core::manual_clock clock_{core::time_point{}};
};

TEST_F(ClockTest, AdvanceAndSet) {
  auto r = post("/v1/admin/clock", R"({"advance_seconds": 90000})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["now"], "1970-01-02T01:00:00.000000Z");
  auto s = post("/v1/admin/clock", R"({"set": "2026-11-22T04:00:00"})");
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_EQ(s.json()["now"], "2026-11-22T04:00:00.000000Z"); // zone UTC
  EXPECT_EQ(post("/v1/admin/clock", R"({"set": "tomorrow"})").status, 400);
  EXPECT_EQ(post("/v1/admin/clock", R"({})").status, 400);
  EXPECT_EQ(post("/v1/admin/clock", R"({"advance_seconds": -5})").status,
            400);
}

} // namespace
} // namespace switchboard::api::testing
