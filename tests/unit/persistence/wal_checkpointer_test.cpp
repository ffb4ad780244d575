// Checkpoints off COMMIT (persistence/wal_checkpointer.hpp): the WAL stays
// bounded under sustained writes, nothing written is lost, and the file is
// consistent.

#include "persistence/sqlite_store.hpp"

#include "test_util.hpp"

#include <filesystem>
#include <thread>

namespace switchboard::persistence::test {
namespace {

std::uintmax_t wal_bytes(const std::string& db) {
  std::error_code ec;
  auto n = std::filesystem::file_size(db + "-wal", ec);
  return ec ? 0 : n;
}

/// A writer on a fresh state.db in `dir` with checkpoints on the thread
/// (`step`, `limit` pages) and one session "s1"; null when any step failed.
std::unique_ptr<sqlite_writer> checkpointed_writer(temp_dir& dir, int step,
                                                   int limit) {
  auto path = dir.file("state.db");
  auto w = must_open_writer(path);
  checkpoint_options opt;
  opt.step_pages = step;
  opt.limit_pages = limit;
  if (!w || !w->checkpoint_in_background(path, opt) || !w->begin() ||
      !w->create_session(row("s1")) || !w->commit())
    return nullptr;
  return w;
}

TEST(WalCheckpointerTest, WalStaysBoundedUnderSustainedWrites) {
  temp_dir dir;
  auto path = dir.file("state.db");
  auto w = checkpointed_writer(dir, 50, 200);
  ASSERT_TRUE(w);

  const std::string text(2000, 'x');
  std::uintmax_t largest = 0;
  constexpr int batches = 200, per_batch = 50; // ~20 MB of messages
  for (int b = 0; b < batches; ++b) {
    ASSERT_TRUE(w->begin());
    for (int i = 0; i < per_batch; ++i)
      ASSERT_TRUE(w->append_message("s1", msg("user", text + std::to_string(i)),
                                    at_seconds(2000 + b))
                    .ok());
    ASSERT_TRUE(w->commit());
    w->between_batches();
    largest = std::max(largest, wal_bytes(path));
  }
  // The limit (200 pages of 4 KiB) plus one batch (~100 KB of rows, their
  // index and FTS pages), far below the ~20 MB written.
  EXPECT_LT(largest, 4u * 1024 * 1024) << "WAL grew to " << largest;
  EXPECT_EQ(*w->message_count("s1"), batches * per_batch);
  auto ok = w->db().prepare("PRAGMA integrity_check");
  ASSERT_TRUE(ok.ok());
  ASSERT_TRUE(*ok->step());
  EXPECT_EQ(ok->text(0), "ok");
}

TEST(WalCheckpointerTest, TheBackgroundThreadCheckpoints) {
  temp_dir dir;
  auto w = checkpointed_writer(dir, 10, 1000000); // only the thread checkpoints
  ASSERT_TRUE(w);
  const std::string text(4000, 'y');
  for (int b = 0; b < 50; ++b) {
    ASSERT_TRUE(w->begin());
    for (int i = 0; i < 10; ++i)
      ASSERT_TRUE(
        w->append_message("s1", msg("user", text), at_seconds(1)).ok());
    ASSERT_TRUE(w->commit());
  }
  // The thread runs on its own schedule: wait for it (bounded), never sleep
  // for a fixed time.
  for (int i = 0; i < 1000 && w->checkpointer()->background_checkpoints() == 0;
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GT(w->checkpointer()->background_checkpoints(), 0);
  EXPECT_EQ(*w->message_count("s1"), 500);
}

// A pass copies the whole WAL: the thread waits until the WAL has grown by a
// step, so pages rewritten by every commit are copied once per step.
TEST(WalCheckpointerTest, TheThreadWaitsForAStepOfGrowth) {
  temp_dir dir;
  auto w = checkpointed_writer(dir, 400, 1000000);
  ASSERT_TRUE(w);
  const std::string text(4000, 'z');
  auto write_batch = [&] {
    ASSERT_TRUE(w->begin());
    for (int i = 0; i < 10; ++i) // ~10 overflow-sized rows: >= 20 pages
      ASSERT_TRUE(
        w->append_message("s1", msg("user", text), at_seconds(1)).ok());
    ASSERT_TRUE(w->commit());
  };
  for (int b = 0; b < 5; ++b) // ~100-200 pages: below one step
    write_batch();
  EXPECT_EQ(w->checkpointer()->background_checkpoints(), 0);
  for (int b = 0; b < 40; ++b) // well past one step
    write_batch();
  for (int i = 0; i < 1000 && w->checkpointer()->background_checkpoints() == 0;
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GT(w->checkpointer()->background_checkpoints(), 0);
}

} // namespace
} // namespace switchboard::persistence::test
