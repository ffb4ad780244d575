// Operations through the real binary: daily reset grace (SPEC 4.6),
// retention and prune dry runs (SPEC 11, 13), usage rollups (SPEC 14), by
// HTTP and by the CLI (--url and --data-dir).

#include "tests/support/data_dir_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/server_process.hpp"

#include "persistence/sqlite.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

namespace switchboard::testing {
namespace {

using json = nlohmann::json;

class OperationsTest : public ::testing::Test {
protected:
  /// Starts serve --clock manual with `config` as its config file.
  void serve(const json& config) {
    auto path = dir_.file("config.json");
    std::ofstream(path) << config.dump();
    server_ = std::make_unique<server_process>(std::vector<std::string>{
      "--data-dir", dir_.file("data"), "--clock", "manual", "--config", path});
    ASSERT_FALSE(server_->url().empty()) << server_->line();
  }
  json call(const std::string& method, const std::string& path,
            const json& body = nullptr, long want = 200) {
    return json_call(server_->url(), method, path, body, want);
  }
  void set_clock(const std::string& iso) {
    call("POST", "/v1/admin/clock", {{"set", iso}});
  }
  json say(const std::string& chat, const std::string& text,
           bool force_new = false) {
    return call("POST", "/v1/messages",
                {{"source", {{"platform", "telegram"}, {"chat_id", chat}}},
                 {"message", {{"role", "user"}, {"content", text}}},
                 {"force_new", force_new}});
  }
  process_result cli(std::vector<std::string> args) {
    args.insert(args.begin(), switchboard_bin());
    args.push_back("--url");
    args.push_back(server_->url());
    return run_command(args);
  }

  temp_dir dir_;
  std::unique_ptr<server_process> server_;
};

TEST_F(OperationsTest, DailyResetWaitsForAQuietGap) {
  serve({{"reset",
          {{"timezone", "UTC"},
           {"default", {{"mode", "daily"}, {"defer_daily_minutes", 30}}}}}});
  set_clock("2026-11-21T03:58:00Z");
  auto first = say("1", "before the hour")["session_id"];
  set_clock("2026-11-21T04:05:00Z");
  EXPECT_EQ(say("1", "still talking")["session_id"], first);
  auto entry = call("GET", "/v1/sessions/agent%3Amain%3Atelegram%3Adm%3A1");
  EXPECT_EQ(entry["daily_reset_deferred"], true);
  set_clock("2026-11-21T04:34:00Z");
  EXPECT_EQ(call("POST", "/v1/admin/expire")["expired"], 0);
  set_clock("2026-11-21T04:35:00Z");
  EXPECT_EQ(call("POST", "/v1/admin/expire")["expired"], 1);
  auto next = say("1", "later");
  EXPECT_NE(next["session_id"], first);
  EXPECT_EQ(next["auto_reset_reason"], "daily");
}

TEST_F(OperationsTest, BadGraceInTheConfigNamesTheKey) {
  auto path = dir_.file("config.json");
  std::ofstream(path)
    << R"({"reset": {"default": {"defer_daily_minutes": 1441}}})";
  auto r =
    run_command({switchboard_bin(), "serve", "--config", path, "--data-dir",
                 dir_.file("data"), "--listen", "127.0.0.1:0"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("reset.default.defer_daily_minutes"), std::string::npos)
    << r.err;
}

TEST_F(OperationsTest, PruneDryRunThenRealRunByHttpAndCli) {
  serve({{"reset", {{"timezone", "UTC"}}}});
  set_clock("2026-11-01T10:00:00Z");
  std::vector<std::string> ended;
  for (const char* chat : {"1", "2", "3"}) {
    ended.push_back(say(chat, "a")["session_id"]);
    say(chat, "b", true); // ends the first session
  }
  // Same start time: a prune lists them by id.
  std::sort(ended.begin(), ended.end());
  set_clock("2026-11-20T10:00:00Z");
  auto dry = call("POST", "/v1/admin/prune",
                  {{"older_than_days", 0}, {"dry_run", true}});
  EXPECT_EQ(dry["pruned"], 3);
  EXPECT_EQ(dry["dry_run"], true);
  EXPECT_EQ(dry["session_ids"], json(ended));

  auto text = cli({"prune", "--older-than-days", "0", "--dry-run"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out, "would prune 3 sessions\n" + ended[0] + "\n" + ended[1] +
                        "\n" + ended[2] + "\n");
  auto real = cli({"prune", "--older-than-days", "0", "--json"});
  ASSERT_EQ(real.exit_code, 0) << real.err;
  auto j = json::parse(real.out);
  EXPECT_EQ(j["dry_run"], false);
  EXPECT_EQ(j["session_ids"], json(ended));
  for (const auto& id : ended)
    call("GET", "/v1/session-ids/" + id, nullptr, 404);
  auto metrics = http("GET", server_->url() + "/metrics");
  EXPECT_NE(metrics.body.find("switchboard_sessions_pruned_total 3"),
            std::string::npos);
}

TEST_F(OperationsTest, RetentionEndpointAppliesTheConfiguredLimits) {
  serve({{"reset", {{"timezone", "UTC"}}},
         {"retention", {{"max_ended_sessions", 1}, {"max_age_days", 0}}}});
  set_clock("2026-11-01T10:00:00Z");
  auto oldest = say("1", "a")["session_id"];
  say("1", "b", true);
  set_clock("2026-11-02T10:00:00Z");
  auto newest = say("2", "a")["session_id"];
  say("2", "b", true);
  EXPECT_EQ(call("POST", "/v1/admin/retention"), (json{{"pruned", 1}}));
  call("GET", "/v1/session-ids/" + oldest.get<std::string>(), nullptr, 404);
  call("GET", "/v1/session-ids/" + newest.get<std::string>());
  auto metrics = http("GET", server_->url() + "/metrics");
  EXPECT_NE(metrics.body.find("switchboard_retention_runs_total"),
            std::string::npos);
}

TEST_F(OperationsTest, UsageByHttpAndCliAcrossLocalMidnight) {
  serve(
    {{"reset", {{"timezone", "Asia/Tokyo"}, {"default", {{"mode", "none"}}}}}});
  set_clock("2026-11-21T14:30:00Z"); // 23:30 in Tokyo
  auto first = say("1", "hi");
  auto key = std::string{"agent%3Amain%3Atelegram%3Adm%3A1"};
  call("POST", "/v1/sessions/" + key + "/usage",
       {{"input_tokens", 100},
        {"output_tokens", 5},
        {"model", "gpt-a"},
        {"estimated_cost_usd", 0.25}});
  set_clock("2026-11-21T15:30:00Z"); // 00:30 on the 22nd
  call("POST", "/v1/sessions/" + key + "/usage",
       {{"input_tokens", 7}, {"model", "gpt-b"}, {"estimated_cost_usd", 0.5}});
  auto days = call("GET", "/v1/usage?group_by=day");
  ASSERT_EQ(days["rows"].size(), 2u) << days.dump();
  EXPECT_EQ(days["rows"][0]["day"], "2026-11-21");
  EXPECT_EQ(days["rows"][0]["input_tokens"], 100);
  EXPECT_EQ(days["rows"][1]["day"], "2026-11-22");
  EXPECT_EQ(days["rows"][1]["updates"], 1);
  auto models = call("GET", "/v1/usage?group_by=model&from=2026-11-22");
  ASSERT_EQ(models["rows"].size(), 1u);
  EXPECT_EQ(models["rows"][0]["model"], "gpt-b");
  call("GET", "/v1/usage?group_by=week", nullptr, 400);

  // Deleting the session keeps the totals.
  call("DELETE", "/v1/session-ids/" + first["session_id"].get<std::string>());
  auto platform = cli({"usage", "--group-by", "platform", "--json"});
  ASSERT_EQ(platform.exit_code, 0) << platform.err;
  auto j = json::parse(platform.out);
  ASSERT_EQ(j["rows"].size(), 1u);
  EXPECT_EQ(j["rows"][0]["platform"], "telegram");
  EXPECT_EQ(j["rows"][0]["input_tokens"], 107);
  EXPECT_EQ(j["rows"][0]["estimated_cost_usd"], 0.75);

  auto table = cli({"usage"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("DAY", 0), 0u) << table.out;
  EXPECT_NE(table.out.find("2026-11-22"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("0.2500"), std::string::npos) << table.out;
}

TEST(OperationsCliTest, UsageOnADataDirIncludesImportedSessions) {
  temp_dir home, dest;
  ASSERT_EQ(make_hermes_home(home.path()), "");
  {
    auto db = persistence::connection::open(home.file("state.db"),
                                            SQLITE_OPEN_READWRITE);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->exec("UPDATE sessions SET input_tokens = 12, "
                            "output_tokens = 3, estimated_cost_usd = 0.5, "
                            "model = 'legacy'"));
  }
  auto imp = run_command({switchboard_bin(), "import-hermes", "--hermes-home",
                          home.path(), "--data-dir", dest.path(), "--timezone",
                          "UTC", "--json"});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  auto r = run_command({switchboard_bin(), "usage", "--data-dir", dest.path(),
                        "--group-by", "model", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = json::parse(r.out);
  ASSERT_EQ(j["rows"].size(), 1u) << r.out;
  EXPECT_EQ(j["rows"][0]["model"], "legacy");
  EXPECT_EQ(j["rows"][0]["input_tokens"], 12);
  // Running the import again does not count the session twice.
  ASSERT_EQ(run_command({switchboard_bin(), "import-hermes", "--hermes-home",
                         home.path(), "--data-dir", dest.path(), "--json"})
              .exit_code,
            0);
  r = run_command(
    {switchboard_bin(), "usage", "--data-dir", dest.path(), "--json"});
  j = json::parse(r.out);
  ASSERT_EQ(j["rows"].size(), 1u);
  EXPECT_EQ(j["rows"][0]["day"], "1970-01-01"); // started_at 500
  EXPECT_EQ(j["rows"][0]["input_tokens"], 12);
}

TEST(OperationsCliTest, OutOfRangeValuesAreSentences) {
  temp_dir dir;
  ASSERT_EQ(fill_data_dir(dir.path()), "");
  auto r = run_command({switchboard_bin(), "prune", "--older-than-days", "-1",
                        "--data-dir", dir.path()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "switchboard: --older-than-days must be 0 or more\n");
  r = run_command({switchboard_bin(), "usage", "--from", "2026-13-01",
                   "--data-dir", dir.path()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "switchboard: --from: expected a day as YYYY-MM-DD\n");
  r = run_command({switchboard_bin(), "usage", "--group-by", "user",
                   "--data-dir", dir.path()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "switchboard: --group-by must be day, platform or model\n");
}

TEST(OperationsCliTest, PruneDryRunOnADataDirDeletesNothing) {
  temp_dir dir;
  ASSERT_EQ(fill_data_dir(dir.path()), "");
  auto dry = run_command({switchboard_bin(), "prune", "--older-than-days", "0",
                          "--dry-run", "--json", "--data-dir", dir.path()});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  auto j = json::parse(dry.out);
  EXPECT_EQ(j["session_ids"], json({"20260101_000000_aaaa1111"}));
  auto real = run_command({switchboard_bin(), "prune", "--older-than-days", "0",
                           "--json", "--data-dir", dir.path()});
  ASSERT_EQ(real.exit_code, 0) << real.err;
  EXPECT_EQ(json::parse(real.out)["session_ids"], j["session_ids"]);
}

} // namespace
} // namespace switchboard::testing
