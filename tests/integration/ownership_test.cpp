// No resuming someone else's session, and scoped reads (SPEC 5, issue 13),
// with the real binary: switch by id and by title under scope key and user,
// allowed and forbidden; search and history filtered by user_id and
// session_key, over HTTP and through the CLI.

#include "tests/support/process.hpp"
#include "tests/support/reliability_util.hpp"
#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>

namespace switchboard::testing {
namespace {

using json = nlohmann::json;

/// A telegram message from `user` in chat `chat` of `type`.
std::string from(const std::string& type, const std::string& chat,
                 const std::string& user, const std::string& text) {
  return json{{"source",
               {{"platform", "telegram"},
                {"chat_type", type},
                {"chat_id", chat},
                {"user_id", user}}},
              {"message", {{"role", "user"}, {"content", text}}}}
    .dump();
}

const std::string ana_dm = "/v1/sessions/agent%3Amain%3Atelegram%3Adm%3A1";
const std::string ana_group =
  "/v1/sessions/agent%3Amain%3Atelegram%3Agroup%3Ag%3A42";
const std::string bob_dm = "/v1/sessions/agent%3Amain%3Atelegram%3Adm%3A2";

class OwnershipTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(s_.url().empty());
    old_ = post("/v1/messages", from("dm", "1", "42", "ana platypus"));
    post(ana_dm + "/reset", "{}");
    post("/v1/messages", from("group", "g", "42", "ana in a group"));
    post("/v1/messages", from("dm", "2", "43", "bob platypus"));
    ASSERT_EQ(http("PUT", s_.url() + "/v1/session-ids/" + old_ + "/title",
                   R"({"title": "ana project"})")
                .status,
              200);
  }
  void TearDown() override {
    s_.stop(SIGTERM);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string post(const std::string& path, const std::string& body) {
    auto r = parse(http("POST", s_.url() + path, body));
    return r.value("session_id", "");
  }
  http_result switch_to(const std::string& key_path, const json& body) {
    return http("POST", s_.url() + key_path + "/switch", body.dump());
  }
  std::string current(const std::string& key_path) {
    return parse(http("GET", s_.url() + key_path))["session_id"];
  }
  void expect_forbidden(const http_result& r) {
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(parse(r)["error"]["code"], "forbidden") << r.body;
  }

  std::string dir_ = make_temp_dir();
  server_process s_{{"--data-dir", dir_}};
  std::string old_; // ana's first dm session, titled "ana project"
};

TEST_F(OwnershipTest, ScopeKeyAllowsOnlyTheKeysOwnSessions) {
  auto r = switch_to(ana_dm, {{"session_id", old_}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(current(ana_dm), old_);
  auto bob_before = current(bob_dm);
  expect_forbidden(switch_to(bob_dm, {{"session_id", old_}}));
  expect_forbidden(
    switch_to(ana_group, {{"session_id", old_}, {"scope", "key"}}));
  EXPECT_EQ(current(bob_dm), bob_before); // nothing changed
  EXPECT_EQ(
    sqlite_scalar(dir_ + "/state.db",
                  "SELECT end_reason IS NULL FROM sessions WHERE id = '" +
                    bob_before + "'"),
    "1");
}

TEST_F(OwnershipTest, ScopeUserAllowsTheSameUsersOtherChats) {
  auto r = switch_to(ana_group, {{"session_id", old_}, {"scope", "user"}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(current(ana_group), old_);
  expect_forbidden(
    switch_to(bob_dm, {{"session_id", old_}, {"scope", "user"}}));
}

TEST_F(OwnershipTest, ResumeByTitleFollowsTheSameRule) {
  expect_forbidden(switch_to(bob_dm, {{"title", "ana project"}}));
  expect_forbidden(
    switch_to(bob_dm, {{"title", "ana project"}, {"scope", "user"}}));
  auto r = switch_to(ana_dm, {{"title", "ana project"}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(current(ana_dm), old_);
  auto cli = run_command({switchboard_bin(), "resume", "--url", s_.url(),
                          "agent:main:telegram:dm:2", "ana project"});
  EXPECT_EQ(cli.exit_code, 1);
  EXPECT_NE(cli.err.find("HTTP 403"), std::string::npos) << cli.err;
}

TEST_F(OwnershipTest, AnUnknownScopeIsABadRequest) {
  auto r = switch_to(ana_dm, {{"session_id", old_}, {"scope", "anyone"}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("scope"), std::string::npos);
}

TEST_F(OwnershipTest, SearchAndHistoryScopedToAUser) {
  auto hits = parse(http("GET", s_.url() + "/v1/search?q=platypus&user_id=42"));
  ASSERT_EQ(hits["results"].size(), 1u) << hits.dump();
  EXPECT_EQ(hits["results"][0]["session_id"], old_);
  auto all = parse(http("GET", s_.url() + "/v1/search?q=platypus"));
  EXPECT_EQ(all["results"].size(), 2u);
  auto by_key =
    parse(http("GET", s_.url() + "/v1/search?q=platypus&session_key=" +
                        "agent%3Amain%3Atelegram%3Adm%3A2"));
  ASSERT_EQ(by_key["results"].size(), 1u);
  EXPECT_NE(by_key["results"][0]["session_id"], old_);
  auto history = parse(http("GET", s_.url() + "/v1/history?user_id=43"));
  ASSERT_EQ(history["sessions"].size(), 1u) << history.dump();
  EXPECT_EQ(history["sessions"][0]["user_id"], "43");
  auto ana = parse(http("GET", s_.url() + "/v1/history?user_id=42"));
  EXPECT_EQ(ana["sessions"].size(), 3u); // two dm sessions and the group
  EXPECT_EQ(http("GET", s_.url() + "/v1/search?q=x&user_id=").status, 400);
}

TEST_F(OwnershipTest, CliFlagsScopeSearchAndHistory) {
  for (auto where : std::vector<std::vector<std::string>>{
         {"--url", s_.url()}, {"--data-dir", dir_}}) {
    std::vector<std::string> search{switchboard_bin(), "search", "platypus",
                                    "--user-id",       "43",     "--json"};
    search.insert(search.end(), where.begin(), where.end());
    auto r = run_command(search);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto hits = json::parse(r.out)["results"];
    ASSERT_EQ(hits.size(), 1u) << r.out;
    EXPECT_NE(hits[0]["session_id"], old_);
    std::vector<std::string> history{
      switchboard_bin(), "history", "--session-key",
      "agent:main:telegram:group:g:42", "--json"};
    history.insert(history.end(), where.begin(), where.end());
    r = run_command(history);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["sessions"].size(), 1u) << r.out;
  }
}

} // namespace
} // namespace switchboard::testing
