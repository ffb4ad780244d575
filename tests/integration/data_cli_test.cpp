// The data commands of the real `switchboard` binary working directly on a
// data dir (no server): history, search, transcript, sessions, export,
// prune, import-hermes, and their usage errors (exit 2).

#include "tests/support/data_dir_fixture.hpp"
#include "tests/support/process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace switchboard::testing {
namespace {

const std::string first_id = "20260101_000000_aaaa1111";
const std::string second_id = "20260102_000000_bbbb2222";

class DataCliTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    ASSERT_EQ(fill_data_dir(dir_.path()), "");
  }

  /// Runs `switchboard <args...> --data-dir DIR`.
  process_result run(std::vector<std::string> args) {
    args.insert(args.begin(), switchboard_bin());
    args.push_back("--data-dir");
    args.push_back(dir_.path());
    return run_command(args);
  }

  nlohmann::json run_json(std::vector<std::string> args) {
    args.push_back("--json");
    auto r = run(std::move(args));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
  }

  temp_dir dir_;
};

TEST_F(DataCliTest, HistoryListsSessionsNewestFirstAsJson) {
  auto j = run_json({"history"});
  ASSERT_EQ(j["sessions"].size(), 2u) << j.dump();
  EXPECT_EQ(j["sessions"][0]["id"], second_id);
  EXPECT_EQ(j["sessions"][1]["id"], first_id);
  EXPECT_EQ(j["sessions"][1]["title"], "alpha");
}

TEST_F(DataCliTest, HistoryFiltersBySource) {
  auto j = run_json({"history", "--source", "telegram"});
  ASSERT_EQ(j["sessions"].size(), 1u);
  EXPECT_EQ(j["sessions"][0]["id"], first_id);
}

TEST_F(DataCliTest, HistoryTableIsAlignedText) {
  auto r = run({"history"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("ID", 0), 0u) << r.out;
  EXPECT_NE(r.out.find(first_id), std::string::npos);
  EXPECT_NE(r.out.find("alpha"), std::string::npos);
  auto header_end = r.out.find('\n');
  auto source_col = r.out.find("SOURCE");
  auto row = r.out.find(second_id);
  // The SOURCE column starts at the same offset on the header and the row.
  EXPECT_EQ(r.out.find("discord", row) - row, source_col);
  EXPECT_LT(header_end, row);
}

TEST_F(DataCliTest, SearchFindsAMessage) {
  auto j = run_json({"search", "kangaroo"});
  ASSERT_EQ(j["results"].size(), 1u) << j.dump();
  EXPECT_EQ(j["results"][0]["session_id"], first_id);
  EXPECT_EQ(j["results"][0]["role"], "user");
}

TEST_F(DataCliTest, SearchWithoutHitsIsEmptyNotAnError) {
  auto j = run_json({"search", "wombat"});
  EXPECT_EQ(j["results"], nlohmann::json::array());
}

TEST_F(DataCliTest, TranscriptByIdPrefixAndByKey) {
  auto by_id = run_json({"transcript", "20260101"});
  EXPECT_EQ(by_id["session_id"], first_id);
  ASSERT_EQ(by_id["messages"].size(), 2u);
  EXPECT_EQ(by_id["messages"][0]["content"], "hello kangaroo world");
  EXPECT_EQ(by_id["messages"][1]["role"], "assistant");
  auto by_key = run_json({"transcript", "agent:main:discord:dm:7"});
  EXPECT_EQ(by_key["session_id"], second_id);
  EXPECT_EQ(by_key["messages"][0]["content"], "second session text");
}

TEST_F(DataCliTest, TranscriptTextShowsRolesAndContent) {
  auto r = run({"transcript", first_id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("[user]\nhello kangaroo world"), std::string::npos)
    << r.out;
}

TEST_F(DataCliTest, TranscriptOfUnknownSessionFails) {
  for (auto what : {"19990101_000000_ffffffff", "agent:main:nobody"}) {
    auto r = run({"transcript", what});
    EXPECT_EQ(r.exit_code, 1) << what;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err.rfind("switchboard: ", 0), 0u) << r.err;
  }
}

TEST_F(DataCliTest, SessionsListsEntries) {
  auto j = run_json({"sessions"});
  ASSERT_EQ(j["sessions"].size(), 1u);
  EXPECT_EQ(j["sessions"][0]["session_key"], "agent:main:discord:dm:7");
  // Active in the last minute: the fixture's entry is from 1970.
  EXPECT_EQ(run_json({"sessions", "--active-minutes", "1"})["sessions"].size(),
            0u);
}

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    out.push_back(nlohmann::json::parse(line, nullptr, false));
  return out;
}

TEST_F(DataCliTest, ExportAllWritesJsonLinesToAFile) {
  auto out_file = dir_.file("export.jsonl");
  auto r = run({"export", "--out", out_file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "exported 2 sessions to " + out_file + "\n");
  std::ifstream in(out_file);
  std::stringstream text;
  text << in.rdbuf();
  auto lines = json_lines(text.str());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1]["id"], first_id);
  EXPECT_EQ(lines[1]["messages"].size(), 2u);
}

TEST_F(DataCliTest, ExportOneSessionToStdout) {
  auto r = run({"export", "20260102"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = json_lines(r.out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["id"], second_id);
  EXPECT_EQ(lines[0]["messages"][0]["content"], "second session text");
}

TEST_F(DataCliTest, PruneDeletesOnlyOldEndedSessions) {
  auto j = run_json({"prune", "--older-than-days", "1"});
  EXPECT_EQ(j["pruned"], 1);
  auto h = run_json({"history"});
  ASSERT_EQ(h["sessions"].size(), 1u);
  EXPECT_EQ(h["sessions"][0]["id"], second_id); // open: kept
}

TEST_F(DataCliTest, PruneTextOutputWithoutProgressOffTerminal) {
  auto r = run({"prune", "--older-than-days", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "pruned 1 sessions\n"); // no progress bar in a pipe
}

TEST_F(DataCliTest, ImportHermesHomeThenReadIt) {
  temp_dir home, dest;
  ASSERT_EQ(make_hermes_home(home.path()), "");
  auto r = run_command({switchboard_bin(), "import-hermes", "--hermes-home",
                        home.path(), "--data-dir", dest.path(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto counts = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_EQ(counts["sessions_imported"], 1) << r.out;
  EXPECT_EQ(counts["messages_imported"], 1);
  auto t = run_command({switchboard_bin(), "search", "platypus", "--data-dir",
                        dest.path(), "--json"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_EQ(nlohmann::json::parse(t.out)["results"][0]["session_id"],
            "20250505_050505_cccc3333");
  // Rerunning skips what is already there.
  auto again = run_command({switchboard_bin(), "import-hermes", "--hermes-home",
                            home.path(), "--data-dir", dest.path(), "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["sessions_skipped"], 1);
}

TEST_F(DataCliTest, MissingDataDirIsAFailedOperation) {
  auto r = run_command(
    {switchboard_bin(), "history", "--data-dir", dir_.file("nothing-here")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no database"), std::string::npos) << r.err;
}

class UsageCliTest : public ::testing::TestWithParam<std::vector<std::string>> {
};

TEST_P(UsageCliTest, BadUsageExitsTwo) {
  auto args = GetParam();
  args.insert(args.begin(), switchboard_bin());
  auto r = run_command(args);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err, "");
}

INSTANTIATE_TEST_SUITE_P(
  Commands, UsageCliTest,
  ::testing::Values(
    std::vector<std::string>{}, std::vector<std::string>{"no-such-command"},
    std::vector<std::string>{"history", "--bogus"},
    std::vector<std::string>{"history", "--limit", "0"},
    std::vector<std::string>{"search"},
    std::vector<std::string>{"search", "x", "--sort", "random"},
    std::vector<std::string>{"transcript"}, std::vector<std::string>{"prune"},
    std::vector<std::string>{"prune", "--older-than-days", "-3"},
    std::vector<std::string>{"prune", "--older-than-days", "soon"},
    std::vector<std::string>{"import-hermes"},
    std::vector<std::string>{"import-hermes", "--hermes-home",
                             "/nonexistent/hermes"},
    std::vector<std::string>{"send", "{}", "hi"}, // --url is required
    std::vector<std::string>{"send", "--url", "http://127.0.0.1:1", "{}"},
    std::vector<std::string>{"title", "id", "text"},
    std::vector<std::string>{"reset"},
    std::vector<std::string>{"resume", "--url", "http://127.0.0.1:1", "k"},
    std::vector<std::string>{"expire"},
    std::vector<std::string>{"sessions", "--active-minutes", "0"}));

TEST(UnreachableServerCliTest, IsAFailedOperation) {
  auto r =
    run_command({switchboard_bin(), "expire", "--url", "http://127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot reach"), std::string::npos) << r.err;
}

} // namespace
} // namespace switchboard::testing
