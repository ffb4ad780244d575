// The CLI's server mode end to end: `switchboard serve` on a free port and
// the data commands with --url against it.

#include "tests/support/data_dir_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace switchboard::testing {
namespace {

const std::string source = R"({"platform": "telegram", "chat_id": "99"})";
const std::string key = "agent:main:telegram:dm:99";

class ServerCliTest : public ::testing::Test {
protected:
  /// Runs `switchboard <args...> --url URL`.
  process_result run(const server_process& s, std::vector<std::string> args) {
    args.insert(args.begin(), switchboard_bin());
    args.push_back("--url");
    args.push_back(s.url());
    return run_command(args);
  }

  nlohmann::json run_json(const server_process& s,
                          std::vector<std::string> args) {
    args.push_back("--json");
    auto r = run(s, std::move(args));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
  }

  temp_dir dir_;
};

TEST_F(ServerCliTest, SendThenTranscriptByKeyAndId) {
  server_process s({"--data-dir", dir_.path()});
  ASSERT_FALSE(s.url().empty()) << s.line();
  auto sent = run(s, {"send", source, "hello from the cli"});
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  auto reply = nlohmann::json::parse(sent.out, nullptr, false);
  EXPECT_EQ(reply["session_key"], key);
  EXPECT_EQ(reply["created"], true);
  auto id = reply["session_id"].get<std::string>();

  auto by_key = run_json(s, {"transcript", key}); // ':' percent-encoded
  EXPECT_EQ(by_key["session_id"], id);
  ASSERT_EQ(by_key["messages"].size(), 1u) << by_key.dump();
  EXPECT_EQ(by_key["messages"][0]["content"], "hello from the cli");
  auto by_id = run_json(s, {"transcript", id});
  EXPECT_EQ(by_id["messages"][0]["content"], "hello from the cli");
}

TEST_F(ServerCliTest, HistorySearchSessionsAndTitle) {
  server_process s({"--data-dir", dir_.path()});
  ASSERT_FALSE(s.url().empty()) << s.line();
  ASSERT_EQ(run(s, {"send", source, "find the echidna"}).exit_code, 0);
  auto sessions = run_json(s, {"sessions"});
  ASSERT_EQ(sessions["sessions"].size(), 1u) << sessions.dump();
  auto id = sessions["sessions"][0]["session_id"].get<std::string>();
  auto hits = run_json(s, {"search", "echidna"});
  ASSERT_EQ(hits["results"].size(), 1u) << hits.dump();
  EXPECT_EQ(hits["results"][0]["session_id"], id);
  auto titled = run_json(s, {"title", id, "Echidna notes"});
  EXPECT_EQ(titled["title"], "Echidna notes");
  auto history = run_json(s, {"history"});
  ASSERT_EQ(history["sessions"].size(), 1u);
  EXPECT_EQ(history["sessions"][0]["title"], "Echidna notes");
}

TEST_F(ServerCliTest, ResetThenResumeByTitle) {
  server_process s({"--data-dir", dir_.path()});
  ASSERT_FALSE(s.url().empty()) << s.line();
  auto first = nlohmann::json::parse(run(s, {"send", source, "first"}).out,
                                     nullptr, false);
  auto old_id = first["session_id"].get<std::string>();
  ASSERT_EQ(run(s, {"title", old_id, "Old thread"}).exit_code, 0);
  auto reset = run_json(s, {"reset", key});
  EXPECT_NE(reset["session_id"], old_id);
  auto resumed = run_json(s, {"resume", key, "Old thread"});
  EXPECT_EQ(resumed["session_id"], old_id);
  auto by_id = run_json(s, {"resume", key, reset["session_id"]});
  EXPECT_EQ(by_id["session_id"], reset["session_id"]);
}

TEST_F(ServerCliTest, ExpireExportAndPrune) {
  server_process s({"--data-dir", dir_.path()});
  ASSERT_FALSE(s.url().empty()) << s.line();
  ASSERT_EQ(run(s, {"send", source, "exported words"}).exit_code, 0);
  auto expired = run_json(s, {"expire"});
  EXPECT_TRUE(expired.contains("expired")) << expired.dump();
  auto out_file = dir_.file("all.jsonl");
  auto exported = run(s, {"export", "--out", out_file});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(exported.out, "exported 1 sessions to " + out_file + "\n");
  std::ifstream in(out_file);
  std::string line;
  std::getline(in, line);
  auto session = nlohmann::json::parse(line, nullptr, false);
  EXPECT_EQ(session["messages"][0]["content"], "exported words");
  auto pruned = run_json(s, {"prune", "--older-than-days", "30"});
  EXPECT_EQ(pruned["pruned"], 0); // nothing old or ended
}

TEST_F(ServerCliTest, ExpireOneKey) {
  server_process s({"--data-dir", dir_.path()});
  ASSERT_FALSE(s.url().empty()) << s.line();
  auto sent =
    nlohmann::json::parse(run(s, {"send", source, "bye"}).out, nullptr, false);
  auto id = sent["session_id"].get<std::string>();
  auto stale = run(s, {"expire", key, "--session-id", "20200101_000000_0000"});
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_NE(stale.err.find(id), std::string::npos) << stale.err;
  auto done = run(s, {"expire", key, "--session-id", id});
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_EQ(done.out, "expired " + id + " of " + key + " (manual)\n");
  auto again = run(s, {"expire", key});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already expired"), std::string::npos) << again.err;
  EXPECT_EQ(run_json(s, {"sessions"})["sessions"][0]["expiry_finalized"], true);
}

TEST_F(ServerCliTest, ServerErrorsAreFailedOperations) {
  server_process s({"--data-dir", dir_.path()});
  ASSERT_FALSE(s.url().empty()) << s.line();
  auto bad = run(s, {"send", R"({"platform": "Tele Gram"})", "x"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("source.platform"), std::string::npos) << bad.err;
  auto missing = run(s, {"transcript", "19990101_000000_ffffffff"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("404"), std::string::npos) << missing.err;
}

TEST_F(ServerCliTest, TokenFromFileOrEnvironment) {
  std::ofstream(dir_.file("token")) << "s3cret\n";
  server_process s(
    {"--data-dir", dir_.path(), "--token-file", dir_.file("token")});
  ASSERT_FALSE(s.url().empty()) << s.line();
  auto denied = run(s, {"sessions"});
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_NE(denied.err.find("401"), std::string::npos) << denied.err;
  auto allowed = run(s, {"sessions", "--token-file", dir_.file("token")});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
  auto by_env = run_command({"/usr/bin/env", "SWITCHBOARD_TOKEN=s3cret",
                             switchboard_bin(), "sessions", "--url", s.url()});
  EXPECT_EQ(by_env.exit_code, 0) << by_env.err;
}

} // namespace
} // namespace switchboard::testing
