// One owner per data dir (SPEC 15, issue 13) with the real binary: a second
// `serve` and a writing command are refused with the holder's pid and change
// nothing; read-only commands work beside the server; a kill -9 leaves no
// stale lock.

#include "tests/support/process.hpp"
#include "tests/support/reliability_util.hpp"
#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>

namespace switchboard::testing {
namespace {

using json = nlohmann::json;

class DataDirLockTest : public ::testing::Test {
protected:
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string in_use(pid_t pid) const {
    return "data dir " + dir_ + " is in use by pid " + std::to_string(pid);
  }
  std::string db() const { return dir_ + "/state.db"; }
  process_result cli(std::vector<std::string> args) const {
    args.insert(args.begin(), switchboard_bin());
    args.insert(args.end(), {"--data-dir", dir_});
    return run_command(args);
  }
  std::string dir_ = make_temp_dir();
};

TEST_F(DataDirLockTest, SecondServeIsRefusedAndTheFirstIsUnharmed) {
  server_process first({"--data-dir", dir_});
  ASSERT_FALSE(first.url().empty()) << first.line();
  ASSERT_EQ(
    http("POST", first.url() + "/v1/messages", route_body("1", "before"))
      .status,
    200);
  auto second = run_command({switchboard_bin(), "serve", "--listen",
                             "127.0.0.1:0", "--data-dir", dir_});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find(in_use(first.pid())), std::string::npos)
    << second.err;
  EXPECT_EQ(second.out, ""); // never listened
  auto after =
    http("POST", first.url() + "/v1/messages", route_body("1", "after"));
  EXPECT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(sqlite_scalar(db(), "SELECT count(*) FROM messages"), "2");
  EXPECT_EQ(first.stop(SIGTERM), 0);
}

TEST_F(DataDirLockTest, PruneIsRefusedBesideAServerAndReadsWork) {
  server_process s({"--data-dir", dir_});
  ASSERT_FALSE(s.url().empty()) << s.line();
  ASSERT_EQ(
    http("POST", s.url() + "/v1/messages", route_body("1", "kangaroo words"))
      .status,
    200);
  ASSERT_EQ(http("POST", s.url() + key_path("1") + "/reset").status, 200);
  // The server folds the message counters in behind its commits
  // (persistence/derived_state.cpp): wait until it has, or that fold shows
  // up as a change between the two dumps (it did under TSan).
  auto folded = [&] {
    return sqlite_scalar(db(), "SELECT (SELECT watermark FROM derived_state)"
                               " >= (SELECT max(id) FROM messages)") == "1";
  };
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!folded() && std::chrono::steady_clock::now() < give_up)
    std::this_thread::yield();
  ASSERT_TRUE(folded()) << "the server never folded its derived state in";
  auto before = dump_tables(db());

  auto prune = cli({"prune", "--older-than-days", "0.000001"});
  EXPECT_EQ(prune.exit_code, 1);
  EXPECT_EQ(prune.err, "switchboard: " + in_use(s.pid()) + "\n");
  auto home = make_temp_dir(); // an empty Hermes home
  auto imp = cli({"import-hermes", "--hermes-home", home});
  std::filesystem::remove_all(home);
  EXPECT_EQ(imp.exit_code, 1);
  EXPECT_NE(imp.err.find(in_use(s.pid())), std::string::npos) << imp.err;
  EXPECT_EQ(dump_tables(db()), before); // changed nothing

  auto history = cli({"history", "--json"});
  EXPECT_EQ(history.exit_code, 0) << history.err;
  EXPECT_EQ(json::parse(history.out)["sessions"].size(), 2u);
  for (auto args : std::vector<std::vector<std::string>>{
         {"search", "kangaroo", "--json"},
         {"sessions", "--json"},
         {"transcript", "agent:main:telegram:dm:1"},
         {"export"}}) {
    auto r = cli(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
  }
  EXPECT_EQ(s.stop(SIGTERM), 0);
  auto later = cli({"prune", "--older-than-days", "0.000001", "--json"});
  EXPECT_EQ(later.exit_code, 0) << later.err; // the lock left with the server
}

TEST_F(DataDirLockTest, KillNineLeavesNoStaleLock) {
  pid_t old_pid;
  {
    server_process s({"--data-dir", dir_});
    ASSERT_FALSE(s.url().empty()) << s.line();
    old_pid = s.pid();
    ASSERT_EQ(s.stop(SIGKILL), 128 + SIGKILL);
  }
  server_process again({"--data-dir", dir_});
  ASSERT_FALSE(again.url().empty()) << "refused after a kill -9";
  EXPECT_NE(again.pid(), old_pid);
  EXPECT_EQ(again.stop(SIGTERM), 0);
}

} // namespace
} // namespace switchboard::testing
