#include "cluster/node_partitions.hpp"

#include "cluster/admin.hpp"
#include "cluster/membership.hpp"

#include "tests/cluster/cluster_test_util.hpp"

#include <cstdlib>
#include <filesystem>
#include <future>
#include <thread>

namespace switchboard::cluster {
namespace {

using namespace std::chrono_literals;
using testing::nats_servers;

struct test_node {
  test_node(const std::vector<std::string>& urls, std::string id,
            std::string dir) {
    auto c = nats_client::connect(urls);
    EXPECT_TRUE(c);
    nats = std::move(*c);
    auto r = rpc_client::start(*nats);
    rpc = std::move(*r);
    auto m = membership::open(*nats);
    members.emplace(std::move(*m));
    core::settings cfg;
    cfg.data_dir = dir;
    clk = std::make_shared<core::system_clock>();
    front = std::make_shared<actors::partitioned_engine>(cfg, clk, 4);
    host = std::make_unique<node_partitions>(
      node_partitions_options{cfg, clk, nats, rpc, id,
                              [id](const std::string& l) {
                                std::fprintf(stderr, "[%s] %s\n", id.c_str(),
                                             l.c_str());
                              }},
      *front);
    ownership_options o;
    o.node_id = id;
    o.partitions = 4;
    o.period = std::chrono::hours(1);
    o.publish_applied = [this, id](std::map<int, std::uint64_t> a) {
      (void)members->put({id, "", "", a});
    };
    loop = std::make_unique<ownership_loop>(*nats, *members, *host, o);
    (void)members->put({id, "", "", {}});
  }
  bool pass_within(std::chrono::seconds limit) {
    auto f = std::async(std::launch::async, [this] { loop->run_pass(); });
    return f.wait_for(limit) == std::future_status::ready;
  }
  std::shared_ptr<nats_client> nats;
  std::shared_ptr<rpc_client> rpc;
  std::optional<membership> members;
  std::shared_ptr<core::clock> clk;
  std::shared_ptr<actors::partitioned_engine> front;
  std::unique_ptr<node_partitions> host;
  std::unique_ptr<ownership_loop> loop;
};

TEST(NodePartitionsTest, HandOffTwice) {
  nats_servers servers(1);
  ASSERT_EQ(servers.error(), "");
  auto c = testing::connect_or_fail(servers.url_list());
  ASSERT_TRUE(init_cluster(*c, {4, 1, 60}));
  auto dir = std::filesystem::temp_directory_path() / "np_test";
  std::filesystem::remove_all(dir);
  test_node a(servers.url_list(), "a", (dir / "a").string());
  auto sub = std::getenv("NP_SUB") ? a.front->subscribe(100) : nullptr;
  ASSERT_TRUE(a.pass_within(30s));
  std::this_thread::sleep_for(std::chrono::seconds(
    std::getenv("NP_SLEEP") ? std::atoi(std::getenv("NP_SLEEP")) : 0));
  test_node b(servers.url_list(), "b", (dir / "b").string());
  ASSERT_TRUE(b.pass_within(30s));
  ASSERT_TRUE(b.pass_within(30s));
  std::fprintf(stderr, "a hands off\n");
  bool ok = a.pass_within(30s);
  EXPECT_TRUE(ok);
  if (!ok)
    std::_Exit(3);
  ASSERT_TRUE(b.pass_within(30s));
  a.loop->stop();
  b.loop->stop();
}

} // namespace
} // namespace switchboard::cluster
