// `switchboard serve --nats URLS --node-id ID` (phase 2a): real serve
// processes join a real JetStream cluster, list each other in GET
// /v1/cluster with the same placement, leave at once on SIGTERM and after
// the member TTL on SIGKILL; an uninitialised cluster, settings that
// contradict the stored config and a live duplicate id are refused.

#include "cluster/admin.hpp"
#include "cluster/membership.hpp"
#include "cluster/node.hpp"
#include "cluster/placement.hpp"

#include "tests/cluster/cluster_nodes.hpp"
#include "tests/cluster/cluster_test_util.hpp"
#include "tests/support/process.hpp"
#include "tests/support/server_process.hpp"

#include <csignal>
#include <functional>
#include <thread>

namespace switchboard::testing {
namespace {

using namespace std::chrono_literals;

/// serve to completion (it must refuse to start).
process_result serve_refused(const std::vector<std::string>& args) {
  std::vector<std::string> all{switchboard_bin(), "serve", "--listen",
                               "127.0.0.1:0"};
  all.insert(all.end(), args.begin(), args.end());
  return run_command(all);
}

nlohmann::json cluster_of(const server_process& node) {
  auto r = http("GET", node.url() + "/v1/cluster");
  EXPECT_EQ(r.status, 200) << r.body;
  return r.json();
}

std::map<std::string, std::string> member_urls(const nlohmann::json& status) {
  std::map<std::string, std::string> out;
  for (const auto& m : status["members"])
    out[m["node_id"]] = m["url"];
  return out;
}

/// Asks `node` until `id` is no longer a member (at most `limit`).
bool left_within(const server_process& node, const std::string& id,
                 std::chrono::seconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (!member_urls(cluster_of(node)).count(id))
      return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

/// Asks `node` until every partition p is owned by `owner(p)` (at most
/// `limit`).
bool owners_within(const server_process& node,
                   const std::function<std::string(int)>& owner,
                   std::chrono::seconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    bool all = true;
    auto status = cluster_of(node);
    for (const auto& p : status["partitions"])
      all = all && p["owner"] == owner(p["id"].get<int>());
    if (all)
      return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

cluster::cluster_config small_cluster(int replicas) {
  return {4, replicas, 2}; // 4 partitions, member TTL 2 s
}

TEST(ClusterNodeTest, NodesListEachOtherAndLeave) {
  nats_servers servers(3);
  ASSERT_EQ(servers.error(), "");
  auto c = connect_or_fail(servers.url_list());
  ASSERT_TRUE(c);
  ASSERT_TRUE(cluster::init_cluster(*c, small_cluster(3)));
  node_files files[3] = {
    node_files({{"partitions", 4}, {"replicas", 3}, {"member_ttl_seconds", 2}}),
    node_files({{"partitions", 4}, {"member_ttl_seconds", 2}}),
    node_files({{"partitions", 4}, {"member_ttl_seconds", 2}})};
  std::vector<std::unique_ptr<server_process>> nodes;
  for (int i = 0; i < 3; ++i) {
    // Each node is given a different server: the client learns the rest.
    nodes.push_back(std::make_unique<server_process>(
      files[i].args(servers.url_list()[i], "n" + std::to_string(i + 1))));
    ASSERT_NE(nodes.back()->url(), "") << nodes.back()->line();
  }
  std::map<std::string, std::string> expected{
    {"n1", nodes[0]->url()}, {"n2", nodes[1]->url()}, {"n3", nodes[2]->url()}};
  // n1 served every partition first; it hands each off to its placement
  // owner once that node has caught up (an idle log: at once).
  auto placed = [](int p) {
    return cluster::place(p, {"n1", "n2", "n3"});
  };
  ASSERT_TRUE(owners_within(
    *nodes[0], [&](int p) { return placed(p).owner; }, 30s));
  // Each node gives its own file's applied sequence (null where it keeps
  // none): the owner's holds at least the genesis and its takeover.
  auto without_applied = [](nlohmann::json parts) {
    for (auto& p : parts)
      p.erase("applied_seq");
    return parts;
  };
  auto first = cluster_of(*nodes[0]);
  for (int i = 0; i < 3; ++i) {
    auto s = cluster_of(*nodes[i]);
    std::string id = "n" + std::to_string(i + 1);
    EXPECT_EQ(s["node_id"], id);
    EXPECT_EQ(member_urls(s), expected);
    EXPECT_EQ(without_applied(s["partitions"]),
              without_applied(first["partitions"]));
    for (int p = 0; p < 4; ++p) {
      const auto& part = s["partitions"][p];
      if (placed(p).owner == id) {
        EXPECT_GE(part["applied_seq"], 2) << s.dump();
      }
      if (!part["applied_seq"].is_null()) {
        EXPECT_LE(part["applied_seq"], part["last_seq"]) << s.dump();
      }
    }
  }
  ASSERT_EQ(first["partitions"].size(), 4u);
  for (int p = 0; p < 4; ++p)
    EXPECT_EQ(first["partitions"][p]["standby"], placed(p).standby)
      << first.dump();

  // SIGTERM: the key is deleted before the process exits, no TTL wait.
  EXPECT_EQ(nodes[2]->stop(SIGTERM), 0);
  auto members = cluster::membership::open(*c);
  ASSERT_TRUE(members);
  auto gone = members->find("n3");
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());
  EXPECT_EQ(member_urls(cluster_of(*nodes[0])).count("n3"), 0u);
  EXPECT_EQ(member_urls(cluster_of(*nodes[1])).count("n3"), 0u);

  // SIGKILL: the key stays until the member TTL (2 s) removes it.
  nodes[1]->stop(SIGKILL);
  EXPECT_TRUE(left_within(*nodes[0], "n2", 20s));
  auto alone = cluster_of(*nodes[0]);
  EXPECT_EQ(member_urls(alone),
            (std::map<std::string, std::string>{{"n1", nodes[0]->url()}}));
  EXPECT_TRUE(owners_within(
    *nodes[0], [](int) { return std::string("n1"); }, 20s));
  alone = cluster_of(*nodes[0]);
  for (const auto& p : alone["partitions"]) {
    EXPECT_EQ(p["owner"], "n1");
    EXPECT_TRUE(p["standby"].is_null());
  }
}

TEST(ClusterNodeTest, RefusesUninitialisedContradictingAndDuplicate) {
  nats_servers servers(1);
  ASSERT_EQ(servers.error(), "");
  node_files files(
    {{"partitions", 4}, {"replicas", 1}, {"member_ttl_seconds", 2}});
  auto fresh = serve_refused(files.args(servers.urls(), "n1"));
  EXPECT_EQ(fresh.exit_code, 1);
  EXPECT_EQ(fresh.out, "");
  EXPECT_NE(fresh.err.find("the cluster is not initialised"), std::string::npos)
    << fresh.err;
  EXPECT_NE(fresh.err.find("run switchboard cluster init"), std::string::npos)
    << fresh.err;

  auto c = connect_or_fail(servers.url_list());
  ASSERT_TRUE(c);
  ASSERT_TRUE(cluster::init_cluster(*c, small_cluster(1)));
  node_files defaults({{"replicas", 1}, {"member_ttl_seconds", 2}});
  auto other = serve_refused(defaults.args(servers.urls(), "n1"));
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("cluster.partitions is 16 in this node's settings, "
                           "but the cluster was initialised with 4"),
            std::string::npos)
    << other.err;

  server_process n1(files.args(servers.urls(), "n1"));
  ASSERT_NE(n1.url(), "") << n1.line();
  node_files second(
    {{"partitions", 4}, {"replicas", 1}, {"member_ttl_seconds", 2}});
  auto dup = serve_refused(second.args(servers.urls(), "n1"));
  EXPECT_EQ(dup.exit_code, 1);
  EXPECT_EQ(dup.out, "");
  EXPECT_NE(dup.err.find("node id n1 is already a live member of the "
                         "cluster at " +
                         n1.url()),
            std::string::npos)
    << dup.err;
  // The refused node left n1's key alone.
  EXPECT_EQ(member_urls(cluster_of(n1)),
            (std::map<std::string, std::string>{{"n1", n1.url()}}));
}

TEST(ClusterNodeTest, SameIdAtTheSameUrlIsARestartAnotherUrlIsRefused) {
  nats_servers servers(1);
  ASSERT_EQ(servers.error(), "");
  auto c = connect_or_fail(servers.url_list());
  ASSERT_TRUE(c);
  ASSERT_TRUE(cluster::init_cluster(*c, small_cluster(1)));
  // The key an earlier run left behind when it was killed.
  auto members = cluster::membership::open(*c);
  ASSERT_TRUE(members);
  ASSERT_TRUE(members->put({"n1", "http://127.0.0.1:7001", "t"}));
  cluster::node_options o{servers.url_list(), "n1", small_cluster(1), {}};
  auto other = cluster::node::connect(o);
  ASSERT_TRUE(other) << other.err().message;
  auto refused = (*other)->join("http://127.0.0.1:7002");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.err().code, core::errc::conflict);
  EXPECT_TRUE((*other)->leave()); // never joined: nothing deleted
  EXPECT_EQ(members->find("n1")->value().url, "http://127.0.0.1:7001");
  auto restart = cluster::node::connect(o);
  ASSERT_TRUE(restart) << restart.err().message;
  ASSERT_TRUE((*restart)->join("http://127.0.0.1:7001"));
  EXPECT_NE(members->find("n1")->value().last_seen, "t"); // its own put
  ASSERT_TRUE((*restart)->leave());
  EXPECT_FALSE(members->find("n1")->has_value());
}

TEST(ClusterNodeTest, TheHeartbeatPublishesTheAppliedSequences) {
  nats_servers servers(1);
  ASSERT_EQ(servers.error(), "");
  auto c = connect_or_fail(servers.url_list());
  ASSERT_TRUE(c);
  ASSERT_TRUE(cluster::init_cluster(*c, small_cluster(1)));
  auto members = cluster::membership::open(*c);
  ASSERT_TRUE(members);
  cluster::node_options o{servers.url_list(), "n1", small_cluster(1), {}};
  auto n = cluster::node::connect(o);
  ASSERT_TRUE(n) << n.err().message;
  ASSERT_TRUE((*n)->join("http://127.0.0.1:7001"));
  EXPECT_TRUE(members->find("n1")->value().applied.empty());
  std::map<int, std::uint64_t> applied{{0, 5}, {3, 9}};
  (*n)->set_applied(applied);
  // Bounded: the heartbeat puts every TTL/3 (TTL 2 s).
  bool published = false;
  for (int i = 0; i < 100 && !published; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    published = members->find("n1")->value().applied == applied;
  }
  EXPECT_TRUE(published);
  ASSERT_TRUE((*n)->leave());
}

TEST(ClusterNodeTest, BadClusterFlagsExitBeforeNatsIsContacted) {
  auto no_id = serve_refused({"--nats", "nats://127.0.0.1:1"});
  EXPECT_EQ(no_id.exit_code, 1);
  EXPECT_NE(no_id.err.find("cluster.node_id: required when "
                           "cluster.nats_urls is set"),
            std::string::npos)
    << no_id.err;
  auto bad_id =
    serve_refused({"--nats", "nats://127.0.0.1:1", "--node-id", "a.b"});
  EXPECT_NE(bad_id.err.find("cluster.node_id must be 1 to 64 characters"),
            std::string::npos)
    << bad_id.err;
  auto down =
    serve_refused({"--nats", "nats://127.0.0.1:1", "--node-id", "n1"});
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_NE(down.err.find("cannot connect to NATS at nats://127.0.0.1:1"),
            std::string::npos)
    << down.err;
}

} // namespace
} // namespace switchboard::testing
