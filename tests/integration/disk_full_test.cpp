// Disk full, on the real server: its file size limit (RLIMIT_FSIZE, changed
// from outside with prlimit(2), as root or as the same user) is lowered to
// one byte, so every write to state.db and its WAL fails as on a full disk
// (EFBIG; SQLite reports an I/O error, the same path as SQLITE_FULL). Then:
//  - every write request gets an error with the error shape, never a 200;
//  - reads and /healthz keep answering;
//  - when the limit is lifted the server recovers without a restart;
//  - after SIGKILL and a restart, exactly the acknowledged messages are in
//    the store, and integrity_check is ok.

#include "tests/support/reliability_util.hpp"
#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <sys/resource.h>

namespace switchboard::testing {
namespace {

using json = nlohmann::json;

bool set_file_size_limit(pid_t pid, rlim_t soft) {
  rlimit cur{};
  if (prlimit(pid, RLIMIT_FSIZE, nullptr, &cur) != 0)
    return false;
  rlimit lim{soft, cur.rlim_max};
  return prlimit(pid, RLIMIT_FSIZE, &lim, nullptr) == 0;
}

class DiskFullTest : public ::testing::Test {
protected:
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  /// Routes `text` for `chat`; records it when acknowledged.
  long route(const std::string& url, const std::string& chat,
             const std::string& text) {
    auto r = http("POST", url + "/v1/messages", route_body(chat, text));
    if (r.status == 200)
      acked_.insert(text);
    else
      EXPECT_TRUE(has_error_shape(r.body)) << r.status << " " << r.body;
    return r.status;
  }

  std::set<std::string> stored_contents() {
    auto rows = sqlite_rows(dir_ + "/data/state.db",
                            "SELECT content FROM messages WHERE active = 1");
    std::set<std::string> out;
    for (const auto& row : rows)
      out.insert(row[0].get<std::string>());
    return out;
  }

  std::string dir_ = make_temp_dir();
  std::vector<std::string> args_{"--data-dir", dir_ + "/data"};
  std::set<std::string> acked_;
};

TEST_F(DiskFullTest, WritesFailCleanlyAndTheServerRecovers) {
  server_process s(args_);
  ASSERT_FALSE(s.url().empty()) << s.line();
  for (int i = 0; i < 10; ++i)
    ASSERT_EQ(route(s.url(), "c" + std::to_string(i % 3),
                    "before " + std::to_string(i)),
              200);

  ASSERT_TRUE(set_file_size_limit(s.pid(), 1));
  for (int i = 0; i < 10; ++i) {
    // Known chats and new ones: appends, session creation, entry updates.
    auto status = route(s.url(), "c" + std::to_string(i % 5),
                        "during " + std::to_string(i));
    EXPECT_NE(status, 200) << "acknowledged a write while the disk is full";
  }
  EXPECT_EQ(http("GET", s.url() + "/healthz").status, 200);
  auto transcript = http("GET", s.url() + key_path("c0") + "/transcript");
  ASSERT_EQ(transcript.status, 200) << transcript.body;
  EXPECT_NE(transcript.body.find("before 9"), std::string::npos);

  ASSERT_TRUE(set_file_size_limit(s.pid(), RLIM_INFINITY));
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(
      route(s.url(), "c" + std::to_string(i % 5), "after " + std::to_string(i)),
      200);
  EXPECT_EQ(s.stop(SIGKILL), 128 + SIGKILL);

  EXPECT_EQ(sqlite_scalar(dir_ + "/data/state.db", "PRAGMA integrity_check"),
            "ok");
  EXPECT_EQ(stored_contents(), acked_);
  server_process again(args_);
  ASSERT_FALSE(again.url().empty()) << again.line();
  EXPECT_EQ(sqlite_scalar(dir_ + "/data/state.db",
                          "SELECT COUNT(*) FROM session_entries"),
            "5");
  EXPECT_EQ(again.stop(SIGTERM), 0);
}

} // namespace
} // namespace switchboard::testing
