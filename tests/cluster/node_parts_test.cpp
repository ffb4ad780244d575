// The pure parts of a cluster node (cluster/node.hpp, job_thread.hpp,
// periodic_thread.hpp): the settings check against the stored config, the
// heartbeat period, and the two threads' contracts. No NATS.

#include "cluster/job_thread.hpp"
#include "cluster/node.hpp"
#include "cluster/periodic_thread.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace switchboard::cluster {
namespace {

using namespace std::chrono_literals;

TEST(NodeSettingsTest, MustMatchTheStoredConfigFieldByField) {
  EXPECT_TRUE(check_matches_stored({16, 3, 5}, {16, 3, 5}));
  auto one = check_matches_stored({8, 3, 5}, {16, 3, 5});
  ASSERT_FALSE(one);
  EXPECT_EQ(one.err().code, core::errc::conflict);
  EXPECT_EQ(one.err().message,
            "cluster.partitions is 8 in this node's settings, but the "
            "cluster was initialised with 16 (fixed by cluster init): set "
            "the same values in the node's cluster settings");
  auto two = check_matches_stored({16, 1, 2}, {16, 3, 5});
  ASSERT_FALSE(two);
  EXPECT_EQ(two.err().message,
            "cluster.replicas is 1 in this node's settings, but the cluster "
            "was initialised with 3; cluster.member_ttl_seconds is 2 in this "
            "node's settings, but the cluster was initialised with 5 (fixed "
            "by cluster init): set the same values in the node's cluster "
            "settings");
}

TEST(NodeSettingsTest, HeartbeatIsEverySecondOrAThirdOfTheTtl) {
  EXPECT_EQ(heartbeat_period(5), 1000ms);
  EXPECT_EQ(heartbeat_period(3), 1000ms);
  EXPECT_EQ(heartbeat_period(2), 666ms);
  EXPECT_EQ(heartbeat_period(1), 333ms);
}

TEST(JobThreadTest, RunsJobsInOrderAndEveryAcceptedOneBeforeStopping) {
  std::promise<void> release;
  auto gate = release.get_future().share();
  std::vector<int> ran;
  job_thread jobs(3);
  ASSERT_TRUE(jobs.post([gate, &ran] {
    gate.wait();
    ran.push_back(1);
  }));
  // The first job may still be queued or running: fill the queue.
  int accepted = 1;
  while (jobs.post([&ran, n = accepted + 1] { ran.push_back(n); }))
    ++accepted;
  EXPECT_GE(accepted, 3); // bound 3 waiting (+1 when the first has started)
  EXPECT_LE(accepted, 4);
  release.set_value();
  jobs.stop();
  ASSERT_EQ(ran.size(), static_cast<std::size_t>(accepted));
  for (int i = 0; i < accepted; ++i)
    EXPECT_EQ(ran[i], i + 1);
  EXPECT_FALSE(jobs.post([] {})); // stopped
}

TEST(PeriodicThreadTest, StopWakesItWithoutWaitingForThePeriod) {
  std::atomic<int> runs{0};
  periodic_thread t(std::chrono::hours(1), [&runs] { ++runs; });
  t.stop(); // returns at once: the condition variable wakes the thread
  t.stop(); // idempotent
  EXPECT_EQ(runs.load(), 0);
}

TEST(PeriodicThreadTest, RunsTheTaskRepeatedly) {
  std::promise<void> third;
  std::atomic<int> runs{0};
  periodic_thread t(1ms, [&] {
    if (++runs == 3)
      third.set_value();
  });
  third.get_future().wait();
  t.stop();
  EXPECT_GE(runs.load(), 3);
}

} // namespace
} // namespace switchboard::cluster
