// The pure merge helpers of the partitioned reader.

#include "actors/partitioned_merge.hpp"

#include <gtest/gtest.h>

#include <functional>

namespace switchboard::actors::merge {
namespace {

TEST(PartitionedMergeTest, PagesAskEveryPartitionForOffsetPlusLimit) {
  EXPECT_EQ(fetch_limit(10, 5), 15);
  EXPECT_EQ(fetch_limit(-3, 5), 5);
  EXPECT_EQ(fetch_limit(10, -1), -1); // all rows, as SQLite's LIMIT -1
  std::vector<int> rows{0, 1, 2, 3, 4, 5};
  EXPECT_EQ(cut(rows, 2, 3), (std::vector<int>{2, 3, 4}));
  EXPECT_EQ(cut(rows, 4, 10), (std::vector<int>{4, 5}));
  EXPECT_EQ(cut(rows, 9, 1), std::vector<int>{});
  EXPECT_EQ(cut(rows, 1, -1), (std::vector<int>{1, 2, 3, 4, 5}));
}

TEST(PartitionedMergeTest, SortedListsMergeKeepingEachListsOrder) {
  // Oldest first by id; equal heads: the lower list first.
  auto merged = merge_sorted<std::string>({{"a", "c", "e"}, {"b", "c", "f"}},
                                          std::greater<>{});
  EXPECT_EQ(merged, (std::vector<std::string>{"a", "b", "c", "c", "e", "f"}));
  EXPECT_EQ(interleave<int>({{1, 4}, {2}, {3, 5, 6}}),
            (std::vector<int>{1, 2, 3, 4, 5, 6}));
}

TEST(PartitionedMergeTest, AmbiguousPrefixMessagesRoundTrip) {
  std::vector<std::string> ids{"20261121_1_a", "20261121_1_b", "..."};
  auto msg = ambiguous_message("20261121_1", ids);
  EXPECT_EQ(msg, "ambiguous session id prefix '20261121_1': 20261121_1_a, "
                 "20261121_1_b, ...");
  EXPECT_EQ(ambiguous_ids("20261121_1", msg), ids);
  EXPECT_FALSE(ambiguous_ids("2026", msg)); // another prefix
  EXPECT_FALSE(ambiguous_ids("x", "no session id starts with 'x'"));
}

TEST(PartitionedMergeTest, FirstFoundPrefersAHitThenARealError) {
  using r = core::result<int>;
  auto found = [](int v) {
    return v > 0;
  };
  std::vector<r> hit{core::not_found("a"), r(0), r(7)};
  EXPECT_EQ(*first_found(hit, found), 7);
  std::vector<r> failed{core::not_found("a"), core::overloaded("down")};
  EXPECT_EQ(first_found(failed, found).err().code, core::errc::overloaded);
  std::vector<r> none{core::not_found("a"), core::not_found("b")};
  EXPECT_EQ(first_found(none, found).err().message, "a");
}

} // namespace
} // namespace switchboard::actors::merge
