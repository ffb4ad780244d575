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
  for (auto q :
       {"%22%28%2A%5E", "fail", "AND", "%2A%2A%2A", "NEAR%28", "a%22b%22%22"}) {
    auto r = get(std::string{"/v1/search?q="} + q);
    EXPECT_EQ(r.status, 200) << q;
    EXPECT_TRUE(r.json()["results"].is_array()) << q;
  }
}

TEST_F(SearchTest, BadSearchParametersAre400) {
  for (auto q :
       {"sort=random", "roles=admin", "limit=-5", "offset=x", "limit=1001"})
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

TEST_F(SearchTest, HistoryFiltersByParentSession) {
  ASSERT_EQ(
    get("/v1/history?parent_session_id=20260101_000000_aaaa1111").status, 200);
  EXPECT_EQ(eng_.last().history->parent_session_id, "20260101_000000_aaaa1111");
  ASSERT_EQ(get("/v1/history").status, 200);
  EXPECT_EQ(eng_.last().history->parent_session_id, std::nullopt);
  for (const char* q : {"/v1/history?parent_session_id=",
                        "/v1/history?parent_session_id=..%2Fx"}) {
    auto r = get(q);
    EXPECT_EQ(r.status, 400) << q;
    EXPECT_NE(r.error_message().find("query.parent_session_id"),
              std::string::npos)
      << r.body;
  }
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
  EXPECT_EQ(e.json(), (nlohmann::json{
                        {"expired", 2}, {"flushed", 1}, {"flush_failed", 0}}));
  auto p =
    post("/v1/admin/prune", R"({"older_than_days": 90, "source": null})");
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_EQ(p.json()["pruned"], 1003);
  EXPECT_EQ(p.json()["dry_run"], false);
  // The reply lists the first 1000 ids (API.md).
  ASSERT_EQ(p.json()["session_ids"].size(), 1000u);
  EXPECT_EQ(p.json()["session_ids"][999], "s999");
  EXPECT_EQ(eng_.last().prune_days, 90.0);
  EXPECT_FALSE(eng_.last().prune_source.has_value());
  EXPECT_EQ(eng_.last().prune_dry_run, false);
  EXPECT_EQ(post("/v1/admin/prune", R"({"source": "x"})").status, 400);
  EXPECT_EQ(post("/v1/admin/prune", R"({"older_than_days": -1})").status, 400);
}

TEST_F(SearchTest, PruneDryRunIsPassedThrough) {
  auto p =
    post("/v1/admin/prune", R"({"older_than_days": 0, "dry_run": true})");
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_EQ(p.json()["dry_run"], true);
  EXPECT_EQ(eng_.last().prune_days, 0.0);
  EXPECT_EQ(eng_.last().prune_dry_run, true);
  auto bad =
    post("/v1/admin/prune", R"({"older_than_days": 1, "dry_run": "yes"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("dry_run"), std::string::npos) << bad.body;
}

TEST_F(SearchTest, RetentionRepliesWithTheCount) {
  auto r = post("/v1/admin/retention", "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json(), (nlohmann::json{{"pruned", 2}}));
  EXPECT_EQ(post("/v1/admin/retention", R"({"x": 1})").status, 400);
}

TEST_F(SearchTest, UsageDecodesTheQuery) {
  auto r = get("/v1/usage?from=2026-11-01&to=2026-11-30&group_by=model");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json(), nlohmann::json::parse(R"({"rows": [{"model": "g1",
    "input_tokens": 1, "output_tokens": 2, "cache_read_tokens": 3,
    "cache_write_tokens": 4, "estimated_cost_usd": 0.5, "updates": 1}]})"));
  auto q = *eng_.last().usage;
  EXPECT_EQ(q.from, "2026-11-01");
  EXPECT_EQ(q.to, "2026-11-30");
  EXPECT_EQ(q.group_by, core::usage_group::model);
  EXPECT_EQ(get("/v1/usage").json()["rows"][0].count("day"), 1u);
}

TEST_F(SearchTest, UsageRefusesBadQueries) {
  struct bad {
    const char* path;
    const char* message;
  };
  for (auto b :
       {bad{"/v1/usage?group_by=user",
            "query.group_by: expected day, platform or model"},
        bad{"/v1/usage?from=2026-02-30",
            "query.from: expected a day as YYYY-MM-DD"},
        bad{"/v1/usage?to=yesterday", "query.to: expected a day as YYYY-MM-DD"},
        bad{"/v1/usage?from=2026-11-02&to=2026-11-01",
            "query.from: is after query.to"}}) {
    auto r = get(b.path);
    EXPECT_EQ(r.status, 400) << b.path;
    EXPECT_EQ(r.json()["error"]["message"], b.message) << b.path;
  }
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
  EXPECT_EQ(post("/v1/admin/clock", R"({"advance_seconds": -5})").status, 400);
}

} // namespace
} // namespace switchboard::api::testing
