// Every validation rule of the config loader: each bad value is refused with
// a message that names the key path.

#include "config_test_util.hpp"

namespace switchboard::config::testing {
namespace {

struct bad_case {
  const char* file;
  const char* message;
};

class ConfigValidationTest : public ::testing::TestWithParam<bad_case> {};

TEST_P(ConfigValidationTest, RefusesWithKeyPath) {
  auto r = load_text(GetParam().file);
  ASSERT_FALSE(r.ok()) << GetParam().file;
  EXPECT_EQ(r.err().code, core::errc::bad_request);
  EXPECT_EQ(r.err().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
  Keys, ConfigValidationTest,
  ::testing::Values(
    bad_case{R"({"bogus": 1})", "bogus: unknown key"},
    bad_case{R"({"reset": {"bogus": 1}})", "reset.bogus: unknown key"},
    bad_case{R"({"reset": {"default": {"bogus": 1}}})",
             "reset.default.bogus: unknown key"},
    bad_case{R"({"reset": {"by_type": {"group": {"bogus": 1}}}})",
             "reset.by_type.group.bogus: unknown key"},
    bad_case{R"({"context": {"home_channels": {"telegram": {"chat_id": "1",
             "bogus": 2}}}})",
             "context.home_channels.telegram.bogus: unknown key"},
    bad_case{R"({"reset": 3})", "reset: expected an object"},
    bad_case{R"({"reset": {"default": {"at_hour": 24}}})",
             "reset.default.at_hour: expected an integer 0-23"},
    bad_case{R"({"reset": {"default": {"at_hour": -1}}})",
             "reset.default.at_hour: expected an integer 0-23"},
    bad_case{R"({"reset": {"default": {"at_hour": 4.5}}})",
             "reset.default.at_hour: expected an integer 0-23"},
    bad_case{R"({"reset": {"default": {"idle_minutes": 0}}})",
             "reset.default.idle_minutes: expected an integer >= 1"},
    bad_case{R"({"reset": {"default": {"defer_daily_minutes": -1}}})",
             "reset.default.defer_daily_minutes: expected an integer 0-1440"},
    bad_case{R"({"reset": {"default": {"defer_daily_minutes": 1441}}})",
             "reset.default.defer_daily_minutes: expected an integer 0-1440"},
    bad_case{R"({"reset": {"by_platform": {"slack": {"defer_daily_minutes":
             2000}}}})",
             "reset.by_platform.slack.defer_daily_minutes: expected an "
             "integer 0-1440"},
    bad_case{R"({"retention": {"max_age_days": -1}})",
             "retention.max_age_days: expected an integer >= 0"},
    bad_case{R"({"retention": {"max_ended_sessions": 1.5}})",
             "retention.max_ended_sessions: expected an integer >= 0"},
    bad_case{R"({"retention": {"interval_seconds": 0}})",
             "retention.interval_seconds: expected a number > 0"},
    bad_case{R"({"retention": {"bogus": 1}})", "retention.bogus: unknown key"},
    bad_case{R"({"reset": {"default": {"mode": "weekly"}}})",
             "reset.default.mode: expected one of daily, idle, both, none"},
    bad_case{R"({"reset": {"default": []}})",
             "reset.default: expected an object"},
    bad_case{R"({"reset": {"by_type": {"dms": {"mode": "idle"}}}})",
             "reset.by_type.dms: expected a chat type: dm, group, channel "
             "or thread"},
    bad_case{R"({"reset": {"by_platform": {"Tele gram": {}}}})",
             "reset.by_platform.Tele gram: expected a platform name of a-z, "
             "0-9, _ (1-32 characters)"},
    bad_case{R"({"reset": {"by_platform_type": {"telegram": {}}}})",
             "reset.by_platform_type.telegram: expected \"platform/type\" "
             "with type dm, group, channel or thread"},
    bad_case{R"({"reset": {"by_platform_type": {"telegram/room": {}}}})",
             "reset.by_platform_type.telegram/room: expected "
             "\"platform/type\" with type dm, group, channel or thread"},
    bad_case{R"({"reset": {"by_platform_type": {"/dm": {}}}})",
             "reset.by_platform_type./dm: expected \"platform/type\" with "
             "type dm, group, channel or thread"},
    bad_case{R"({"reset": {"by_type": {"group": {"at_hour": 30}}}})",
             "reset.by_type.group.at_hour: expected an integer 0-23"},
    bad_case{R"({"reset": {"timezone": "Mars/Olympus"}})",
             "reset.timezone: expected \"local\", \"UTC\" or a known IANA "
             "time zone"},
    bad_case{R"({"reset": {"busy_max_hours": 0}})",
             "reset.busy_max_hours: expected an integer >= 1"},
    bad_case{R"({"expiry": {"interval_seconds": 0}})",
             "expiry.interval_seconds: expected a number > 0"},
    bad_case{R"({"expiry": {"interval_seconds": "60"}})",
             "expiry.interval_seconds: expected a number > 0"},
    bad_case{R"({"flush": {"hook": "email"}})",
             "flush.hook: expected one of none, webhook, command"},
    bad_case{R"({"flush": {"hook": "webhook"}})",
             "flush.url: required when flush.hook is webhook"},
    bad_case{R"({"flush": {"hook": "command", "url": "http://x"}})",
             "flush.command: required when flush.hook is command"},
    bad_case{R"({"flush": {"url": 5}})",
             "flush.url: expected null or a non-empty string"},
    bad_case{R"({"flush": {"min_messages": -1}})",
             "flush.min_messages: expected an integer >= 0"},
    bad_case{R"({"flush": {"max_attempts": 0}})",
             "flush.max_attempts: expected an integer >= 1"},
    bad_case{R"({"flush": {"timeout_seconds": -3}})",
             "flush.timeout_seconds: expected a number > 0"},
    bad_case{R"({"flush": {"concurrency": 0}})",
             "flush.concurrency: expected an integer >= 1"},
    bad_case{R"({"writer": {"max_batch": 0}})",
             "writer.max_batch: expected an integer >= 1"},
    bad_case{R"({"writer": {"max_batch": -5}})",
             "writer.max_batch: expected an integer >= 1"},
    bad_case{R"({"writer": {"max_batch": 3000000000}})",
             "writer.max_batch: expected an integer >= 1"},
    bad_case{R"({"writer": {"commit_delay_us": -1}})",
             "writer.commit_delay_us: expected an integer >= 0"},
    bad_case{R"({"writer": {"fold_max_jobs": 0}})",
             "writer.fold_max_jobs: expected an integer >= 1"},
    bad_case{R"({"writer": {"durability": "extra"}})",
             "writer.durability: expected one of normal, full"},
    bad_case{R"({"actors": {"passivate_after_seconds": 0}})",
             "actors.passivate_after_seconds: expected a number > 0"},
    bad_case{R"({"actors": {"max_resident": 0}})",
             "actors.max_resident: expected an integer >= 1"},
    bad_case{R"({"actors": {"threads": -1}})",
             "actors.threads: expected an integer >= 0"},
    bad_case{R"({"api": {"token_file": ""}})",
             "api.token_file: expected null or a non-empty string"},
    bad_case{R"({"api": {"max_body_bytes": 0}})",
             "api.max_body_bytes: expected an integer >= 1"},
    bad_case{R"({"index": {"sessions_json_mirror": "yes"}})",
             "index.sessions_json_mirror: expected true or false"},
    bad_case{R"({"idempotency": {"window_hours": 0}})",
             "idempotency.window_hours: expected a number > 0"},
    bad_case{R"({"idempotency": {"window": 1}})",
             "idempotency.window: unknown key"},
    bad_case{R"({"index": {"mirror_interval_seconds": 0}})",
             "index.mirror_interval_seconds: expected a number > 0"},
    bad_case{R"({"context": {"connected_platforms": ["telegram", 3]}})",
             "context.connected_platforms[1]: expected a platform name of "
             "a-z, 0-9, _ (1-32 characters)"},
    bad_case{R"({"context": {"connected_platforms": "telegram"}})",
             "context.connected_platforms: expected an array of platform "
             "names"},
    bad_case{R"({"context": {"home_channels": {"telegram": {"name": "x"}}}})",
             "context.home_channels.telegram.chat_id: required"},
    bad_case{R"({"context": {"home_channels": {"telegram": {"chat_id": "1",
             "platform": "discord"}}}})",
             "context.home_channels.telegram.platform: expected \"telegram\""},
    bad_case{R"({"context": {"local_output_path": ""}})",
             "context.local_output_path: expected a non-empty string"},
    bad_case{R"({"listen": "localhost"})",
             "listen: expected HOST:PORT with a port 0-65535"},
    bad_case{R"({"listen": "127.0.0.1:70000"})",
             "listen: expected HOST:PORT with a port 0-65535"},
    bad_case{R"({"listen": ":8377"})",
             "listen: expected HOST:PORT with a port 0-65535"},
    bad_case{R"({"listen": "127.0.0.1:http"})",
             "listen: expected HOST:PORT with a port 0-65535"},
    bad_case{R"({"data_dir": ""})", "data_dir: expected a non-empty string"},
    bad_case{R"({"agent_name": "a:b"})",
             "agent_name: expected a name without ':', spaces or control "
             "characters"},
    bad_case{R"({"group_sessions_per_user": 1})",
             "group_sessions_per_user: expected true or false"},
    bad_case{R"({"thread_sessions_per_user": null})",
             "thread_sessions_per_user: expected true or false"}));

INSTANTIATE_TEST_SUITE_P(
  ClusterKeys, ConfigValidationTest,
  ::testing::Values(
    bad_case{R"({"cluster": {"bogus": 1}})", "cluster.bogus: unknown key"},
    bad_case{R"({"cluster": []})", "cluster: expected an object"},
    bad_case{R"({"cluster": {"nats_urls": 3}})",
             "cluster.nats_urls: expected NATS URLs: \"nats://HOST:PORT,...\" "
             "or an array of them"},
    bad_case{R"({"cluster": {"nats_urls": ["nats://h:1", 2]}})",
             "cluster.nats_urls[1]: expected a string nats://HOST:PORT"},
    bad_case{R"({"cluster": {"nats_urls": "nats://h:1,,nats://h:2"}})",
             "cluster.nats_urls: empty URL"},
    bad_case{R"({"cluster": {"nats_urls": ["nats://h:1", "tls://h:2"]}})",
             "cluster.nats_urls[1]: URL \"tls://h:2\" is not nats://HOST:PORT"},
    bad_case{R"({"cluster": {"nats_urls": "nats://h:1"}})",
             "cluster.node_id: required when cluster.nats_urls is set"},
    bad_case{R"({"cluster": {"node_id": "n1"}})",
             "cluster.node_id: set, but cluster.nats_urls is not (a node id "
             "is for cluster mode)"},
    bad_case{R"({"cluster": {"nats_urls": "nats://h:1", "node_id": ""}})",
             "cluster.node_id must be 1 to 64 characters of A-Z, a-z, 0-9, "
             "'_' and '-'"},
    bad_case{R"({"cluster": {"nats_urls": "nats://h:1", "node_id": 7}})",
             "cluster.node_id: expected null or a node id"},
    bad_case{R"({"cluster": {"partitions": 0}})",
             "cluster.partitions: expected an integer 1-100"},
    bad_case{R"({"cluster": {"partitions": 101}})",
             "cluster.partitions: expected an integer 1-100"},
    bad_case{R"({"cluster": {"replicas": 6}})",
             "cluster.replicas: expected an integer 1-5"},
    bad_case{R"({"cluster": {"member_ttl_seconds": 0}})",
             "cluster.member_ttl_seconds: expected an integer 1-3600"},
    bad_case{R"({"cluster": {"member_ttl_seconds": 1.5}})",
             "cluster.member_ttl_seconds: expected an integer 1-3600"},
    bad_case{R"({"cluster": {"snapshot_every_records": 0}})",
             "cluster.snapshot_every_records: expected an integer "
             "1-1000000000"},
    bad_case{R"({"cluster": {"log_keep_records": -1}})",
             "cluster.log_keep_records: expected an integer 1-1000000000"}));

TEST(ConfigFileTest, MalformedJsonNamesTheFile) {
  temp_file f("{\"listen\": ", "broken");
  load_inputs in;
  in.env = fake_env({});
  in.config_file = f.path();
  auto r = load_settings(in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().message, "config file '" + f.path() + "': malformed JSON");
}

TEST(ConfigFileTest, MissingFileNamesTheFile) {
  load_inputs in;
  in.env = fake_env({});
  in.config_file = "/nonexistent/switchboard.json";
  auto r = load_settings(in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().message,
            "config file '/nonexistent/switchboard.json': cannot be read");
}

TEST(ConfigFileTest, TopLevelMustBeAnObject) {
  EXPECT_EQ(load_error("[1, 2]").find("expected a JSON object") !=
              std::string::npos,
            true);
}

TEST(ConfigFileTest, ValidListenForms) {
  for (auto listen :
       {"127.0.0.1:0", "0.0.0.0:65535", "[::1]:8377", "example.org:80"}) {
    auto r = load_text(std::string{R"({"listen": ")"} + listen + "\"}");
    ASSERT_TRUE(r.ok()) << listen << ": " << r.err().message;
    EXPECT_EQ(r->listen, listen);
  }
}

TEST(ConfigEnvTest, BadEnvValueNamesKeyAndVariable) {
  EXPECT_EQ(load_error("", {{"SWITCHBOARD_WRITER_MAX_BATCH", "lots"}}),
            "writer.max_batch: expected an integer >= 1 (from "
            "SWITCHBOARD_WRITER_MAX_BATCH)");
  EXPECT_EQ(load_error("", {{"SWITCHBOARD_WRITER_MAX_BATCH", "0"}}),
            "writer.max_batch: expected an integer >= 1 (from "
            "SWITCHBOARD_WRITER_MAX_BATCH)");
  EXPECT_EQ(load_error("", {{"SWITCHBOARD_INDEX_SESSIONS_JSON_MIRROR", "1"}}),
            "index.sessions_json_mirror: expected true or false (from "
            "SWITCHBOARD_INDEX_SESSIONS_JSON_MIRROR)");
  EXPECT_EQ(load_error("", {{"SWITCHBOARD_RESET_BY_TYPE", "{oops"}}),
            "reset.by_type: malformed JSON (from SWITCHBOARD_RESET_BY_TYPE)");
  EXPECT_EQ(load_error("", {{"SWITCHBOARD_RESET_TIMEZONE", "Nowhere/City"}}),
            "reset.timezone: expected \"local\", \"UTC\" or a known IANA "
            "time zone (from SWITCHBOARD_RESET_TIMEZONE)");
  EXPECT_EQ(load_error("", {{"SWITCHBOARD_EXPIRY_INTERVAL_SECONDS", "1s"}}),
            "expiry.interval_seconds: expected a number > 0 (from "
            "SWITCHBOARD_EXPIRY_INTERVAL_SECONDS)");
}

TEST(ConfigFlagTest, BadFlagNamesTheFlag) {
  flag_overrides flags;
  flags.listen = "nowhere";
  auto r = load_text("", {}, flags);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().message,
            "listen: expected HOST:PORT with a port 0-65535 (from --listen)");
}

} // namespace
} // namespace switchboard::config::testing
