// The replicated writer (cluster/replicated_writer.hpp) under a real engine
// (engine::start on a temporary data dir, manual clock) on the 3-server R3
// JetStream cluster: every write transaction of the engine (routes,
// appends, resets, usage, expiry, retention, the write-behind fold) is a
// record of the partition's log, so a standby that catches up holds the
// same file; a takeover deposes the engine ("moved", nothing local
// changes); NATS without quorum is overloaded, then the engine catches up
// and writes again; a large routed batch is cut below the record limit.

#include "cluster/replicated_writer.hpp"

#include "cluster/standby.hpp"
#include "tests/cluster/replicated_owner_fixture.hpp"

#include <filesystem>
#include <thread>

namespace switchboard::cluster {
namespace {

using actors::completion;
using actors::route_reply;
using actors::route_request;
using actors::testing::telegram_dm;
using actors::testing::user_msg;
using actors::testing::wait_for;
using namespace std::chrono_literals;

using owner_testing::file_state;
using owner_testing::partition;
using owner_testing::state_of;

class ReplicatedWriterTest : public owner_testing::replicated_owner_fixture {};

TEST_F(ReplicatedWriterTest, EveryWriteOfTheEngineIsInTheLog) {
  cfg_.retention.max_ended_sessions = 1;
  ASSERT_TRUE(start(nats_));
  auto after_start = log_end();
  EXPECT_EQ(after_start, 2u); // genesis, the engine's takeover
  for (int i = 0; i < 3; ++i)
    for (const char* chat : {"1", "2", "3"})
      ASSERT_TRUE(
        route(telegram_dm(chat), "hello number " + std::to_string(i)));
  auto key = core::build_session_key(telegram_dm("1"), cfg_.keys);
  core::usage_update u;
  u.input_tokens = 10;
  u.model = "gpt";
  ASSERT_TRUE(wait_for<core::session_entry>(
    [&](completion<core::session_entry> d) { eng_->update_usage(key, u, d); }));
  // Two resets on a key: two ended sessions, retention keeps one.
  for (int i = 0; i < 2; ++i)
    ASSERT_TRUE(route(telegram_dm("1"), "again", true));
  auto pruned = wait_for<actors::prune_report>(
    [&](completion<actors::prune_report> d) { eng_->apply_retention(d); });
  ASSERT_TRUE(pruned);
  EXPECT_EQ(pruned->pruned, 1);
  // Expiry: a day later every entry is idle-expired (finalized, ended).
  clock_->advance(std::chrono::hours(48));
  auto swept = wait_for<actors::sweep_report>(
    [&](completion<actors::sweep_report> d) { eng_->expire_now(d); });
  ASSERT_TRUE(swept);
  EXPECT_EQ(swept->expired, 3);
  eng_->stop(); // the last commit folds the derived state in
  EXPECT_GT(log_end(), after_start + 5);

  auto owner = state_of(owner_path());
  EXPECT_EQ(owner.applied, static_cast<std::int64_t>(log_end()));
  // The write-behind fold is in the file (and so, by the equality below,
  // in the log): the watermark covers every message.
  {
    auto r = persistence::open_reader(owner_path());
    ASSERT_TRUE(r);
    auto folded = (*r)->db().scalar("SELECT watermark FROM derived_state");
    auto newest = (*r)->db().scalar("SELECT MAX(id) FROM messages");
    ASSERT_TRUE(folded && newest && *folded && *newest);
    EXPECT_EQ(**folded, **newest);
    EXPECT_GT(**newest, 0);
  }
  auto standby = state_of(caught_up_standby("standby"));
  EXPECT_EQ(standby.applied, owner.applied);
  EXPECT_EQ(standby.tables, owner.tables);
}

TEST_F(ReplicatedWriterTest, ATakeoverDeposesTheEngineAndChangesNothing) {
  ASSERT_TRUE(start(nats_));
  ASSERT_TRUE(route(telegram_dm(), "before the takeover"));
  // Another node (on another server) catches up and takes over.
  auto other = connect_to({servers_.url_list()[1]});
  ASSERT_TRUE(other);
  auto path = dir_.file("b.db");
  auto b = persistence::open_writer(path, core::durability::normal,
                                    persistence::open_fold::deferred);
  ASSERT_TRUE(b);
  auto owned = take_over(*other, partition, (*b)->db().raw(), "b");
  ASSERT_TRUE(owned) << owned.err().message;
  auto before = state_of(owner_path());

  auto r = route(telegram_dm(), "after the takeover");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, core::errc::overloaded);
  EXPECT_EQ(
    r.err().message.rfind("moved: partition 0 is owned by another node", 0), 0u)
    << r.err().message;
  // At once from now on, without asking NATS.
  auto again = route(telegram_dm("7"), "still deposed");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.err().message.rfind("moved: ", 0), 0u) << again.err().message;
  EXPECT_EQ(log_end(), owned->seq);
  eng_->stop();
  EXPECT_EQ(state_of(owner_path()), before);
}

TEST_F(ReplicatedWriterTest, WithoutQuorumOverloadedThenItCatchesUpAndWrites) {
  auto c = connect_to({servers_.url_list()[0]}, 1s);
  ASSERT_TRUE(c);
  ASSERT_TRUE(start(c));
  ASSERT_TRUE(route(telegram_dm(), "with quorum"));
  servers_.kill(1);
  servers_.kill(2);
  auto r = route(telegram_dm(), "without quorum");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, core::errc::overloaded) << r.err().message;
  EXPECT_EQ(r.err().message.rfind("moved: ", 0), std::string::npos)
    << r.err().message;
  servers_.restart(1);
  servers_.restart(2);
  // Bounded: the servers rejoin and elect a leader within seconds.
  core::result<route_reply> ok = core::overloaded("not tried");
  auto end = std::chrono::steady_clock::now() + 60s;
  while (!ok && std::chrono::steady_clock::now() < end) {
    ok = route(telegram_dm(), "with quorum again");
    if (!ok) {
      ASSERT_EQ(ok.err().code, core::errc::overloaded) << ok.err().message;
      ASSERT_EQ(ok.err().message.rfind("moved: ", 0), std::string::npos)
        << ok.err().message;
      std::this_thread::sleep_for(200ms);
    }
  }
  ASSERT_TRUE(ok) << ok.err().message;
  eng_->stop();
  nats_ = connect_to(servers_.url_list());
  ASSERT_TRUE(nats_);
  auto owner = state_of(owner_path());
  EXPECT_EQ(owner.applied, static_cast<std::int64_t>(log_end()));
  EXPECT_EQ(state_of(caught_up_standby("standby")), owner);
}

/// Routes `n` messages of about 1 KB on n keys at once (one route_batch).
std::vector<core::result<route_reply>> route_many(actors::engine& e, int n,
                                                  const std::string& filler) {
  std::vector<route_request> reqs;
  for (int i = 0; i < n; ++i)
    reqs.push_back({telegram_dm("chat" + std::to_string(i)),
                    user_msg(std::to_string(i) + " " + filler), false});
  std::promise<std::vector<core::result<route_reply>>> p;
  auto f = p.get_future();
  e.route_batch(std::move(reqs),
                [&](auto replies) { p.set_value(std::move(replies)); });
  return f.get();
}

std::string kilobyte(const std::string& word) {
  std::string out;
  while (out.size() < 1000)
    out += word + std::to_string(out.size()) + " ";
  return out;
}

TEST_F(ReplicatedWriterTest,
       KilobyteMessagesRoundAfterRoundAreCutBelowTheLimit) {
  ASSERT_TRUE(start(nats_));
  auto first = log_end() + 1;
  // Round after round: the search indexes' pages stay out of the records
  // (cluster/search_index.hpp). With them in, FTS5's segment merges made a
  // batch of the third round a 1.7 MB record and every later write failed.
  for (int round = 0; round < 4; ++round) {
    auto replies =
      route_many(*eng_, 2000, kilobyte("lorem" + std::to_string(round)));
    ASSERT_EQ(replies.size(), 2000u);
    for (const auto& r : replies)
      ASSERT_TRUE(r) << "round " << round << ": " << r.err().message;
  }
  eng_->stop();
  auto last = log_end();
  std::size_t largest = 0;
  for (auto seq = first; seq <= last; ++seq) {
    auto r = read_record(*nats_, partition, seq);
    ASSERT_TRUE(r);
    largest = std::max(largest, encode(*r).size());
  }
  EXPECT_GT(last - first, 4u); // cut into several records
  EXPECT_LE(largest, 1000000u);
  auto owner = state_of(owner_path());
  EXPECT_EQ(state_of(caught_up_standby("standby")), owner);
}

TEST_F(ReplicatedWriterTest, ATransactionThatChangesNothingPublishesNothing) {
  auto path = dir_.file("direct.db");
  auto inner = persistence::open_writer(path, core::durability::normal,
                                        persistence::open_fold::deferred);
  ASSERT_TRUE(inner);
  auto w = replicated_writer::open(std::move(*inner), {nats_, partition, "a"});
  ASSERT_TRUE(w) << w.err().message;
  auto end = log_end();
  EXPECT_EQ((*w)->applied(), end);
  ASSERT_TRUE((*w)->begin());
  ASSERT_TRUE((*w)->commit());
  EXPECT_EQ(log_end(), end);
  ASSERT_TRUE((*w)->begin());
  ASSERT_TRUE((*w)->ensure_session("s1", "telegram", testing::at_seconds(1)));
  ASSERT_TRUE((*w)->commit());
  EXPECT_EQ(log_end(), end + 1);
  EXPECT_EQ((*w)->applied(), end + 1);
}

// After a crash, messages above the derived-state watermark are in the
// file and in the log, not yet folded in. The engine's start must not fold
// them in locally (open_writer's recovery fold): the file would differ from
// its replicas.
TEST_F(ReplicatedWriterTest, AStartLeavesUnfoldedRowsToAPublishedFold) {
  std::filesystem::create_directories(cfg_.data_dir);
  {
    auto inner = persistence::open_writer(
      owner_path(), core::durability::normal, persistence::open_fold::deferred);
    ASSERT_TRUE(inner);
    auto w =
      replicated_writer::open(std::move(*inner), {nats_, partition, "a"});
    ASSERT_TRUE(w) << w.err().message;
    (*w)->set_write_behind(true); // as the engine runs it
    ASSERT_TRUE((*w)->begin());
    ASSERT_TRUE((*w)->ensure_session("s1", "telegram", testing::at_seconds(1)));
    ASSERT_TRUE((*w)->append_message("s1", testing::msg("user", "unfolded"),
                                     testing::at_seconds(2)));
    ASSERT_TRUE((*w)->commit());
  } // gone without a fold, as after a kill -9
  ASSERT_TRUE(start(nats_));
  eng_->stop();
  auto owner = state_of(owner_path());
  EXPECT_EQ(state_of(caught_up_standby("standby")), owner);
}

TEST_F(ReplicatedWriterTest, AStandbyTailsTheOwnerAndTakesOverWithAllItAcked) {
  ASSERT_TRUE(start(nats_));
  auto other = connect_to({servers_.url_list()[1]});
  ASSERT_TRUE(other);
  auto b_dir = dir_.file("b");
  std::filesystem::create_directories(b_dir);
  auto tail = standby::start(other, partition, b_dir + "/state.db");
  ASSERT_TRUE(tail) << tail.err().message;
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(route(telegram_dm(std::to_string(i)), "acknowledged"));
  // Bounded: the standby polls every 200 ms.
  auto log_end_now = settled_log_end();
  auto end = std::chrono::steady_clock::now() + 20s;
  while ((*tail)->applied() < log_end_now &&
         std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(20ms);
  EXPECT_EQ((*tail)->applied(), log_end_now);
  EXPECT_FALSE((*tail)->last_error());
  (*tail)->stop();

  // B takes over: its engine starts on the standby's file.
  auto b_cfg = cfg_;
  b_cfg.data_dir = b_dir;
  actors::engine_options opts;
  opts.start.replicate = replicate_to({other, partition, "b"});
  auto b = actors::start_with(b_cfg, clock_, std::move(opts));
  ASSERT_TRUE(b) << b.err().message;
  std::promise<std::int64_t> count;
  (*b)->read([&](core::store_reader& r) {
    auto n = r.message_count(std::nullopt);
    count.set_value(n ? *n : -1);
  });
  EXPECT_EQ(count.get_future().get(), 5);
  auto moved = route(telegram_dm("0"), "to the old owner");
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.err().message.rfind("moved: ", 0), 0u) << moved.err().message;
  auto at_b = wait_for<route_reply>([&](completion<route_reply> d) {
    (*b)->route({telegram_dm("0"), user_msg("to the new owner"), false},
                std::move(d));
  });
  EXPECT_TRUE(at_b) << at_b.err().message;
}

} // namespace
} // namespace switchboard::cluster
