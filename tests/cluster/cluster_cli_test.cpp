// `switchboard cluster init|status` through the real binary, against a
// 3-server JetStream cluster with the defaults (16 partitions, R3).

#include "cluster/admin.hpp"
#include "cluster/membership.hpp"

#include "tests/cluster/cluster_test_util.hpp"
#include "tests/support/process.hpp"

namespace switchboard::testing {
namespace {

process_result cluster_cli(std::vector<std::string> args) {
  args.insert(args.begin(), {switchboard_bin(), "cluster"});
  return run_command(args);
}

TEST(ClusterCliTest, BadFlagsAreRefusedBeforeNatsIsContacted) {
  nats_servers servers(1);
  ASSERT_EQ(servers.error(), "");
  struct bad_case {
    std::vector<std::string> args;
    std::string message;
  };
  const bad_case cases[] = {
    {{"init", "--nats", servers.urls(), "--partitions", "0"},
     "--partitions must be between 1 and 100"},
    {{"init", "--nats", servers.urls(), "--partitions", "101"},
     "--partitions must be between 1 and 100"},
    {{"init", "--nats", servers.urls(), "--replicas", "6"},
     "--replicas must be between 1 and 5"},
    {{"init", "--nats", servers.urls(), "--member-ttl-seconds", "0"},
     "--member-ttl-seconds must be between 1 and 3600"},
    {{"init", "--nats", servers.urls(), "--member-ttl-seconds", "3601"},
     "--member-ttl-seconds must be between 1 and 3600"},
    {{"init", "--nats", ""}, "--nats: empty URL"},
    {{"init", "--nats", servers.urls() + ","}, "--nats: empty URL"},
    {{"status", "--nats", "http://127.0.0.1:4222"},
     "--nats: URL \"http://127.0.0.1:4222\" is not nats://HOST:PORT"},
  };
  for (const auto& c : cases) {
    auto r = cluster_cli(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.message;
    EXPECT_EQ(r.err, "switchboard: " + c.message + "\n");
    EXPECT_EQ(r.out, "");
  }
  EXPECT_EQ(cluster_cli({"init"}).exit_code, 2); // --nats is required
  EXPECT_EQ(cluster_cli({}).exit_code, 2);       // init or status
  auto c = connect_or_fail(servers.url_list());
  ASSERT_TRUE(c);
  EXPECT_EQ(cluster::read_config(*c).err().code, core::errc::not_found);
}

TEST(ClusterCliTest, UnreachableOrUninitialisedNatsFails) {
  auto down = cluster_cli({"status", "--nats", "nats://127.0.0.1:1"});
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_NE(down.err.find("cannot connect to NATS at nats://127.0.0.1:1"),
            std::string::npos)
    << down.err;
  nats_servers servers(1);
  ASSERT_EQ(servers.error(), "");
  auto fresh = cluster_cli({"status", "--nats", servers.urls()});
  EXPECT_EQ(fresh.exit_code, 1);
  EXPECT_NE(fresh.err.find("run switchboard cluster init"), std::string::npos)
    << fresh.err;
}

TEST(ClusterCliTest, InitIsIdempotentAndStatusPrintsTheCluster) {
  nats_servers servers(3);
  ASSERT_EQ(servers.error(), "");
  auto init = cluster_cli({"init", "--nats", servers.urls()});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  auto stored = nlohmann::json::parse(init.out);
  EXPECT_EQ(stored, (nlohmann::json{{"partitions", 16},
                                    {"replicas", 3},
                                    {"member_ttl_seconds", 5},
                                    {"created", true}}));
  auto again = cluster_cli({"init", "--nats", servers.urls()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["created"], false);
  auto other =
    cluster_cli({"init", "--nats", servers.urls(), "--partitions", "8"});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("initialised with 16 partitions"), std::string::npos)
    << other.err;

  auto c = connect_or_fail(servers.url_list());
  ASSERT_TRUE(c);
  auto m = cluster::membership::open(*c);
  ASSERT_TRUE(m) << m.err().message;
  ASSERT_TRUE(m->put({"node-1", "http://127.0.0.1:7001", "t"}));
  // One server is enough to ask: the client learns the rest.
  auto status = cluster_cli({"status", "--nats", servers.url_list()[2]});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto j = nlohmann::json::parse(status.out);
  EXPECT_TRUE(j["node_id"].is_null());
  EXPECT_EQ(j["members"], nlohmann::json::parse(
                            R"([{"node_id": "node-1", "last_seen": "t",
                                 "url": "http://127.0.0.1:7001"}])"));
  ASSERT_EQ(j["partitions"].size(), 16u);
  for (int p = 0; p < 16; ++p) {
    // Not taken over yet: node-1 is the one that takes it over.
    EXPECT_EQ(j["partitions"][p], (nlohmann::json{{"id", p},
                                                  {"owner", nullptr},
                                                  {"standby", "node-1"},
                                                  {"applied_seq", 1},
                                                  {"last_seq", 1}}));
  }
}

TEST(ClusterCliTest, InitStoresTheMemberTtlAndRefusesAnotherOne) {
  nats_servers servers(1);
  ASSERT_EQ(servers.error(), "");
  auto init = cluster_cli({"init", "--nats", servers.urls(), "--replicas", "1",
                           "--member-ttl-seconds", "2"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_EQ(nlohmann::json::parse(init.out)["member_ttl_seconds"], 2)
    << init.out;
  auto c = connect_or_fail(servers.url_list());
  ASSERT_TRUE(c);
  auto stored = cluster::read_config(*c);
  ASSERT_TRUE(stored) << stored.err().message;
  EXPECT_EQ(stored->member_ttl_seconds, 2);

  auto same = cluster_cli({"init", "--nats", servers.urls(), "--replicas", "1",
                           "--member-ttl-seconds", "2"});
  ASSERT_EQ(same.exit_code, 0) << same.err;
  EXPECT_EQ(nlohmann::json::parse(same.out)["created"], false);
  // The default (5 s) differs from the stored 2 s like any other setting.
  for (const char* ttl : {"5", "60"}) {
    auto other = cluster_cli({"init", "--nats", servers.urls(), "--replicas",
                              "1", "--member-ttl-seconds", ttl});
    EXPECT_EQ(other.exit_code, 1) << ttl;
    EXPECT_NE(other.err.find("member TTL 2 s"), std::string::npos) << other.err;
    EXPECT_EQ(other.out, "");
  }
  auto after = cluster::read_config(*c);
  ASSERT_TRUE(after) << after.err().message;
  EXPECT_EQ(after->member_ttl_seconds, 2);
}

} // namespace
} // namespace switchboard::testing
