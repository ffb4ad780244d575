// Memory flushes across a failover (shared/CLUSTER.md, issue 17 item 4):
// each partition's supervisor runs on its owner, and a session's
// `expiry_finalized` travels in the log like every other write. So a
// session that the old owner expired and flushed is not flushed again by
// the node that takes the partition over, and one the old owner never
// expired is flushed by the new owner, once.

#include "cluster/replicated_writer.hpp"

#include "tests/cluster/replicated_owner_fixture.hpp"

#include <filesystem>
#include <mutex>
#include <set>

namespace switchboard::cluster {
namespace {

using actors::testing::telegram_dm;
using actors::testing::wait_for;
using namespace std::chrono_literals;

/// The session ids a node's flush hook was called for, in order.
struct flushed_sessions {
  std::mutex mtx;
  std::vector<std::string> ids;

  std::function<core::status(const nlohmann::json&)> hook() {
    return [this](const nlohmann::json& payload) -> core::status {
      std::lock_guard lock(mtx);
      ids.push_back(payload.value("session_id", ""));
      return {};
    };
  }
  std::vector<std::string> list() {
    std::lock_guard lock(mtx);
    return ids;
  }
};

class ExpiryFailoverTest : public owner_testing::replicated_owner_fixture {
protected:
  /// Starts node `node`'s engine on `cfg` (its data dir), replicating
  /// partition 0, with `flushed` as its flush hook.
  std::unique_ptr<actors::testable_engine>
  start_node(const core::settings& cfg, const std::string& node,
             flushed_sessions& flushed) {
    actors::engine_options opts;
    opts.start.replicate =
      replicate_to({nats_, owner_testing::partition, node});
    opts.flush_hook = flushed.hook();
    auto e = actors::start_with(cfg, clock_, std::move(opts));
    EXPECT_TRUE(e) << e.err().message;
    return e ? std::move(*e) : nullptr;
  }

  std::string route_four(actors::engine& e, const std::string& chat) {
    std::string session;
    for (int i = 0; i < 4; ++i) { // flush.min_messages
      auto r = wait_for<actors::route_reply>(
        [&](actors::completion<actors::route_reply> d) {
          e.route(
            {telegram_dm(chat), actors::testing::user_msg("remember"), false},
            std::move(d));
        });
      EXPECT_TRUE(r);
      if (r)
        session = r->session_id;
    }
    return session;
  }

  actors::sweep_report sweep(actors::engine& e) {
    auto swept = wait_for<actors::sweep_report>(
      [&](actors::completion<actors::sweep_report> d) { e.expire_now(d); });
    EXPECT_TRUE(swept) << swept.err().message;
    return swept ? *swept : actors::sweep_report{};
  }
};

TEST_F(ExpiryFailoverTest, EachExpiredSessionIsFlushedOnceAcrossATakeover) {
  flushed_sessions at_a, at_b;
  auto a = start_node(cfg_, "a", at_a);
  ASSERT_TRUE(a);
  auto flushed_by_a = route_four(*a, "1");
  clock_->advance(std::chrono::hours(48));
  auto report = sweep(*a);
  EXPECT_EQ(report.expired, 1);
  EXPECT_EQ(report.flushed, 1);
  // Chat 2's session is due only after the failover: A never expires it.
  auto left_to_b = route_four(*a, "2");
  a->stop(); // A dies; B's standby file catches up, B takes over

  auto b_cfg = cfg_;
  b_cfg.data_dir = dir_.file("b");
  std::filesystem::create_directories(b_cfg.data_dir);
  caught_up_standby("b/state");
  auto b = start_node(b_cfg, "b", at_b);
  ASSERT_TRUE(b);
  clock_->advance(std::chrono::hours(48));
  report = sweep(*b);
  EXPECT_EQ(report.expired, 1);
  EXPECT_EQ(report.flushed, 1);
  EXPECT_EQ(sweep(*b).flushed, 0); // and never again

  EXPECT_EQ(at_a.list(), std::vector<std::string>{flushed_by_a});
  EXPECT_EQ(at_b.list(), std::vector<std::string>{left_to_b});
}

} // namespace
} // namespace switchboard::cluster
