// `cluster init` and `cluster status` as library calls, against a
// standalone nats-server (R1): what init creates, that it is idempotent,
// and that a different config is refused without changing anything.

#include "cluster/admin.hpp"

#include "cluster/membership.hpp"
#include "cluster/partition_log.hpp"
#include "cluster/placement.hpp"

#include "tests/cluster/cluster_test_util.hpp"

#include <latch>
#include <thread>

namespace switchboard::cluster {
namespace {

using testing::connect_or_fail;
using testing::nats_servers;

cluster_config small_config() {
  cluster_config cfg;
  cfg.partitions = 4;
  cfg.replicas = 1;
  return cfg;
}

class AdminTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_EQ(servers_.error(), "");
    c_ = connect_or_fail(servers_.url_list());
    ASSERT_TRUE(c_);
  }
  /// Each partition's last sequence (0 when the stream is missing).
  std::vector<std::uint64_t> last_sequences(int partitions) {
    std::vector<std::uint64_t> out;
    for (int p = 0; p < partitions; ++p) {
      auto last = last_sequence(*c_, p);
      out.push_back(last ? *last : 0);
    }
    return out;
  }
  nats_servers servers_{1};
  std::unique_ptr<nats_client> c_;
};

TEST_F(AdminTest, InitCreatesStreamsWithGenesisAndStoresTheConfig) {
  auto r = init_cluster(*c_, small_config());
  ASSERT_TRUE(r) << r.err().message;
  EXPECT_TRUE(r->created);
  EXPECT_EQ(r->config, small_config());
  EXPECT_EQ(*read_config(*c_), small_config());
  EXPECT_EQ(last_sequences(5), (std::vector<std::uint64_t>{1, 1, 1, 1, 0}));
  auto genesis = read_record(*c_, 3, 1);
  ASSERT_TRUE(genesis) << genesis.err().message;
  EXPECT_EQ(*genesis,
            (log_record{record_kind::genesis, 0, "", nlohmann::json::array()}));
  EXPECT_TRUE(membership::open(*c_));
}

TEST_F(AdminTest, InitTwiceChangesNothing) {
  ASSERT_TRUE(init_cluster(*c_, small_config()));
  ASSERT_TRUE(append(*c_, 2, {record_kind::batch, 1, "n", {}}, 1));
  auto again = init_cluster(*c_, small_config());
  ASSERT_TRUE(again) << again.err().message;
  EXPECT_FALSE(again->created);
  EXPECT_EQ(last_sequences(4), (std::vector<std::uint64_t>{1, 1, 2, 1}));
}

TEST_F(AdminTest, ConcurrentInitsWriteOneGenesisPerStream) {
  auto other = connect_or_fail(servers_.url_list());
  ASSERT_TRUE(other);
  std::latch start(2);
  core::result<init_report> ra = core::internal_error("not run");
  core::result<init_report> rb = core::internal_error("not run");
  std::thread ta([&] {
    start.arrive_and_wait();
    ra = init_cluster(*c_, small_config());
  });
  std::thread tb([&] {
    start.arrive_and_wait();
    rb = init_cluster(*other, small_config());
  });
  ta.join();
  tb.join();
  ASSERT_TRUE(ra) << ra.err().message;
  ASSERT_TRUE(rb) << rb.err().message;
  EXPECT_NE(ra->created, rb->created); // one stored the config
  EXPECT_EQ(last_sequences(4), (std::vector<std::uint64_t>{1, 1, 1, 1}));
}

TEST_F(AdminTest, ADifferentConfigIsRefusedAndChangesNothing) {
  ASSERT_TRUE(init_cluster(*c_, small_config()));
  auto more = small_config();
  more.partitions = 8;
  auto r = init_cluster(*c_, more);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, core::errc::conflict);
  EXPECT_EQ(r.err().message,
            "the cluster was initialised with 4 partitions, 1 replicas, "
            "member TTL 5 s; this init asks for 8 partitions, 1 replicas, "
            "member TTL 5 s (they are fixed at the first init)");
  EXPECT_FALSE(last_sequence(*c_, 4)); // SB_P04 was not created
  auto ttl = small_config();
  ttl.member_ttl_seconds = 9;
  EXPECT_EQ(init_cluster(*c_, ttl).err().code, core::errc::conflict);
  EXPECT_EQ(*read_config(*c_), small_config());
}

TEST_F(AdminTest, AnInvalidConfigCreatesNothing) {
  auto bad = small_config();
  bad.partitions = 0;
  auto r = init_cluster(*c_, bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().message, "cluster.partitions must be between 1 and 100");
  EXPECT_EQ(read_config(*c_).err().code, core::errc::not_found);
}

TEST_F(AdminTest, StatusPlacesPartitionsOnLiveMembers) {
  auto before = cluster_status(*c_, std::nullopt);
  ASSERT_FALSE(before);
  EXPECT_EQ(before.err().message,
            "the cluster is not initialised (no SB_CLUSTER config): run "
            "switchboard cluster init");
  ASSERT_TRUE(init_cluster(*c_, small_config()));
  auto empty = cluster_status(*c_, std::string{"n1"});
  ASSERT_TRUE(empty) << empty.err().message;
  EXPECT_EQ((*empty)["node_id"], "n1");
  EXPECT_TRUE((*empty)["members"].empty());
  EXPECT_TRUE((*empty)["partitions"][0]["owner"].is_null());
  auto m = membership::open(*c_);
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->put({"n1", "http://127.0.0.1:8080", "t1"}));
  ASSERT_TRUE(m->put({"n2", "http://127.0.0.1:8081", "t2"}));
  auto s = cluster_status(*c_, std::nullopt);
  ASSERT_TRUE(s) << s.err().message;
  EXPECT_TRUE((*s)["node_id"].is_null());
  EXPECT_EQ((*s)["members"], nlohmann::json::parse(R"([
              {"node_id": "n1", "url": "http://127.0.0.1:8080",
               "last_seen": "t1"},
              {"node_id": "n2", "url": "http://127.0.0.1:8081",
               "last_seen": "t2"}])"));
  ASSERT_EQ((*s)["partitions"].size(), 4u);
  for (int p = 0; p < 4; ++p) {
    // Nobody has taken a partition over: no owner; the standby is the
    // placement owner, the node that takes it over.
    const auto& part = (*s)["partitions"][p];
    EXPECT_EQ(part["id"], p);
    EXPECT_EQ(part["applied_seq"], 1);
    EXPECT_TRUE(part["owner"].is_null());
    EXPECT_EQ(part["standby"], place(p, {"n1", "n2"}).owner);
  }
  // The log names the owner; the standby is then the other live node.
  for (int p = 0; p < 4; ++p) {
    log_record takeover{record_kind::takeover, 1, "n2",
                        nlohmann::json::array()};
    ASSERT_TRUE(append(*c_, p, takeover, 1));
  }
  auto owned = cluster_status(*c_, std::nullopt);
  ASSERT_TRUE(owned) << owned.err().message;
  for (const auto& part : (*owned)["partitions"]) {
    EXPECT_EQ(part["owner"], "n2");
    EXPECT_EQ(part["standby"], "n1");
    EXPECT_EQ(part["applied_seq"], 2);
    EXPECT_EQ(part["last_seq"], 2);
  }
  // A node's status gives its own file's applied sequence, null for a
  // partition it keeps no file of (it forwards).
  std::map<int, std::uint64_t> applied{{0, 1}, {2, 2}};
  auto mine = cluster_status(*c_, "n1", &applied);
  ASSERT_TRUE(mine) << mine.err().message;
  const auto& parts = (*mine)["partitions"];
  EXPECT_EQ(parts[0]["applied_seq"], 1);
  EXPECT_TRUE(parts[1]["applied_seq"].is_null());
  EXPECT_EQ(parts[2]["applied_seq"], 2);
  EXPECT_EQ(parts[1]["last_seq"], 2);
}

TEST(ClusterConfigTest, DecodeNamesTheField) {
  EXPECT_EQ(
    *decode_config(R"({"partitions":4,"replicas":3,"member_ttl_seconds":5})"),
    (cluster_config{4, 3, 5}));
  EXPECT_EQ(decode_config("x").err().message, "config: malformed JSON");
  EXPECT_EQ(
    decode_config(R"({"replicas":3,"member_ttl_seconds":5})").err().message,
    "config.partitions: required");
  EXPECT_EQ(
    decode_config(R"({"partitions":101,"replicas":3,"member_ttl_seconds":5})")
      .err()
      .message,
    "config.partitions: expected integer between 1 and 100");
}

} // namespace
} // namespace switchboard::cluster
