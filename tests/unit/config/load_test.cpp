// Defaults, the precedence file < environment < flags, partial policies and
// the dump/load round trip.

#include "config_test_util.hpp"

#include <nlohmann/json.hpp>

namespace switchboard::config::testing {
namespace {

TEST(ConfigLoadTest, NothingGivenYieldsTheDocumentedDefaults) {
  auto r = load_text("");
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->listen, "127.0.0.1:8377");
  EXPECT_EQ(r->data_dir, "./var");
  EXPECT_EQ(r->keys.agent_name, "main");
  EXPECT_EQ(r->reset.policies.default_policy, core::reset_policy{});
  EXPECT_EQ(r->reset.timezone, "local");
  EXPECT_EQ(r->writer.max_batch, 1000);
  EXPECT_EQ(r->writer.commit_delay_us, 0);
  EXPECT_EQ(r->writer.fold_max_jobs, 20000);
  EXPECT_EQ(r->flush.hook, core::flush_hook::none);
  EXPECT_FALSE(r->api.token_file.has_value());
}

TEST(ConfigLoadTest, FileOverridesDefaults) {
  auto r = load_text(R"({"listen": "0.0.0.0:9000", "agent_name": "bot",
    "group_sessions_per_user": false, "writer": {"max_batch": 50,
    "durability": "full", "commit_delay_us": 250, "fold_max_jobs": 40},
    "flush": {"hook": "webhook", "url": "http://h/x"},
    "context": {"connected_platforms": ["telegram", "discord"],
    "home_channels": {"telegram": {"chat_id": "5", "name": "Ops"},
                      "discord": {"chat_id": "7"}}}})");
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->listen, "0.0.0.0:9000");
  EXPECT_EQ(r->keys.agent_name, "bot");
  EXPECT_FALSE(r->keys.group_sessions_per_user);
  EXPECT_EQ(r->writer.max_batch, 50);
  EXPECT_EQ(r->writer.mode, core::durability::full);
  EXPECT_EQ(r->writer.commit_delay_us, 250);
  EXPECT_EQ(r->writer.fold_max_jobs, 40);
  EXPECT_EQ(r->flush.hook, core::flush_hook::webhook);
  EXPECT_EQ(r->flush.url, "http://h/x");
  EXPECT_EQ(r->context.connected_platforms,
            (std::vector<std::string>{"telegram", "discord"}));
  ASSERT_EQ(r->context.home_channels.size(), 2u);
  EXPECT_EQ(r->context.home_channels[0].platform, "telegram"); // file order
  EXPECT_EQ(r->context.home_channels[0].name, "Ops");
  EXPECT_EQ(r->context.home_channels[1].name, "Home");
}

TEST(ConfigLoadTest, EnvironmentOverridesFile) {
  auto r = load_text(R"({"writer": {"max_batch": 50}, "reset": {
    "timezone": "Europe/Berlin"}, "listen": "127.0.0.1:1"})",
                     {{"SWITCHBOARD_WRITER_MAX_BATCH", "500"},
                      {"SWITCHBOARD_RESET_TIMEZONE", "UTC"},
                      {"SWITCHBOARD_LISTEN", "127.0.0.1:2"},
                      {"SWITCHBOARD_DATA_DIR", "/tmp/sb"},
                      {"SWITCHBOARD_AGENT_NAME", "env"},
                      {"SWITCHBOARD_INDEX_SESSIONS_JSON_MIRROR", "true"},
                      {"SWITCHBOARD_FLUSH_TIMEOUT_SECONDS", "2.5"}});
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->writer.max_batch, 500);
  EXPECT_EQ(r->reset.timezone, "UTC");
  EXPECT_EQ(r->listen, "127.0.0.1:2");
  EXPECT_EQ(r->data_dir, "/tmp/sb");
  EXPECT_EQ(r->keys.agent_name, "env");
  EXPECT_TRUE(r->index.sessions_json_mirror);
  EXPECT_DOUBLE_EQ(r->flush.timeout_seconds, 2.5);
}

TEST(ConfigLoadTest, FlagsOverrideEnvironmentAndFile) {
  flag_overrides flags;
  flags.listen = "127.0.0.1:3";
  flags.data_dir = "/flag/dir";
  flags.token_file = "/flag/token";
  auto r = load_text(R"({"listen": "127.0.0.1:1", "data_dir": "/file",
    "api": {"token_file": "/file/token"}})",
                     {{"SWITCHBOARD_LISTEN", "127.0.0.1:2"},
                      {"SWITCHBOARD_DATA_DIR", "/env"},
                      {"SWITCHBOARD_API_TOKEN_FILE", "/env/token"}},
                     flags);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->listen, "127.0.0.1:3");
  EXPECT_EQ(r->data_dir, "/flag/dir");
  EXPECT_EQ(r->api.token_file, "/flag/token");
}

TEST(ConfigLoadTest, EnvironmentTakesJsonForObjectKeys) {
  auto r = load_text(
    "", {{"SWITCHBOARD_RESET_BY_TYPE", R"({"group": {"mode": "idle"}})"},
         {"SWITCHBOARD_CONTEXT_CONNECTED_PLATFORMS", R"(["slack"])"}});
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->reset.policies.by_type.at("group").mode, core::reset_mode::idle);
  EXPECT_EQ(r->context.connected_platforms, std::vector<std::string>{"slack"});
}

TEST(ConfigLoadTest, EmptyEnvironmentValueClearsANullableKey) {
  auto r = load_text(R"({"api": {"token_file": "/t"}})",
                     {{"SWITCHBOARD_API_TOKEN_FILE", ""}});
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_FALSE(r->api.token_file.has_value());
}

TEST(ConfigLoadTest, PartialPoliciesTakeTheMergedDefaultPolicy) {
  auto r = load_text(R"({"reset": {
    "default": {"mode": "daily", "at_hour": 6},
    "by_type": {"group": {"mode": "idle", "idle_minutes": 120}},
    "by_platform": {"discord": {"mode": "none"}},
    "by_platform_type": {"telegram/thread": {"idle_minutes": 30}}}})");
  ASSERT_TRUE(r.ok()) << r.err().message;
  const auto& p = r->reset.policies;
  // The default policy itself is filled from the built-in defaults.
  EXPECT_EQ(p.default_policy,
            (core::reset_policy{core::reset_mode::daily, 6, 1440}));
  EXPECT_EQ(p.by_type.at("group"),
            (core::reset_policy{core::reset_mode::idle, 6, 120}));
  EXPECT_EQ(p.by_platform.at("discord"),
            (core::reset_policy{core::reset_mode::none, 6, 1440}));
  EXPECT_EQ(p.by_platform_type.at("telegram/thread"),
            (core::reset_policy{core::reset_mode::daily, 6, 30}));
}

TEST(ConfigLoadTest, DeferDailyMinutesAndRetentionAreRead) {
  auto r = load_text(R"({"reset": {"default": {"defer_daily_minutes": 30},
    "by_type": {"group": {"mode": "daily"}}},
    "retention": {"max_age_days": 90, "max_ended_sessions": 5000,
                  "interval_seconds": 60}})");
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->reset.policies.default_policy.defer_daily_minutes, 30);
  // A partial policy takes the default policy's grace too.
  EXPECT_EQ(r->reset.policies.by_type.at("group").defer_daily_minutes, 30);
  EXPECT_EQ(r->retention.max_age_days, 90);
  EXPECT_EQ(r->retention.max_ended_sessions, 5000);
  EXPECT_EQ(r->retention.interval_seconds, 60.0);
  EXPECT_TRUE(r->retention.enabled());
  EXPECT_FALSE(core::settings{}.retention.enabled());
}

TEST(ConfigLoadTest, PartialPoliciesUseTheDefaultPolicyFromTheEnvironment) {
  auto r = load_text(R"({"reset": {"by_type": {"group": {"mode": "idle"}}}})",
                     {{"SWITCHBOARD_RESET_DEFAULT", R"({"idle_minutes": 7})"}});
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->reset.policies.by_type.at("group"),
            (core::reset_policy{core::reset_mode::idle, 4, 7}));
}

TEST(ConfigLoadTest, NoEnvironmentAccessorMeansNoEnvironment) {
  load_inputs in;
  in.env = nullptr;
  auto r = load_settings(in);
  ASSERT_TRUE(r.ok()) << r.err().message;
}

TEST(ConfigDumpTest, DumpHasTheConfigFileShape) {
  auto j = nlohmann::json::parse(dump_settings(core::settings{}));
  EXPECT_EQ(j["listen"], "127.0.0.1:8377");
  EXPECT_EQ(j["reset"]["default"],
            (nlohmann::json{{"mode", "both"},
                            {"at_hour", 4},
                            {"idle_minutes", 1440},
                            {"defer_daily_minutes", 0}}));
  EXPECT_EQ(j["retention"], (nlohmann::json{{"max_age_days", 0},
                                            {"max_ended_sessions", 0},
                                            {"interval_seconds", 3600.0}}));
  EXPECT_EQ(j["flush"]["url"], nullptr);
  EXPECT_EQ(j["writer"]["durability"], "normal");
  EXPECT_EQ(j["context"]["home_channels"], nlohmann::json::object());
}

TEST(ConfigDumpTest, DumpThenLoadRoundTrips) {
  auto first = load_text(R"({"listen": "0.0.0.0:1", "agent_name": "x",
    "thread_sessions_per_user": false,
    "reset": {"default": {"mode": "idle", "idle_minutes": 99},
      "by_type": {"group": {"mode": "none"}},
      "by_platform": {"discord": {"at_hour": 2}},
      "by_platform_type": {"telegram/dm": {"mode": "daily"}},
      "timezone": "Europe/Berlin", "busy_max_hours": 3},
    "expiry": {"interval_seconds": 1.5},
    "flush": {"hook": "command", "command": "true", "min_messages": 0,
              "max_attempts": 9, "timeout_seconds": 4, "concurrency": 2},
    "writer": {"max_batch": 7, "durability": "full", "max_queue": 8},
    "actors": {"passivate_after_seconds": 5, "max_resident": 6, "threads": 1,
               "shards": 3},
    "api": {"token_file": "/t", "max_body_bytes": 10, "max_in_flight": 11},
    "index": {"sessions_json_mirror": true, "mirror_interval_seconds": 2},
    "idempotency": {"window_hours": 0.5},
    "context": {"connected_platforms": ["telegram"],
                "home_channels": {"telegram": {"chat_id": "1", "name": "H"}},
                "local_output_path": "/out"}})");
  ASSERT_TRUE(first.ok()) << first.err().message;
  auto text = dump_settings(*first);
  auto second = load_text(text);
  ASSERT_TRUE(second.ok()) << second.err().message;
  EXPECT_EQ(dump_settings(*second), text);
  EXPECT_EQ(second->reset.policies.by_platform.at("discord"),
            (core::reset_policy{core::reset_mode::idle, 2, 99}));
  EXPECT_EQ(second->flush.command, "true");
  EXPECT_EQ(second->actors.shards, 3);
  EXPECT_EQ(second->idempotency.window_hours, 0.5);
}

TEST(ConfigDumpTest, DefaultsRoundTrip) {
  auto text = dump_settings(core::settings{});
  auto r = load_text(text);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(dump_settings(*r), text);
}

TEST(TokenFileTest, ReadsTrimmedToken) {
  temp_file f("  s3cret\n", "token");
  auto t = read_token_file(f.path());
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, "s3cret");
}

TEST(TokenFileTest, EmptyOrMissingIsAnError) {
  temp_file f(" \n\t", "token");
  EXPECT_FALSE(read_token_file(f.path()).ok());
  EXPECT_FALSE(read_token_file("/nonexistent/token").ok());
}

} // namespace
TEST(ConfigLoadTest, FromTextMatchesTheFileAndNamesItInErrors) {
  const std::string text =
    R"({"listen": "0.0.0.0:9000", "writer": {"max_batch": 5}})";
  load_inputs in;
  in.env = nullptr;
  auto r = load_settings_from_text(text, "inline.json", in);
  ASSERT_TRUE(r.ok()) << r.err().message;
  auto from_file = load_text(text);
  ASSERT_TRUE(from_file.ok());
  EXPECT_EQ(dump_settings(*r), dump_settings(*from_file));
  auto bad = load_settings_from_text("{", "inline.json", in);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.err().message, "config file 'inline.json': malformed JSON");
}

} // namespace switchboard::config::testing
