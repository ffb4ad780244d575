#pragma once

// The owner of partition 0 under a real engine (engine::start on a
// temporary data dir, manual clock) replicating into its log on a 3-server
// R3 JetStream cluster, with what the replication tests compare: a file's
// stored tables and applied sequence, and standby files caught up from the
// log. Shared by ReplicatedWriterTest and SnapshotTest.

#include "cluster/partition_log.hpp"
#include "cluster/replica.hpp"
#include "cluster/replicated_writer.hpp"
#include "tests/cluster/cluster_test_util.hpp"
#include "tests/cluster/replica_test_util.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/actors/engine_fixture.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>

namespace switchboard::cluster::owner_testing {

using namespace std::chrono_literals;

inline constexpr int partition = 0;

/// Every stored table of the file at `path` and its applied sequence.
struct file_state {
  std::map<std::string, std::string> tables;
  std::int64_t applied = -1;
  friend bool operator==(const file_state&, const file_state&) = default;
};

inline file_state state_of(const std::string& path) {
  auto r = persistence::open_reader(path);
  EXPECT_TRUE(r) << path;
  if (!r)
    return {};
  file_state out{testing::dump_all((*r)->db()), -1};
  auto seq =
    (*r)->db().scalar("SELECT seq FROM cluster_applied WHERE partition = " +
                      std::to_string(partition));
  if (seq && *seq)
    out.applied = **seq;
  return out;
}

class replicated_owner_fixture : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_EQ(servers_.error(), "");
    nats_ = connect_to(servers_.url_list());
    ASSERT_TRUE(nats_);
    ASSERT_TRUE(ensure_partition_stream(*nats_, partition, 3));
    ASSERT_TRUE(
      append(*nats_, partition, {record_kind::genesis, 0, "", {}}, 0));
    cfg_.data_dir = dir_.file("owner");
    cfg_.reset.timezone = "UTC";
    cfg_.actors.threads = 2;
    cfg_.actors.shards = 4;
    cfg_.expiry_interval_seconds = 3600; // expiry runs on expire_now only
    clock_ = std::make_shared<core::manual_clock>(
      actors::testing::at("2026-11-21T10:00:00Z"));
  }
  void TearDown() override { eng_.reset(); }

  std::shared_ptr<nats_client>
  connect_to(const std::vector<std::string>& urls,
             std::chrono::milliseconds timeout = 5s) {
    return std::shared_ptr<nats_client>(
      testing::connect_or_fail(urls, timeout));
  }

  /// Starts the owner's engine replicating through `c` as node "a".
  core::status start(std::shared_ptr<nats_client> c, std::size_t limit = 0) {
    actors::engine_options opts;
    opts.start.replicate = replicate_to({std::move(c), partition, "a", limit});
    auto e = actors::start_with(cfg_, clock_, std::move(opts));
    if (!e)
      return e.err();
    eng_ = std::move(*e);
    return {};
  }

  core::result<actors::route_reply> route(core::source s, std::string text,
                                          bool force_new = false) {
    using actors::route_reply;
    return actors::testing::wait_for<route_reply>(
      [&](actors::completion<route_reply> d) {
        eng_->route(
          {std::move(s), actors::testing::user_msg(std::move(text)), force_new},
          std::move(d));
      });
  }

  std::string owner_path() const { return cfg_.data_dir + "/state.db"; }

  /// A standby file caught up to the end of the log, opened as a partition
  /// file is (no recovery fold); returns its path.
  std::string caught_up_standby(const std::string& name) {
    auto path = dir_.file(name + ".db");
    auto w = persistence::open_writer(path, core::durability::normal,
                                      persistence::open_fold::deferred);
    EXPECT_TRUE(w);
    if (!w)
      return path;
    auto reached = catch_up(*nats_, partition, (*w)->db().raw());
    EXPECT_TRUE(reached) << (reached ? "" : reached.err().message);
    return path;
  }

  std::uint64_t log_end() {
    auto last = last_sequence(*nats_, partition);
    EXPECT_TRUE(last);
    return last ? *last : 0;
  }

  /// The log's end once it stopped growing. A running engine still
  /// publishes after its last reply: its idle write-behind fold commits
  /// (and so appends a record) about 50 ms later. So the end counts once it
  /// stayed the same for 500 ms (bounded: 10 s).
  std::uint64_t settled_log_end() {
    using steady = std::chrono::steady_clock;
    auto deadline = steady::now() + std::chrono::seconds(10);
    auto end = log_end();
    auto unchanged_since = steady::now();
    while (steady::now() < deadline &&
           steady::now() - unchanged_since < std::chrono::milliseconds(500)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (auto now_end = log_end(); now_end != end) {
        end = now_end;
        unchanged_since = steady::now();
      }
    }
    return end;
  }

  testing::nats_servers servers_{3};
  testing::temp_dir dir_;
  std::shared_ptr<nats_client> nats_;
  core::settings cfg_;
  std::shared_ptr<core::manual_clock> clock_;
  std::unique_ptr<actors::testable_engine> eng_;
};

} // namespace switchboard::cluster::owner_testing
