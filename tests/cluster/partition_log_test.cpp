// The fenced append against real nats-server processes: a standalone
// server for the sequence rules, and a 3-server JetStream cluster (R3
// streams) for the races the fence exists for.

#include "cluster/partition_log.hpp"

#include "tests/cluster/cluster_test_util.hpp"

#include <latch>
#include <thread>

namespace switchboard::cluster {
namespace {

using testing::connect_or_fail;
using testing::nats_servers;

log_record batch_of(const std::string& node, int n) {
  return {record_kind::batch, 1, node, nlohmann::json::array({n})};
}

/// A standalone server and a connection to it.
class PartitionLogTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_EQ(servers_.error(), "");
    c_ = connect_or_fail(servers_.url_list(), std::chrono::seconds(1));
    ASSERT_TRUE(c_);
  }
  nats_servers servers_{1};
  std::unique_ptr<nats_client> c_;
};

TEST_F(PartitionLogTest, AppendsFollowTheExpectedSequence) {
  auto& c = c_;
  ASSERT_TRUE(ensure_partition_stream(*c, 0, 1));
  ASSERT_TRUE(ensure_partition_stream(*c, 0, 1)); // idempotent
  EXPECT_EQ(*last_sequence(*c, 0), 0u);
  auto first = append(*c, 0, batch_of("a", 1), 0);
  ASSERT_TRUE(first) << first.err().message;
  EXPECT_EQ(*first, 1u);
  auto second = append(*c, 0, batch_of("a", 2), 1);
  ASSERT_TRUE(second) << second.err().message;
  EXPECT_EQ(*second, 2u);
  EXPECT_EQ(*last_sequence(*c, 0), 2u);
  auto back = read_record(*c, 0, 2);
  ASSERT_TRUE(back) << back.err().message;
  EXPECT_EQ(*back, batch_of("a", 2));
  EXPECT_EQ(read_record(*c, 0, 3).err().code, core::errc::not_found);
}

TEST_F(PartitionLogTest, StaleOrFutureExpectationsAreFenced) {
  auto& c = c_;
  ASSERT_TRUE(ensure_partition_stream(*c, 5, 1));
  ASSERT_TRUE(append(*c, 5, batch_of("a", 1), 0));
  ASSERT_TRUE(append(*c, 5, batch_of("a", 2), 1));
  for (std::uint64_t expected : {0u, 1u, 3u, 100u}) {
    auto r = append(*c, 5, batch_of("b", 3), expected);
    ASSERT_FALSE(r) << expected;
    EXPECT_TRUE(is_fenced(r.err())) << r.err().message;
    EXPECT_NE(r.err().message.find("fenced: append to SB_P05 expecting last "
                                   "sequence " +
                                   std::to_string(expected)),
              std::string::npos)
      << r.err().message;
  }
  EXPECT_EQ(append(*c, 5, batch_of("b", 3), 1).err().message,
            "fenced: append to SB_P05 expecting last sequence 1: wrong last "
            "sequence: 2 (JetStream error 10071)");
  EXPECT_EQ(*last_sequence(*c, 5), 2u); // nothing was written
}

TEST_F(PartitionLogTest, AMissingStreamIsNotFenced) {
  auto& c = c_;
  auto r = append(*c, 9, batch_of("a", 1), 0);
  ASSERT_FALSE(r);
  EXPECT_FALSE(is_fenced(r.err())) << r.err().message;
  EXPECT_FALSE(last_sequence(*c, 9));
}

/// Waits (bounded) until an append through `c` reaches the stream's leader:
/// just after a stream is created, a server may not know its subject yet
/// and answer "no responders". The probe expects a sequence the stream
/// cannot have, so it is always fenced and writes nothing.
bool reaches_leader(nats_client& c, int partition) {
  for (int i = 0; i < 100; ++i) {
    auto r = append(c, partition, batch_of("probe", 0), 1u << 30);
    if (!r && is_fenced(r.err()))
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

/// Two nodes (connections to different servers) append with the same
/// expectation at the same moment; returns how many succeeded, and checks
/// that every failure was the fence.
int race(nats_client& a, nats_client& b, int partition,
         std::uint64_t expected) {
  EXPECT_TRUE(reaches_leader(a, partition) && reaches_leader(b, partition));
  std::latch start(2);
  core::result<std::uint64_t> ra = core::internal_error("not run");
  core::result<std::uint64_t> rb = core::internal_error("not run");
  std::thread ta([&] {
    start.arrive_and_wait();
    ra = append(a, partition, batch_of("a", 1), expected);
  });
  std::thread tb([&] {
    start.arrive_and_wait();
    rb = append(b, partition, batch_of("b", 1), expected);
  });
  ta.join();
  tb.join();
  int wins = 0;
  for (auto* r : {&ra, &rb}) {
    if (*r) {
      ++wins;
      EXPECT_EQ(**r, expected + 1);
    } else {
      EXPECT_TRUE(is_fenced(r->err())) << r->err().message;
    }
  }
  return wins;
}

class PartitionLogClusterTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_EQ(servers_.error(), "");
    a_ = connect_or_fail({servers_.url_list()[0]});
    b_ = connect_or_fail({servers_.url_list()[1]});
    ASSERT_TRUE(a_ && b_);
  }
  nats_servers servers_{3};
  std::unique_ptr<nats_client> a_, b_;
};

TEST_F(PartitionLogClusterTest, ConcurrentAppendsExactlyOneWins) {
  ASSERT_TRUE(ensure_partition_stream(*a_, 0, 3));
  ASSERT_TRUE(append(*a_, 0, batch_of("a", 0), 0));
  for (int round = 0; round < 20; ++round) {
    auto last = last_sequence(*a_, 0);
    ASSERT_TRUE(last) << last.err().message;
    EXPECT_EQ(race(*a_, *b_, 0, *last), 1) << "round " << round;
    EXPECT_EQ(*last_sequence(*b_, 0), *last + 1) << "round " << round;
  }
  auto stale = append(*b_, 0, batch_of("b", 2), 5);
  ASSERT_FALSE(stale);
  EXPECT_TRUE(is_fenced(stale.err())) << stale.err().message;
}

TEST_F(PartitionLogClusterTest, ConcurrentFirstAppendsOnAnEmptyStream) {
  for (int p = 1; p <= 10; ++p) {
    ASSERT_TRUE(ensure_partition_stream(*a_, p, 3));
    EXPECT_EQ(race(*a_, *b_, p, 0), 1) << "partition " << p;
    EXPECT_EQ(*last_sequence(*a_, p), 1u) << "partition " << p;
  }
}

TEST_F(PartitionLogClusterTest, NoQuorumIsUnavailableNotFenced) {
  ASSERT_TRUE(ensure_partition_stream(*a_, 0, 3));
  ASSERT_TRUE(append(*a_, 0, batch_of("a", 0), 0));
  servers_.kill(0);
  servers_.kill(1);
  auto c = connect_or_fail({servers_.url_list()[2]}, std::chrono::seconds(1));
  ASSERT_TRUE(c);
  auto r = append(*c, 0, batch_of("c", 1), 1);
  ASSERT_FALSE(r);
  EXPECT_FALSE(is_fenced(r.err())) << r.err().message;
  EXPECT_EQ(r.err().code, core::errc::overloaded) << r.err().message;
}

} // namespace
} // namespace switchboard::cluster
