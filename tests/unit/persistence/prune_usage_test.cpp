// store_writer::prune / store_reader::select_prunable (SPEC 11, 13) and the
// daily usage rollups (SPEC 14).

#include "persistence/sqlite_store.hpp"

#include "test_util.hpp"

namespace switchboard::persistence::test {
namespace {

using ids = std::vector<std::string>;

class PruneTest : public ::testing::Test {
protected:
  void SetUp() override {
    w_ = must_open_writer(dir_.file("state.db"));
    ASSERT_TRUE(w_);
  }
  void ended(const std::string& id, double started,
             std::string source = "telegram") {
    ASSERT_TRUE(w_->create_session(row(id, std::move(source), started)));
    ASSERT_TRUE(w_->end_session(id, "idle", at_seconds(started + 1)));
  }
  void point_entry_at(const std::string& key, const std::string& id) {
    core::session_entry e;
    e.session_key = key;
    e.session_id = id;
    ASSERT_TRUE(w_->upsert_entry(e));
  }
  ids select(const core::prune_rule& r) {
    auto got = w_->select_prunable(r);
    EXPECT_TRUE(got.ok()) << got.err().message;
    return got.ok() ? *got : ids{};
  }
  bool exists(const std::string& id) {
    return *w_->get_session(id) != std::nullopt;
  }

  temp_dir dir_;
  std::unique_ptr<sqlite_writer> w_;
};

TEST_F(PruneTest, AgeRuleSelectsEndedSessionsStartedBeforeTheCutoff) {
  ended("a", 100);
  ended("b", 200);
  ended("c", 900);
  ASSERT_TRUE(w_->create_session(row("open", "telegram", 50)));
  EXPECT_EQ(select({at_seconds(500), 0, std::nullopt}), (ids{"a", "b"}));
  EXPECT_EQ(select({at_seconds(500), 0, std::string{"cli"}}), ids{});
  EXPECT_EQ(select({}), ids{}); // both rules off
}

TEST_F(PruneTest, CountRuleKeepsTheNewestEndedSessions) {
  for (int i = 1; i <= 5; ++i)
    ended("s" + std::to_string(i), 100.0 * i);
  EXPECT_EQ(select({std::nullopt, 2, std::nullopt}), (ids{"s1", "s2", "s3"}));
  // Age and count together: the old ones, then the oldest beyond the count.
  EXPECT_EQ(select({at_seconds(150), 4, std::nullopt}), (ids{"s1"}));
  EXPECT_EQ(select({at_seconds(250), 4, std::nullopt}), (ids{"s1", "s2"}));
  EXPECT_EQ(select({at_seconds(150), 2, std::nullopt}),
            (ids{"s1", "s2", "s3"}));
}

TEST_F(PruneTest, SessionsAnEntryPointsAtAreNeverSelected) {
  ended("expired", 100); // finalized by the supervisor: the entry still points
  ended("old", 150);
  ended("busy", 160);
  point_entry_at("k1", "expired");
  core::session_entry busy;
  busy.session_key = "k2";
  busy.session_id = "busy";
  busy.busy_until = at_seconds(1e9);
  ASSERT_TRUE(w_->upsert_entry(busy));
  EXPECT_EQ(select({at_seconds(500), 0, std::nullopt}), (ids{"old"}));
  // They do not count against the kept newest either.
  EXPECT_EQ(select({std::nullopt, 1, std::nullopt}), ids{});
}

TEST_F(PruneTest, DryRunNamesExactlyWhatTheRealRunDeletes) {
  for (int i = 1; i <= 6; ++i)
    ended("s" + std::to_string(i), 100.0 * i);
  point_entry_at("k", "s2");
  core::prune_rule rule{at_seconds(250), 2, std::nullopt};
  auto dry = w_->prune(rule, true);
  ASSERT_TRUE(dry.ok());
  EXPECT_EQ(*dry, (ids{"s1", "s3", "s4"}));
  for (const auto& id : *dry)
    EXPECT_TRUE(exists(id)) << id;
  auto real = w_->prune(rule, false);
  ASSERT_TRUE(real.ok());
  EXPECT_EQ(*real, *dry);
  for (const auto& id : *dry)
    EXPECT_FALSE(exists(id)) << id;
  EXPECT_TRUE(exists("s2"));
  EXPECT_TRUE(exists("s5"));
}

TEST_F(PruneTest, ChildrenOfAPrunedSessionAreKeptUnlinked) {
  ended("parent", 100);
  ASSERT_TRUE(w_->create_session(row("child", "telegram", 900)));
  exec(w_->db(),
       "UPDATE sessions SET parent_session_id = 'parent' WHERE id = 'child'");
  auto n = w_->prune({at_seconds(500), 0, std::nullopt}, false);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, ids{"parent"});
  ASSERT_TRUE(exists("child"));
  EXPECT_TRUE((**w_->get_session("child"))["parent_session_id"].is_null());
}

// -- usage rollups
// ---------------------------------------------------------------

class UsageRollupTest : public PruneTest {
protected:
  void SetUp() override {
    PruneTest::SetUp();
    w_->set_rollup_zone(*core::zone::make("America/New_York"));
  }
  core::usage_update tokens(std::int64_t in, std::optional<std::string> model,
                            double cost = 0.5) {
    core::usage_update u;
    u.input_tokens = in;
    u.output_tokens = 2 * in;
    u.cache_read_tokens = 3;
    u.cache_write_tokens = 1;
    u.estimated_cost_usd = cost;
    u.model = std::move(model);
    return u;
  }
  std::vector<core::usage_row> usage(core::usage_group g,
                                     std::optional<std::string> from = {},
                                     std::optional<std::string> to = {}) {
    auto r = w_->usage({std::move(from), std::move(to), g});
    EXPECT_TRUE(r.ok()) << r.err().message;
    return r.ok() ? *r : std::vector<core::usage_row>{};
  }
};

// 2026-11-21T04:30Z is 23:30 on the 20th in New York.
const auto before_midnight = at_seconds(1795235400); // 2026-11-21T04:30:00Z
const auto after_midnight = at_seconds(1795239000);  // 2026-11-21T05:30:00Z

TEST_F(UsageRollupTest, EveryUpdateAddsToItsDayPlatformAndModel) {
  ASSERT_TRUE(w_->create_session(row("t", "telegram", 100)));
  ASSERT_TRUE(w_->create_session(row("d", "discord", 100)));
  ASSERT_TRUE(w_->update_usage("t", tokens(10, "gpt-a"), before_midnight));
  ASSERT_TRUE(w_->update_usage("t", tokens(20, std::nullopt), after_midnight));
  ASSERT_TRUE(w_->update_usage("d", tokens(5, "claude"), after_midnight));

  auto days = usage(core::usage_group::day);
  ASSERT_EQ(days.size(), 2u);
  EXPECT_EQ(days[0].group, "2026-11-20");
  EXPECT_EQ(days[0].input_tokens, 10);
  EXPECT_EQ(days[0].output_tokens, 20);
  EXPECT_EQ(days[0].updates, 1);
  EXPECT_EQ(days[1].group, "2026-11-21");
  EXPECT_EQ(days[1].input_tokens, 25);
  EXPECT_EQ(days[1].cache_read_tokens, 6);
  EXPECT_EQ(days[1].cache_write_tokens, 2);
  EXPECT_DOUBLE_EQ(days[1].estimated_cost_usd, 1.0);
  EXPECT_EQ(days[1].updates, 2);

  auto platforms = usage(core::usage_group::platform);
  ASSERT_EQ(platforms.size(), 2u);
  EXPECT_EQ(platforms[0].group, "discord");
  EXPECT_EQ(platforms[0].input_tokens, 5);
  EXPECT_EQ(platforms[1].group, "telegram");
  EXPECT_EQ(platforms[1].input_tokens, 30);

  // An update without a model is filed under the session's (backfilled) one.
  auto models = usage(core::usage_group::model);
  ASSERT_EQ(models.size(), 2u);
  EXPECT_EQ(models[0].group, "claude");
  EXPECT_EQ(models[1].group, "gpt-a");
  EXPECT_EQ(models[1].input_tokens, 30);

  auto only_21st =
    usage(core::usage_group::platform, "2026-11-21", "2026-11-21");
  ASSERT_EQ(only_21st.size(), 2u);
  EXPECT_EQ(only_21st[1].input_tokens, 20);
  EXPECT_TRUE(usage(core::usage_group::day, "2026-11-22").empty());
}

TEST_F(UsageRollupTest, NoModelAnywhereIsUnknown) {
  ASSERT_TRUE(w_->create_session(row("t", "telegram", 100)));
  ASSERT_TRUE(w_->update_usage("t", tokens(1, std::nullopt), after_midnight));
  auto models = usage(core::usage_group::model);
  ASSERT_EQ(models.size(), 1u);
  EXPECT_EQ(models[0].group, "unknown");
}

TEST_F(UsageRollupTest, AMissingSessionAddsNothing) {
  EXPECT_EQ(w_->update_usage("nope", tokens(1, "m"), after_midnight).err().code,
            core::errc::not_found);
  EXPECT_TRUE(usage(core::usage_group::day).empty());
}

TEST_F(UsageRollupTest, TotalsSurviveDeleteAndPrune) {
  ASSERT_TRUE(w_->create_session(row("gone", "telegram", 100)));
  ASSERT_TRUE(w_->create_session(row("pruned", "telegram", 100)));
  ASSERT_TRUE(w_->update_usage("gone", tokens(10, "m"), after_midnight));
  ASSERT_TRUE(w_->update_usage("pruned", tokens(7, "m"), after_midnight));
  auto before = usage(core::usage_group::model);
  ASSERT_TRUE(w_->delete_session("gone"));
  ASSERT_TRUE(w_->end_session("pruned", "idle", at_seconds(200)));
  ASSERT_EQ(*w_->prune({at_seconds(1e12), 0, std::nullopt}, false),
            ids{"pruned"});
  auto after = usage(core::usage_group::model);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].input_tokens, 17);
  EXPECT_EQ(after[0].input_tokens, before[0].input_tokens);
  EXPECT_DOUBLE_EQ(after[0].estimated_cost_usd, before[0].estimated_cost_usd);
  EXPECT_EQ(after[0].updates, 2);
}

TEST_F(UsageRollupTest, RollUpSessionUsesItsTotalsAndStartDay) {
  ASSERT_TRUE(w_->create_session(row("imp", "cli", 1795235400))); // 20th NY
  exec(w_->db(), "UPDATE sessions SET input_tokens = 40, output_tokens = 4, "
                 "estimated_cost_usd = 0.75, model = 'old' WHERE id = 'imp'");
  ASSERT_TRUE(w_->create_session(row("empty", "cli", 1795235400)));
  ASSERT_TRUE(w_->roll_up_session("imp"));
  ASSERT_TRUE(w_->roll_up_session("empty")); // nothing used: no row
  auto days = usage(core::usage_group::day);
  ASSERT_EQ(days.size(), 1u);
  EXPECT_EQ(days[0].group, "2026-11-20");
  EXPECT_EQ(days[0].input_tokens, 40);
  EXPECT_EQ(days[0].output_tokens, 4);
  EXPECT_DOUBLE_EQ(days[0].estimated_cost_usd, 0.75);
  EXPECT_EQ(days[0].updates, 1);
  EXPECT_EQ(usage(core::usage_group::model)[0].group, "old");
}

} // namespace
} // namespace switchboard::persistence::test
