#include "cluster/ownership.hpp"
#include "cluster/placement.hpp"

#include <gtest/gtest.h>

#include <map>

namespace switchboard::cluster {
namespace {

const std::vector<std::string> three_members{"n1", "n2", "n3"};
constexpr int partition_count = 16;

ownership_facts facts(int p, record_kind kind, std::string node,
                      std::vector<std::string> live = three_members) {
  return {p, {kind, std::move(node)}, std::move(live), {}};
}

/// The member of `three_members` that is neither owner nor standby of `p`.
std::string third_of(const placement& pl) {
  for (const auto& n : three_members)
    if (n != pl.owner && n != pl.standby)
      return n;
  return "";
}

TEST(OwnershipTest, TheLogNamesTheOwner) {
  EXPECT_EQ(log_owner({record_kind::genesis, ""}), "");
  EXPECT_EQ(log_owner({record_kind::takeover, "n2"}), "n2");
  EXPECT_EQ(log_owner({record_kind::batch, "n3"}), "n3");
  // A handoff record is written by the node giving the partition up.
  EXPECT_EQ(log_owner({record_kind::handoff, "n1"}), "");
}

TEST(OwnershipTest, AfterGenesisOnlyThePlacementOwnerTakesOver) {
  for (int p = 0; p < partition_count; ++p) {
    auto pl = place(p, three_members);
    auto f = facts(p, record_kind::genesis, "");
    EXPECT_EQ(decide(pl.owner, f), partition_action::take_over);
    EXPECT_EQ(decide(pl.standby, f), partition_action::follow);
    EXPECT_EQ(decide(third_of(pl), f), partition_action::forward);
  }
}

TEST(OwnershipTest, ALiveOwnerServesAndTheOthersFollowOrForward) {
  for (int p = 0; p < partition_count; ++p) {
    auto pl = place(p, three_members);
    auto f = facts(p, record_kind::batch, pl.owner);
    EXPECT_EQ(decide(pl.owner, f), partition_action::serve);
    EXPECT_EQ(decide(pl.standby, f), partition_action::follow);
    EXPECT_EQ(decide(third_of(pl), f), partition_action::forward);
  }
}

TEST(OwnershipTest, WhenTheOwnerDiesTheStandbyTakesOver) {
  for (int p = 0; p < partition_count; ++p) {
    auto pl = place(p, three_members);
    std::vector<std::string> alive;
    for (const auto& n : three_members)
      if (n != pl.owner)
        alive.push_back(n);
    auto f = facts(p, record_kind::batch, pl.owner, alive);
    // Rendezvous: without the owner, the old standby ranks first.
    EXPECT_EQ(decide(pl.standby, f), partition_action::take_over);
    EXPECT_EQ(decide(third_of(pl), f), partition_action::follow);
  }
}

TEST(OwnershipTest, OnlyOneNodeIsToldToTakeOver) {
  // Whatever the log and the live set, at most one live node takes over,
  // and never while the log's owner is live.
  std::vector<std::vector<std::string>> lives{
    three_members, {"n1", "n2"}, {"n2", "n3"}, {"n1"}, {}};
  std::vector<log_tail> tails{{record_kind::genesis, ""},
                              {record_kind::batch, "n1"},
                              {record_kind::takeover, "n2"},
                              {record_kind::handoff, "n3"},
                              {record_kind::batch, "gone"}};
  for (int p = 0; p < partition_count; ++p)
    for (const auto& live : lives)
      for (const auto& tail : tails) {
        ownership_facts f{p, tail, live, {}};
        int takers = 0;
        for (const auto& n : live)
          takers += decide(n, f) == partition_action::take_over;
        auto owner = log_owner(tail);
        bool owner_live =
          std::find(live.begin(), live.end(), owner) != live.end();
        EXPECT_EQ(takers, owner_live || live.empty() ? 0 : 1)
          << "partition " << p << " owner '" << owner << "'";
      }
}

TEST(OwnershipTest, AnOwnerMissingFromTheMemberListKeepsServing) {
  // Its heartbeat may lag; the fence, not membership, deposes it.
  for (int p = 0; p < partition_count; ++p) {
    auto pl = place(p, three_members);
    std::vector<std::string> others;
    for (const auto& n : three_members)
      if (n != pl.owner)
        others.push_back(n);
    auto f = facts(p, record_kind::batch, pl.owner, others);
    EXPECT_EQ(decide(pl.owner, f), partition_action::serve);
  }
}

TEST(OwnershipTest, AReturningPlacementOwnerGetsThePartitionOnceCaughtUp) {
  for (int p = 0; p < partition_count; ++p) {
    auto pl = place(p, three_members);
    // pl.standby took over while pl.owner was away; pl.owner is back.
    auto f = facts(p, record_kind::batch, pl.standby);
    EXPECT_EQ(decide(pl.standby, f), partition_action::serve);
    EXPECT_EQ(decide(pl.owner, f), partition_action::follow);
    f.caught_up = {third_of(pl)}; // not the placement owner: no handoff
    EXPECT_EQ(decide(pl.standby, f), partition_action::serve);
    f.caught_up = {pl.owner};
    EXPECT_EQ(decide(pl.standby, f), partition_action::hand_off);
    EXPECT_EQ(decide(pl.owner, f), partition_action::follow);
    // After the handoff record, the placement owner takes it.
    auto after = facts(p, record_kind::handoff, pl.standby);
    EXPECT_EQ(decide(pl.owner, after), partition_action::take_over);
    EXPECT_EQ(decide(pl.standby, after), partition_action::follow);
  }
}

TEST(OwnershipTest, ACaughtUpPlacementOwnerThatIsNotLiveGetsNothing) {
  for (int p = 0; p < partition_count; ++p) {
    auto pl = place(p, three_members);
    std::vector<std::string> without{pl.standby, third_of(pl)};
    ownership_facts f{p, {record_kind::batch, pl.standby}, without, {pl.owner}};
    EXPECT_EQ(decide(pl.standby, f), partition_action::serve);
  }
}

TEST(OwnershipTest, ASoloNodeTakesEverythingOver) {
  for (int p = 0; p < partition_count; ++p) {
    EXPECT_EQ(decide("solo", facts(p, record_kind::genesis, "", {})),
              partition_action::take_over);
    EXPECT_EQ(decide("solo", facts(p, record_kind::batch, "dead", {"solo"})),
              partition_action::take_over);
  }
}

TEST(OwnershipTest, ActionNames) {
  std::map<partition_action, std::string> names{
    {partition_action::serve, "serve"},
    {partition_action::take_over, "take_over"},
    {partition_action::hand_off, "hand_off"},
    {partition_action::follow, "follow"},
    {partition_action::forward, "forward"}};
  for (const auto& [a, name] : names)
    EXPECT_EQ(to_string(a), name);
}

} // namespace
} // namespace switchboard::cluster
