#include "cluster/placement.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace switchboard::cluster {
namespace {

const std::vector<std::string> three_nodes{"node-a", "node-b", "node-c"};

TEST(PlacementTest, NoMembersNoOwner) {
  auto p = place(0, {});
  EXPECT_EQ(p.owner, "");
  EXPECT_EQ(p.standby, "");
}

TEST(PlacementTest, OneMemberOwnsWithoutStandby) {
  for (int partition = 0; partition < 16; ++partition) {
    auto p = place(partition, {"solo"});
    EXPECT_EQ(p.owner, "solo");
    EXPECT_EQ(p.standby, "");
  }
}

TEST(PlacementTest, StandbyIsAnotherMember) {
  for (int partition = 0; partition < 100; ++partition) {
    auto p = place(partition, three_nodes);
    EXPECT_NE(p.owner, p.standby);
    EXPECT_NE(std::find(three_nodes.begin(), three_nodes.end(), p.owner),
              three_nodes.end());
    EXPECT_NE(std::find(three_nodes.begin(), three_nodes.end(), p.standby),
              three_nodes.end());
  }
}

TEST(PlacementTest, SameAnswerWhateverTheOrderOrDuplicates) {
  auto members = three_nodes;
  std::sort(members.begin(), members.end());
  for (int partition = 0; partition < 16; ++partition) {
    auto first = place(partition, members);
    auto shuffled = members;
    do {
      auto p = place(partition, shuffled);
      EXPECT_EQ(p.owner, first.owner);
      EXPECT_EQ(p.standby, first.standby);
    } while (std::next_permutation(shuffled.begin(), shuffled.end()));
    auto doubled = members;
    doubled.insert(doubled.end(), members.begin(), members.end());
    EXPECT_EQ(place(partition, doubled).owner, first.owner);
    EXPECT_EQ(place(partition, doubled).standby, first.standby);
  }
}

TEST(PlacementTest, AnUnrelatedMemberLeavingMovesNothing) {
  std::vector<std::string> five{"n1", "n2", "n3", "n4", "n5"};
  for (int partition = 0; partition < 100; ++partition) {
    auto before = place(partition, five);
    for (const auto& leaving : five) {
      if (leaving == before.owner || leaving == before.standby)
        continue;
      std::vector<std::string> rest;
      std::copy_if(five.begin(), five.end(), std::back_inserter(rest),
                   [&](const auto& m) { return m != leaving; });
      auto after = place(partition, rest);
      EXPECT_EQ(after.owner, before.owner) << partition << " " << leaving;
      EXPECT_EQ(after.standby, before.standby) << partition << " " << leaving;
    }
  }
}

TEST(PlacementTest, WhenTheOwnerLeavesTheStandbyOwns) {
  for (int partition = 0; partition < 100; ++partition) {
    auto before = place(partition, three_nodes);
    std::vector<std::string> rest;
    std::copy_if(three_nodes.begin(), three_nodes.end(),
                 std::back_inserter(rest),
                 [&](const auto& m) { return m != before.owner; });
    EXPECT_EQ(place(partition, rest).owner, before.standby);
  }
}

TEST(PlacementTest, OwnershipIsSpreadOverMembers) {
  std::map<std::string, int> owned;
  for (int partition = 0; partition < 100; ++partition)
    ++owned[place(partition, three_nodes).owner];
  ASSERT_EQ(owned.size(), 3u);
  for (const auto& [member, count] : owned)
    EXPECT_GE(count, 20) << member; // 33 on average
}

} // namespace
} // namespace switchboard::cluster
