#include "cluster/ownership_loop.hpp"

#include "cluster/admin.hpp"
#include "cluster/partition_log.hpp"
#include "cluster/placement.hpp"

#include "tests/cluster/cluster_test_util.hpp"

#include <map>

namespace switchboard::cluster {
namespace {

using namespace std::chrono_literals;
using testing::connect_or_fail;
using testing::nats_servers;

constexpr int partitions = 4;

/// A host that does what a node would do to the log (append takeover or
/// handoff, fenced) and records every action it was told; its file is
/// "applied" up to the log's end whenever it serves or follows.
class log_host : public partition_host {
public:
  log_host(nats_client& c, std::string id) : c_(c), id_(std::move(id)) {}

  std::optional<std::uint64_t> apply(int p, partition_action a,
                                     std::uint64_t last_seq) override {
    told[p] = a;
    switch (a) {
      case partition_action::take_over:
        if (append(c_, p, {record_kind::takeover, 1, id_, {}}, last_seq))
          return last_seq + 1;
        return last_seq;
      case partition_action::hand_off:
        (void)append(c_, p, {record_kind::handoff, 1, id_, {}}, last_seq);
        return last_seq;
      case partition_action::serve:
      case partition_action::follow:
        return last_seq;
      case partition_action::forward:
        return std::nullopt;
    }
    return std::nullopt;
  }

  std::map<int, partition_action> told;

private:
  nats_client& c_;
  std::string id_;
};

/// One node of the test: its host and its loop (passes run by the test,
/// never by the loop's timer).
struct test_node {
  test_node(nats_client& c, membership& m, std::string node_id)
    : id(node_id), host(c, node_id),
      loop(c, m, host,
           {node_id, partitions, std::chrono::hours(1), 16,
            [this](std::map<int, std::uint64_t> a) { applied = std::move(a); },
            nullptr}) {}

  std::string id;
  log_host host;
  ownership_loop loop;
  std::map<int, std::uint64_t> applied;
};

class OwnershipLoopTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_EQ(servers_.error(), "");
    c_ = connect_or_fail(servers_.url_list());
    ASSERT_TRUE(c_);
    ASSERT_TRUE(init_cluster(*c_, {partitions, 1, 60}));
    auto m = membership::open(*c_);
    ASSERT_TRUE(m) << m.err().message;
    members_.emplace(std::move(*m));
  }

  void join(const test_node& n) {
    member self{n.id, "", "", n.applied};
    ASSERT_TRUE(members_->put(self));
  }

  /// a and b join and each runs a pass: they split the partitions.
  void split(test_node& a, test_node& b) {
    join(a);
    join(b);
    a.loop.run_pass();
    b.loop.run_pass();
  }

  std::string owner_in_log(int p) {
    auto last = last_sequence(*c_, p);
    EXPECT_TRUE(last);
    auto r = read_record(*c_, p, *last);
    EXPECT_TRUE(r);
    return log_owner({r->kind, r->node});
  }

  nats_servers servers_{1};
  std::unique_ptr<nats_client> c_;
  std::optional<membership> members_;
};

TEST_F(OwnershipLoopTest, ASoloNodeTakesEveryPartitionOverThenServes) {
  test_node a(*c_, *members_, "a");
  join(a);
  a.loop.run_pass();
  for (int p = 0; p < partitions; ++p) {
    EXPECT_EQ(a.host.told[p], partition_action::take_over);
    EXPECT_EQ(owner_in_log(p), "a");
    EXPECT_EQ(a.applied[p], 2u); // genesis, takeover
  }
  a.loop.run_pass();
  for (int p = 0; p < partitions; ++p)
    EXPECT_EQ(a.host.told[p], partition_action::serve);
}

TEST_F(OwnershipLoopTest, TwoNodesSplitAndTheSurvivorTakesTheRestOver) {
  test_node a(*c_, *members_, "a");
  test_node b(*c_, *members_, "b");
  split(a, b);
  for (int p = 0; p < partitions; ++p) {
    auto owner = place(p, {"a", "b"}).owner;
    EXPECT_EQ(owner_in_log(p), owner) << p;
    auto& other = owner == "a" ? b : a;
    EXPECT_EQ(other.host.told[p], partition_action::follow) << p;
  }
  // b dies: its key is gone (expired or deleted). One listing without it
  // is not enough (a key NATS lost comes back with the next heartbeat).
  ASSERT_TRUE(members_->remove("b"));
  a.loop.run_pass();
  for (int p = 0; p < partitions; ++p)
    EXPECT_EQ(owner_in_log(p), place(p, {"a", "b"}).owner) << p;
  a.loop.run_pass(); // the second listing without b: a takes them over
  a.loop.run_pass();
  for (int p = 0; p < partitions; ++p) {
    EXPECT_EQ(owner_in_log(p), "a") << p;
    EXPECT_EQ(a.host.told[p], partition_action::serve) << p;
  }
}

TEST_F(OwnershipLoopTest, AListingWithoutThisNodesOwnKeyDecidesNothing) {
  test_node a(*c_, *members_, "a");
  test_node b(*c_, *members_, "b");
  split(a, b);
  // The bucket lost every key (they expired while its stream had no
  // leader); b's heartbeat is back, a's not yet.
  ASSERT_TRUE(members_->remove("a"));
  ASSERT_TRUE(members_->remove("b"));
  join(b);
  a.host.told.clear();
  a.loop.run_pass();
  a.loop.run_pass();
  EXPECT_TRUE(a.host.told.empty());
  for (int p = 0; p < partitions; ++p)
    EXPECT_EQ(owner_in_log(p), place(p, {"a", "b"}).owner) << p;
}

TEST_F(OwnershipLoopTest, AReturningNodeGetsItsPartitionsBackOnceCaughtUp) {
  test_node a(*c_, *members_, "a");
  join(a);
  a.loop.run_pass(); // a owns everything
  test_node b(*c_, *members_, "b");
  join(b); // b is back, nothing applied yet
  a.loop.run_pass();
  for (int p = 0; p < partitions; ++p)
    EXPECT_EQ(a.host.told[p], partition_action::serve) << p;
  b.loop.run_pass(); // follows what it should own; now caught up
  join(b);           // its heartbeat publishes what it applied
  a.loop.run_pass(); // hands off b's partitions
  b.loop.run_pass(); // takes them over
  int moved = 0;
  for (int p = 0; p < partitions; ++p) {
    auto owner = place(p, {"a", "b"}).owner;
    EXPECT_EQ(owner_in_log(p), owner) << p;
    moved += owner == "b";
  }
  EXPECT_GT(moved, 0) << "pick node ids that split the partitions";
}

TEST_F(OwnershipLoopTest, AFollowerKeepingPaceWithABusyLogGetsItsPartitions) {
  test_node a(*c_, *members_, "a");
  join(a);
  a.loop.run_pass(); // a owns everything
  // b follows a busy log: on every pass a has appended 40 more batches,
  // and b has applied up to where the log ended one pass before, always
  // more than handoff_lag (16) records behind the end.
  test_node b(*c_, *members_, "b");
  std::map<int, std::uint64_t> ended_before;
  auto busy_pass = [&] {
    for (int p = 0; p < partitions; ++p) {
      for (int i = 0; i < 40; ++i) {
        auto last = last_sequence(*c_, p);
        ASSERT_TRUE(last);
        ASSERT_TRUE(append(*c_, p, {record_kind::batch, 1, "a", {}}, *last));
      }
    }
    ASSERT_TRUE(members_->put({"b", "", "", ended_before}));
    for (int p = 0; p < partitions; ++p)
      ended_before[p] = *last_sequence(*c_, p);
    a.loop.run_pass();
  };
  busy_pass(); // the first passes: b has not shown its pace yet
  for (int p = 0; p < partitions; ++p)
    EXPECT_EQ(a.host.told[p], partition_action::serve) << p;
  for (int i = 0; i < 3; ++i)
    busy_pass();
  int handed = 0;
  for (int p = 0; p < partitions; ++p) {
    bool to_b = place(p, {"a", "b"}).owner == "b";
    EXPECT_EQ(a.host.told[p],
              to_b ? partition_action::hand_off : partition_action::serve)
      << p;
    handed += to_b;
  }
  EXPECT_GT(handed, 0) << "pick node ids that split the partitions";
}

TEST_F(OwnershipLoopTest, ADeposedOwnerIsToldToStopServing) {
  test_node a(*c_, *members_, "a");
  join(a);
  a.loop.run_pass();
  // Another node took partition 0 over while a was paused (a zombie).
  auto last = last_sequence(*c_, 0);
  ASSERT_TRUE(append(*c_, 0, {record_kind::takeover, 2, "z", {}}, *last));
  ASSERT_TRUE(members_->put({"z", "", "", {}}));
  a.loop.run_pass();
  EXPECT_NE(a.host.told[0], partition_action::serve);
  EXPECT_NE(a.host.told[0], partition_action::take_over);
}

TEST_F(OwnershipLoopTest, APassWithoutNatsChangesNothingAndLogsOnce) {
  std::vector<std::string> lines;
  auto quick = connect_or_fail(servers_.url_list(), 500ms);
  ASSERT_TRUE(quick);
  auto m = membership::open(*quick);
  ASSERT_TRUE(m);
  log_host host(*quick, "a");
  ownership_loop loop(*quick, *m, host,
                      {"a", partitions, std::chrono::hours(1), 16, nullptr,
                       [&](const std::string& l) {
                         lines.push_back(l);
                       }});
  ASSERT_TRUE(members_->put({"a", "", "", {}}));
  servers_.kill(0);
  loop.run_pass();
  loop.run_pass();
  EXPECT_TRUE(host.told.empty());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("could not read"), std::string::npos);
}

} // namespace
} // namespace switchboard::cluster
