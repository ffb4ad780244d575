// The `cluster` section (shared/CLUSTER.md "Contract", API.md
// "Configuration"): defaults, both forms of nats_urls, flags over file and
// environment. The refusals are in validation_test.cpp.

#include "config_test_util.hpp"

namespace switchboard::config::testing {
namespace {

using urls = std::vector<std::string>;

TEST(ConfigClusterTest, DefaultsAreSingleNode) {
  auto r = load_text("");
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_FALSE(r->cluster.enabled());
  EXPECT_EQ(r->cluster.nats_urls, urls{});
  EXPECT_FALSE(r->cluster.node_id.has_value());
  EXPECT_EQ(r->cluster.partitions, 16);
  EXPECT_EQ(r->cluster.replicas, 3);
  EXPECT_EQ(r->cluster.member_ttl_seconds, 5);
  EXPECT_EQ(r->cluster.snapshot_every_records, 10000);
  EXPECT_EQ(r->cluster.log_keep_records, 1000);
}

TEST(ConfigClusterTest, FileTakesAnArrayOrACommaSeparatedString) {
  auto list = load_text(R"({"cluster": {"nats_urls": ["nats://127.0.0.1:1",
    "127.0.0.1:2"], "node_id": "n1", "partitions": 8, "replicas": 1,
    "member_ttl_seconds": 2, "snapshot_every_records": 50,
    "log_keep_records": 5}})");
  ASSERT_TRUE(list.ok()) << list.err().message;
  EXPECT_TRUE(list->cluster.enabled());
  EXPECT_EQ(list->cluster.nats_urls,
            (urls{"nats://127.0.0.1:1", "127.0.0.1:2"}));
  EXPECT_EQ(list->cluster.node_id, "n1");
  EXPECT_EQ(list->cluster.partitions, 8);
  EXPECT_EQ(list->cluster.replicas, 1);
  EXPECT_EQ(list->cluster.member_ttl_seconds, 2);
  EXPECT_EQ(list->cluster.snapshot_every_records, 50);
  EXPECT_EQ(list->cluster.log_keep_records, 5);
  auto text = load_text(R"({"cluster": {"nats_urls":
    "nats://127.0.0.1:1, 127.0.0.1:2", "node_id": "n1"}})");
  ASSERT_TRUE(text.ok()) << text.err().message;
  EXPECT_EQ(text->cluster.nats_urls, list->cluster.nats_urls);
}

TEST(ConfigClusterTest, EnvironmentAndFlagsOverrideTheFile) {
  auto env = load_text(
    R"({"cluster": {"nats_urls": "nats://127.0.0.1:1",
    "node_id": "file"}})",
    {{"SWITCHBOARD_CLUSTER_NATS_URLS", "nats://127.0.0.1:2,nats://127.0.0.1:3"},
     {"SWITCHBOARD_CLUSTER_NODE_ID", "env"},
     {"SWITCHBOARD_CLUSTER_PARTITIONS", "4"}});
  ASSERT_TRUE(env.ok()) << env.err().message;
  EXPECT_EQ(env->cluster.nats_urls,
            (urls{"nats://127.0.0.1:2", "nats://127.0.0.1:3"}));
  EXPECT_EQ(env->cluster.node_id, "env");
  EXPECT_EQ(env->cluster.partitions, 4);
  flag_overrides flags;
  flags.nats = "nats://127.0.0.1:9";
  flags.node_id = "flag";
  auto flagged = load_text("", {{"SWITCHBOARD_CLUSTER_NODE_ID", "env"}}, flags);
  ASSERT_TRUE(flagged.ok()) << flagged.err().message;
  EXPECT_EQ(flagged->cluster.nats_urls, urls{"nats://127.0.0.1:9"});
  EXPECT_EQ(flagged->cluster.node_id, "flag");
}

TEST(ConfigClusterTest, BadFlagsNameTheFlag) {
  flag_overrides flags;
  flags.nats = "http://127.0.0.1:1";
  flags.node_id = "n1";
  auto r = load_text("", {}, flags);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().message, "cluster.nats_urls: URL \"http://127.0.0.1:1\" "
                             "is not nats://HOST:PORT (from --nats)");
  flags.nats = "nats://127.0.0.1:1";
  flags.node_id = "a.b";
  r = load_text("", {}, flags);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().message,
            "cluster.node_id must be 1 to 64 characters of A-Z, a-z, 0-9, "
            "'_' and '-' (from --node-id)");
}

TEST(ConfigClusterTest, DumpRoundTrips) {
  auto r = load_text(R"({"cluster": {"nats_urls": "nats://127.0.0.1:1",
    "node_id": "n1", "partitions": 8}})");
  ASSERT_TRUE(r.ok()) << r.err().message;
  auto again = load_text(dump_settings(*r));
  ASSERT_TRUE(again.ok()) << again.err().message;
  EXPECT_EQ(again->cluster.nats_urls, r->cluster.nats_urls);
  EXPECT_EQ(again->cluster.node_id, "n1");
  EXPECT_EQ(again->cluster.partitions, 8);
  auto defaults = load_text(dump_settings(core::settings{}));
  ASSERT_TRUE(defaults.ok()) << defaults.err().message;
  EXPECT_FALSE(defaults->cluster.enabled());
}

} // namespace
} // namespace switchboard::config::testing
