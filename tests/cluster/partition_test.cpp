#include "cluster/partition.hpp"

#include <gtest/gtest.h>

#include <set>

namespace switchboard::cluster {
namespace {

TEST(PartitionTest, Fnv1a32KnownVectors) {
  // The published FNV-1a test vectors (Fowler/Noll/Vo).
  EXPECT_EQ(fnv1a_32(""), 0x811c9dc5u);
  EXPECT_EQ(fnv1a_32("a"), 0xe40c292cu);
  EXPECT_EQ(fnv1a_32("foobar"), 0xbf9cf968u);
}

TEST(PartitionTest, PartitionIsHashModP) {
  EXPECT_EQ(partition_of("a", 16), static_cast<int>(0xe40c292cu % 16));
  EXPECT_EQ(partition_of("foobar", 7), static_cast<int>(0xbf9cf968u % 7));
  EXPECT_EQ(partition_of("anything", 1), 0);
}

TEST(PartitionTest, KeysSpreadOverEveryPartition) {
  std::set<int> seen;
  for (int i = 0; i < 1000; ++i) {
    auto p = partition_of("agent:main:telegram:dm:" + std::to_string(i), 16);
    ASSERT_GE(p, 0);
    ASSERT_LT(p, 16);
    seen.insert(p);
  }
  EXPECT_EQ(seen.size(), 16u);
}

TEST(PartitionTest, StreamAndSubjectNamesHaveTwoDigits) {
  EXPECT_EQ(stream_name(0), "SB_P00");
  EXPECT_EQ(stream_name(15), "SB_P15");
  EXPECT_EQ(stream_name(99), "SB_P99");
  EXPECT_EQ(log_subject(3), "sb.log.03");
}

TEST(PartitionTest, CountsOutsideTheRangeAreRefusedWithTheField) {
  EXPECT_TRUE(check_partitions(1, "--partitions"));
  EXPECT_TRUE(check_partitions(100, "--partitions"));
  auto zero = check_partitions(0, "--partitions");
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.err().message, "--partitions must be between 1 and 100");
  EXPECT_FALSE(check_partitions(101, "--partitions"));
  EXPECT_TRUE(check_replicas(5, "--replicas"));
  auto six = check_replicas(6, "--replicas");
  ASSERT_FALSE(six);
  EXPECT_EQ(six.err().message, "--replicas must be between 1 and 5");
}

} // namespace
} // namespace switchboard::cluster
