// Snapshots and the trimmed log (cluster/snapshot.hpp) with a real owner
// engine on the 3-server R3 cluster: the owner the log names publishes a
// snapshot (nobody else may), the log is trimmed below it, a file behind
// the trimmed log (a new, empty one, or one that was away) can no longer
// catch up from the log alone, and a standby on it installs the snapshot,
// tails the rest and equals the owner; a newer snapshot replaces the older;
// an install a crash interrupted is finished when the file is next opened.

#include "cluster/snapshot.hpp"

#include "cluster/standby.hpp"
#include "tests/cluster/replicated_owner_fixture.hpp"

#include <filesystem>
#include <fstream>
#include <thread>

namespace switchboard::cluster {
namespace {

using actors::testing::telegram_dm;
using owner_testing::partition;
using owner_testing::state_of;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

class SnapshotTest : public owner_testing::replicated_owner_fixture {
protected:
  void route_some(int n, const std::string& text) {
    for (int i = 0; i < n; ++i)
      ASSERT_TRUE(route(telegram_dm(std::to_string(i % 3)),
                        text + " " + std::to_string(i)));
  }

  log_bounds bounds() {
    auto b = bounds_of(*nats_, partition);
    EXPECT_TRUE(b);
    return b ? *b : log_bounds{};
  }

  /// A standby on `path` until it has applied the whole log (bounded).
  void tail_to_the_end(const std::string& path) {
    auto s = standby::start(nats_, partition, path);
    ASSERT_TRUE(s) << s.err().message;
    auto log_end_now = settled_log_end();
    auto end = std::chrono::steady_clock::now() + 20s;
    while ((*s)->applied() < log_end_now &&
           std::chrono::steady_clock::now() < end)
      std::this_thread::sleep_for(20ms);
    EXPECT_EQ((*s)->applied(), log_end_now);
    auto error = (*s)->last_error();
    EXPECT_FALSE(error) << error->message;
  }

  std::uint64_t snapshot_stream_messages() {
    jsStreamInfo* raw = nullptr;
    EXPECT_EQ(
      js_GetStreamInfo(&raw, nats_->js(), "SB_SNAPSHOTS", nullptr, nullptr),
      NATS_OK);
    stream_info_ptr info{raw};
    return info ? info->State.Msgs : 0;
  }

  snapshot_policy policy_{5, 3}; // every 5 records, keep 3
};

TEST_F(SnapshotTest, AFileBehindTheTrimmedLogContinuesFromTheSnapshot) {
  ASSERT_TRUE(ensure_snapshot_stream(*nats_, 3));
  ASSERT_TRUE(start(nats_));
  route_some(3, "early");
  auto away = caught_up_standby("away"); // then it is away for a while
  route_some(12, "acknowledged");
  std::uint64_t last_snapshot = 0;
  auto made = snapshot_if_due(*nats_, partition, owner_path(), "a", policy_,
                              last_snapshot);
  ASSERT_TRUE(made) << made.err().message;
  ASSERT_TRUE(*made);
  EXPECT_EQ((*made)->seq, last_snapshot);
  EXPECT_EQ((*made)->node, "a");
  EXPECT_GE((*made)->seq, 15u);
  EXPECT_EQ(bounds().first, (*made)->seq - 3 + 1); // three records kept
  auto again = snapshot_if_due(*nats_, partition, owner_path(), "a", policy_,
                               last_snapshot);
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again); // not due: no records since
  route_some(4, "after the snapshot");

  // From the log alone, neither file can continue.
  for (const auto& path : {away, dir_.file("empty.db")}) {
    auto w = persistence::open_writer(path, core::durability::normal,
                                      persistence::open_fold::deferred);
    ASSERT_TRUE(w);
    auto reached = catch_up(*nats_, partition, (*w)->db().raw());
    ASSERT_FALSE(reached) << path;
    EXPECT_TRUE(is_trimmed(reached.err())) << reached.err().message;
  }
  eng_->stop(); // its last fold is published too
  auto owner = state_of(owner_path());
  EXPECT_EQ(owner.applied, static_cast<std::int64_t>(log_end()));
  for (const auto& path : {away, dir_.file("new/state.db")}) {
    fs::create_directories(fs::path(path).parent_path());
    tail_to_the_end(path);
    auto copy = state_of(path);
    EXPECT_EQ(copy.applied, owner.applied) << path;
    EXPECT_EQ(copy.tables, owner.tables) << path;
    EXPECT_FALSE(fs::exists(path + ".snapshot"));
    EXPECT_FALSE(fs::exists(path + ".snapshot.tmp"));
  }
}

TEST_F(SnapshotTest, OnlyTheOwnerTheLogNamesPublishesOne) {
  ASSERT_TRUE(ensure_snapshot_stream(*nats_, 3));
  ASSERT_TRUE(start(nats_));
  route_some(2, "hello");
  auto refused = publish_snapshot(*nats_, partition, owner_path(), "b");
  ASSERT_FALSE(refused);
  EXPECT_TRUE(is_conflict(refused.err())) << refused.err().message;
  auto latest = latest_snapshot(*nats_, partition);
  ASSERT_TRUE(latest);
  EXPECT_FALSE(*latest);
  auto none = bootstrap_from_snapshot(*nats_, partition, dir_.file("x.db"));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.err().code, core::errc::not_found);
}

TEST_F(SnapshotTest, ANewerSnapshotReplacesTheOlder) {
  ASSERT_TRUE(ensure_snapshot_stream(*nats_, 3));
  ASSERT_TRUE(start(nats_));
  route_some(3, "first");
  auto first = publish_snapshot(*nats_, partition, owner_path(), "a");
  ASSERT_TRUE(first) << first.err().message;
  route_some(3, "second");
  auto second = publish_snapshot(*nats_, partition, owner_path(), "a");
  ASSERT_TRUE(second) << second.err().message;
  EXPECT_GT(second->seq, first->seq);
  auto latest = latest_snapshot(*nats_, partition);
  ASSERT_TRUE(latest && *latest);
  EXPECT_EQ((*latest)->seq, second->seq);
  EXPECT_EQ((*latest)->chunks, second->chunks);
  // Only the newest snapshot's chunks and its manifest are stored.
  EXPECT_EQ(snapshot_stream_messages(), second->chunks.size() + 1);
}

TEST_F(SnapshotTest, AnInterruptedInstallIsFinishedWhenTheFileIsNextOpened) {
  ASSERT_TRUE(ensure_snapshot_stream(*nats_, 3));
  ASSERT_TRUE(start(nats_));
  route_some(4, "hello");
  eng_->stop(); // nothing after the snapshot: the files compare exactly
  auto made = publish_snapshot(*nats_, partition, owner_path(), "a");
  ASSERT_TRUE(made) << made.err().message;
  // A crash after the snapshot was staged: <file>.snapshot complete, the
  // old file and its WAL (here: garbage) still in place.
  auto staging = dir_.file("staging.db");
  ASSERT_TRUE(bootstrap_from_snapshot(*nats_, partition, staging));
  auto target = dir_.file("target/state.db");
  fs::create_directories(fs::path(target).parent_path());
  fs::copy_file(staging, target + ".snapshot");
  std::ofstream(target) << "the old file";
  std::ofstream(target + "-wal") << "its WAL, never to be applied";

  auto s = standby::start(nats_, partition, target);
  ASSERT_TRUE(s) << s.err().message;
  EXPECT_EQ((*s)->applied(), made->seq);
  (*s)->stop();
  EXPECT_FALSE(fs::exists(target + ".snapshot"));
  EXPECT_EQ(state_of(target).tables, state_of(staging).tables);
}

} // namespace
} // namespace switchboard::cluster
