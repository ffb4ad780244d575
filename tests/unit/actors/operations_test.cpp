// Operations through the engine on the manual clock: daily reset grace
// (SPEC 4.6), retention and prune (SPEC 11, 13), usage rollups (SPEC 14).

#include "engine_fixture.hpp"

#include "persistence/sqlite_store.hpp"

namespace switchboard::actors::testing {
namespace {

using namespace std::chrono_literals;

// -- daily reset grace
// ------------------------------------------------------------

class GraceTest : public EngineTest {
protected:
  void SetUp() override {
    EngineTest::SetUp();
    auto& p = cfg_.reset.policies.default_policy;
    p.mode = core::reset_mode::daily;
    p.at_hour = 4;
    p.defer_daily_minutes = 30;
    clock_->set(at("2026-11-21T03:50:00Z"));
    start();
  }
  route_reply say(const char* when, const char* text = "hi") {
    clock_->set(at(when));
    auto r = route(telegram_dm(), user_msg(text));
    EXPECT_TRUE(r.ok()) << r.err().message;
    return r.ok() ? *r : route_reply{};
  }
  core::session_entry current() {
    auto e = entry(key_of(telegram_dm()));
    EXPECT_TRUE(e.ok());
    return e.ok() ? *e : core::session_entry{};
  }
};

TEST_F(GraceTest, ConversationAcrossTheResetHourIsNotCut) {
  auto first = say("2026-11-21T03:50:00Z");
  say("2026-11-21T03:58:00Z");
  // Due (last activity before 04:00) but active 7 minutes ago: deferred.
  auto r = say("2026-11-21T04:05:00Z");
  EXPECT_EQ(r.session_id, first.session_id);
  EXPECT_FALSE(r.was_auto_reset);
  EXPECT_TRUE(current().daily_reset_deferred);
  // Messages after the hour postpone the owed reset but never cancel it.
  EXPECT_EQ(say("2026-11-21T04:30:00Z").session_id, first.session_id);
  EXPECT_EQ(say("2026-11-21T04:59:00Z").session_id, first.session_id);
  // A quiet gap of 30 minutes: the reset happens at the next message.
  auto after = say("2026-11-21T05:29:00Z");
  EXPECT_NE(after.session_id, first.session_id);
  EXPECT_TRUE(after.was_auto_reset);
  EXPECT_EQ(after.auto_reset_reason, core::reset_reason::daily);
  EXPECT_TRUE(after.reset_had_activity);
  EXPECT_FALSE(current().daily_reset_deferred);
  EXPECT_EQ(session_row(first.session_id)["end_reason"], "session_reset");
  // The new session does not owe anything: the next message continues it.
  EXPECT_EQ(say("2026-11-21T05:30:00Z").session_id, after.session_id);
}

TEST_F(GraceTest, DeferredResetSurvivesARestart) {
  auto first = say("2026-11-21T03:58:00Z");
  say("2026-11-21T04:05:00Z");
  start(); // a new engine: the debt is read back from the index
  EXPECT_TRUE(current().daily_reset_deferred);
  EXPECT_EQ(say("2026-11-21T04:20:00Z").session_id, first.session_id);
  auto after = say("2026-11-21T04:50:00Z");
  EXPECT_NE(after.session_id, first.session_id);
  EXPECT_EQ(after.auto_reset_reason, core::reset_reason::daily);
}

TEST_F(GraceTest, SweepWaitsForTheQuietGap) {
  auto first = say("2026-11-21T03:58:00Z");
  clock_->set(at("2026-11-21T04:10:00Z"));
  EXPECT_EQ(expire().expired, 0); // due, but active 12 minutes ago
  clock_->set(at("2026-11-21T04:28:00Z"));
  EXPECT_EQ(expire().expired, 1);
  EXPECT_EQ(session_row(first.session_id)["end_reason"], "daily");
  auto next = say("2026-11-21T04:29:00Z");
  EXPECT_NE(next.session_id, first.session_id);
  EXPECT_TRUE(next.was_auto_reset);
}

TEST_F(GraceTest, SweepFindsADeferredSessionAfterItsQuietGap) {
  auto first = say("2026-11-21T03:58:00Z");
  say("2026-11-21T04:05:00Z"); // deferred, owes the reset
  say("2026-11-21T04:20:00Z"); // after the boundary: only the debt is left
  clock_->set(at("2026-11-21T04:49:00Z"));
  EXPECT_EQ(expire().expired, 0);
  clock_->set(at("2026-11-21T04:50:00Z"));
  auto swept = expire();
  EXPECT_EQ(swept.expired, 1);
  EXPECT_EQ(session_row(first.session_id)["end_reason"], "daily");
  EXPECT_TRUE(current().expiry_finalized);
  auto next = say("2026-11-21T04:51:00Z");
  EXPECT_NE(next.session_id, first.session_id);
  EXPECT_EQ(next.auto_reset_reason, core::reset_reason::daily);
}

class GraceIdleTest : public GraceTest {
protected:
  void SetUp() override {
    EngineTest::SetUp();
    auto& p = cfg_.reset.policies.default_policy;
    p.mode = core::reset_mode::both;
    p.idle_minutes = 10;
    p.defer_daily_minutes = 30;
    start();
  }
};

TEST_F(GraceIdleTest, IdleResetsAreUnchanged) {
  auto first = say("2026-11-21T03:50:00Z");
  auto r = say("2026-11-21T04:01:00Z"); // 11 minutes quiet: idle
  EXPECT_NE(r.session_id, first.session_id);
  EXPECT_EQ(r.auto_reset_reason, core::reset_reason::idle);
  say("2026-11-21T04:05:00Z");
  clock_->set(at("2026-11-21T04:15:01Z"));
  EXPECT_EQ(expire().expired, 1); // the sweep's idle rule is unchanged too
}

// -- retention and prune
// ------------------------------------------------------------

class RetentionTest : public EngineTest {
protected:
  /// A key with one ended session (force_new) and a live one; returns the
  /// ended one's id.
  std::string ended_at(const char* when, const std::string& chat) {
    clock_->set(at(when));
    auto first = route(telegram_dm(chat), user_msg("a"));
    EXPECT_TRUE(first.ok());
    auto second = route(telegram_dm(chat), user_msg("b"), true);
    EXPECT_TRUE(second.ok());
    return first.ok() ? first->session_id : "";
  }
  bool exists(const std::string& id) { return !session_row(id).is_null(); }
  void set_parent(const std::string& child, const std::string& parent) {
    auto w = persistence::open_writer(dir_ + "/state.db");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->db().exec("UPDATE sessions SET parent_session_id = '" +
                                parent + "' WHERE id = '" + child + "'"));
  }
  std::optional<prune_report> tick() {
    auto r = wait_for<std::optional<prune_report>>(
      [&](auto d) { eng_->retention_tick(d); });
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::nullopt;
  }
  prune_report prune(prune_request req) {
    auto r = wait_for<prune_report>([&](auto d) { eng_->prune(req, d); });
    EXPECT_TRUE(r.ok()) << r.err().message;
    return r.ok() ? *r : prune_report{};
  }
};

TEST_F(RetentionTest, AgeThenCountWithEveryProtection) {
  cfg_.retention.max_age_days = 31;
  cfg_.retention.max_ended_sessions = 1;
  start();
  auto s1 = ended_at("2026-11-01T10:00:00Z", "1");
  auto s3 = ended_at("2026-11-02T10:00:00Z", "2");
  auto s5 = ended_at("2026-11-03T10:00:00Z", "3");
  auto s7 = ended_at("2026-11-04T10:00:00Z", "4");
  auto live = entry(key_of(telegram_dm("4")))->session_id;
  set_parent(live, s1);
  clock_->set(at("2026-12-03T11:00:00Z"));
  // Expired by the sweep: ended, but their entries still point at them.
  EXPECT_EQ(expire().expired, 4);
  auto busy = route(telegram_dm("5"), user_msg("working"));
  ASSERT_TRUE(busy.ok());
  ASSERT_TRUE(wait_for<core::session_entry>([&](auto d) {
                eng_->set_busy(busy->session_key, true, 3600.0, d);
              }).ok());

  auto run = tick(); // the first scheduled run is due at start
  ASSERT_TRUE(run.has_value());
  // s1, s3 are older than 31 days; of s5, s7 only the newest is kept.
  EXPECT_EQ(run->session_ids, (std::vector<std::string>{s1, s3, s5}));
  EXPECT_EQ(run->pruned, 3);
  for (const auto& id : {s1, s3, s5})
    EXPECT_FALSE(exists(id)) << id;
  EXPECT_TRUE(exists(s7));
  EXPECT_TRUE(exists(busy->session_id));
  for (const char* chat : {"1", "2", "3", "4"}) {
    auto e = entry(key_of(telegram_dm(chat)));
    ASSERT_TRUE(e.ok()) << chat;
    EXPECT_TRUE(exists(e->session_id)) << chat;
  }
  EXPECT_TRUE(session_row(live)["parent_session_id"].is_null());

  EXPECT_FALSE(tick().has_value()); // not due again yet
  clock_->advance(std::chrono::hours(1));
  auto again = tick();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->pruned, 0);
  auto m = eng_->metrics();
  EXPECT_EQ(m.retention_runs, 2);
  EXPECT_EQ(m.sessions_pruned, 3);
}

TEST_F(RetentionTest, OffMeansNoScheduledRunButTheApiStillAnswers) {
  start();
  ended_at("2026-11-01T10:00:00Z", "1");
  clock_->advance(std::chrono::hours(24 * 400));
  EXPECT_FALSE(tick().has_value());
  auto r = wait_for<prune_report>([&](auto d) { eng_->apply_retention(d); });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->pruned, 0);
}

TEST_F(RetentionTest, ApiRunUsesTheConfiguredRule) {
  cfg_.retention.max_ended_sessions = 1;
  start();
  auto old = ended_at("2026-11-01T10:00:00Z", "1");
  auto newer = ended_at("2026-11-02T10:00:00Z", "2");
  auto r = wait_for<prune_report>([&](auto d) { eng_->apply_retention(d); });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->session_ids, std::vector<std::string>{old});
  EXPECT_TRUE(exists(newer));
}

TEST_F(RetentionTest, DryRunMatchesTheRealRunIdForId) {
  start();
  std::vector<std::string> ended;
  for (int i = 0; i < 5; ++i)
    ended.push_back(
      ended_at(i % 2 ? "2026-11-01T10:00:00Z" : "2026-11-18T10:00:00Z",
               std::to_string(i)));
  clock_->set(at("2026-11-20T10:00:00Z"));
  auto dry = prune({5, std::nullopt, true});
  EXPECT_TRUE(dry.dry_run);
  EXPECT_EQ(dry.pruned, 2);
  for (const auto& id : dry.session_ids)
    EXPECT_TRUE(exists(id));
  auto real = prune({5, std::nullopt, false});
  EXPECT_FALSE(real.dry_run);
  EXPECT_EQ(real.session_ids, dry.session_ids);
  for (const auto& id : real.session_ids)
    EXPECT_FALSE(exists(id));
  // 0 days: every ended session (never a live one).
  auto all_dry = prune({0, std::nullopt, true});
  EXPECT_EQ(all_dry.pruned, 3);
  auto all = prune({0, std::nullopt, false});
  EXPECT_EQ(all.session_ids, all_dry.session_ids);
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(
      exists(entry(key_of(telegram_dm(std::to_string(i))))->session_id));
  EXPECT_EQ(eng_->metrics().sessions_pruned, 5);
}

// -- usage rollups
// -------------------------------------------------------------------

class UsageTest : public EngineTest {
protected:
  void SetUp() override {
    EngineTest::SetUp();
    cfg_.reset.timezone = "Asia/Tokyo"; // UTC+9, no DST
    cfg_.reset.policies.default_policy.mode = core::reset_mode::none;
    start();
  }
  void use(const core::source& s, std::int64_t in, const char* model,
           double cost) {
    core::usage_update u;
    u.input_tokens = in;
    u.output_tokens = 1;
    u.model = model;
    u.estimated_cost_usd = cost;
    auto r = wait_for<core::session_entry>(
      [&](auto d) { eng_->update_usage(key_of(s), u, d); });
    ASSERT_TRUE(r.ok()) << r.err().message;
  }
  std::vector<core::usage_row> usage(core::usage_group g) {
    return with_reader([&](core::store_reader& r) {
      auto rows = r.usage({std::nullopt, std::nullopt, g});
      return rows.ok() ? *rows : std::vector<core::usage_row>{};
    });
  }
};

TEST_F(UsageTest, RollupsByDayPlatformAndModelAcrossLocalMidnight) {
  clock_->set(at("2026-11-21T14:30:00Z")); // 23:30 in Tokyo, the 21st
  auto tg = route(telegram_dm(), user_msg("hi"));
  auto dc = route(on("discord", "g"), user_msg("hi"));
  ASSERT_TRUE(tg.ok() && dc.ok());
  use(telegram_dm(), 100, "gpt-a", 0.25);
  clock_->advance(std::chrono::hours(1)); // 00:30 on the 22nd
  use(telegram_dm(), 10, "gpt-b", 0.5);
  use(on("discord", "g"), 1, "gpt-a", 1.0);

  auto days = usage(core::usage_group::day);
  ASSERT_EQ(days.size(), 2u);
  EXPECT_EQ(days[0].group, "2026-11-21");
  EXPECT_EQ(days[0].input_tokens, 100);
  EXPECT_EQ(days[0].updates, 1);
  EXPECT_EQ(days[1].group, "2026-11-22");
  EXPECT_EQ(days[1].input_tokens, 11);
  EXPECT_DOUBLE_EQ(days[1].estimated_cost_usd, 1.5);
  EXPECT_EQ(days[1].updates, 2);
  auto platforms = usage(core::usage_group::platform);
  ASSERT_EQ(platforms.size(), 2u);
  EXPECT_EQ(platforms[0].group, "discord");
  EXPECT_EQ(platforms[1].group, "telegram");
  EXPECT_EQ(platforms[1].input_tokens, 110);
  auto models = usage(core::usage_group::model);
  ASSERT_EQ(models.size(), 2u);
  EXPECT_EQ(models[0].group, "gpt-a");
  EXPECT_EQ(models[0].input_tokens, 101);
  EXPECT_EQ(models[1].group, "gpt-b");
}

TEST_F(UsageTest, TotalsSurviveDeletingAndPruningTheSessions) {
  auto a = route(telegram_dm("1"), user_msg("hi"));
  auto b = route(telegram_dm("2"), user_msg("hi"));
  ASSERT_TRUE(a.ok() && b.ok());
  use(telegram_dm("1"), 40, "m", 0.4);
  use(telegram_dm("2"), 2, "m", 0.02);
  auto before = usage(core::usage_group::model);
  ASSERT_TRUE(wait_for<bool>([&](auto d) {
                eng_->delete_session(a->session_id, d);
              }).ok());
  ASSERT_TRUE(route(telegram_dm("2"), user_msg("new"), true).ok());
  auto pruned = wait_for<prune_report>([&](auto d) {
    eng_->prune({0, std::nullopt, false}, d);
  });
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(pruned->session_ids, std::vector<std::string>{b->session_id});
  auto after = usage(core::usage_group::model);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].input_tokens, 42);
  EXPECT_EQ(after[0].input_tokens, before[0].input_tokens);
  EXPECT_DOUBLE_EQ(after[0].estimated_cost_usd, before[0].estimated_cost_usd);
  EXPECT_EQ(after[0].updates, 2);
}

} // namespace
} // namespace switchboard::actors::testing
