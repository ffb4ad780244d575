// cluster::node_partitions against one nats-server with a real engine: a
// partition served here whose writer another node's takeover deposed stops
// being served at once (its calls are forwarded), even in a pass that could
// not read the log's facts; before that, its reads would be stale. A
// handoff whose write failed is written by a later pass.

#include "cluster/admin.hpp"
#include "cluster/node_partitions.hpp"
#include "cluster/partition_log.hpp"
#include "cluster/remote_engine.hpp"

#include "tests/cluster/rpc_test_util.hpp"

namespace switchboard::testing {
namespace {

using namespace std::chrono_literals;

class NodePartitionsTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_EQ(servers_.error(), "");
    nats_ = connect_or_fail(servers_.url_list());
    ASSERT_TRUE(nats_);
    ASSERT_TRUE(cluster::init_cluster(*nats_, {1, 1, 60}));
    auto rpc = cluster::rpc_client::start(*nats_);
    ASSERT_TRUE(rpc) << rpc.err().message;
    rpc_ = std::move(*rpc);
    cfg_.reset.timezone = "UTC";
    cfg_.actors.threads = 2;
    cfg_.expiry_interval_seconds = 3600;
    cfg_.data_dir = dir_.path();
    clock_ = std::make_shared<core::manual_clock>(
      core::time_point{std::chrono::seconds(1795000000)});
    front_ = std::make_shared<actors::partitioned_engine>(cfg_, clock_, 1);
    host_ = std::make_unique<cluster::node_partitions>(
      cluster::node_partitions_options{cfg_, clock_, nats_, rpc_, "a", nullptr},
      *front_);
  }

  void TearDown() override {
    if (host_)
      host_->stop_all();
    if (front_)
      front_->stop();
  }

  core::result<actors::route_reply> route(const std::string& chat) {
    core::source s;
    s.platform = "telegram";
    s.chat_id = chat;
    s.user_id = "42";
    core::message m;
    m.role = "user";
    m.content = "hello";
    return wait_for<actors::route_reply>(
      [&](actors::completion<actors::route_reply> done) {
        front_->route({s, m}, std::move(done));
      });
  }

  bool forwarded() const {
    return dynamic_cast<cluster::remote_engine*>(front_->slot(0).get()) !=
           nullptr;
  }

  nats_servers servers_{1};
  std::shared_ptr<cluster::nats_client> nats_;
  std::shared_ptr<cluster::rpc_client> rpc_;
  temp_dir dir_;
  core::settings cfg_;
  std::shared_ptr<core::manual_clock> clock_;
  std::shared_ptr<actors::partitioned_engine> front_;
  std::unique_ptr<cluster::node_partitions> host_;
};

TEST_F(NodePartitionsTest, ADeposedWriterStopsServingWithoutTheLogsFacts) {
  auto last = cluster::last_sequence(*nats_, 0);
  ASSERT_TRUE(last);
  ASSERT_TRUE(host_->apply(0, cluster::partition_action::take_over, *last));
  ASSERT_FALSE(forwarded());
  ASSERT_TRUE(route("c1"));
  host_->facts_unknown(0); // not deposed: nothing changes
  ASSERT_FALSE(forwarded());
  // Another node takes the partition over (this one looked gone).
  last = cluster::last_sequence(*nats_, 0);
  ASSERT_TRUE(last);
  ASSERT_TRUE(cluster::append(
    *nats_, 0, {cluster::record_kind::takeover, 9, "z", {}}, *last));
  auto refused = route("c2"); // the fenced append deposes the writer
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.err().message.starts_with("moved:"))
    << refused.err().message;
  host_->facts_unknown(0);
  EXPECT_TRUE(forwarded());
}

// A handoff stops the local engine before it appends the `handoff` record;
// when that append fails (NATS electing a leader), the log still names this
// node, so the next pass decides hand_off again, with nothing running here.
// That pass must write the record, or nobody ever takes the partition over.
// The failed append is modelled by a follow, which stops the engine and
// writes nothing.
TEST_F(NodePartitionsTest, AHandoffWhoseWriteFailedIsWrittenByTheNextPass) {
  auto last = cluster::last_sequence(*nats_, 0);
  ASSERT_TRUE(last);
  ASSERT_TRUE(host_->apply(0, cluster::partition_action::take_over, *last));
  ASSERT_TRUE(route("c1"));
  host_->apply(0, cluster::partition_action::follow, 0);
  ASSERT_TRUE(forwarded());
  last = cluster::last_sequence(*nats_, 0);
  ASSERT_TRUE(last);
  auto named = cluster::read_record(*nats_, 0, *last);
  ASSERT_TRUE(named);
  ASSERT_EQ(named->node, "a"); // the log still names this node

  host_->apply(0, cluster::partition_action::hand_off, *last);

  auto after = cluster::last_sequence(*nats_, 0);
  ASSERT_TRUE(after);
  auto record = cluster::read_record(*nats_, 0, *after);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->kind, cluster::record_kind::handoff);
  EXPECT_EQ(*after, *last + 1);
}

} // namespace
} // namespace switchboard::testing
