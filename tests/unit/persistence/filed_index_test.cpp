// Messages filed in bulk (schema.cpp, idx_messages_session / _unfiled): the
// writer inserts a message unfiled, file_messages files unfiled rows in
// slices in key order (message_filing.cpp), and every per-session read and
// write treats both kinds alike and searches both indexes without scanning
// the table.

#include "persistence/sqlite_store.hpp"

#include "test_util.hpp"

#include <sqlite3.h>

namespace switchboard::persistence::test {
namespace {

constexpr int sessions = 40;
constexpr int per_commit = 3; // messages per session in each commit

std::string sid(int i) {
  return "s" + std::to_string(i);
}

class FiledIndexTest : public ::testing::Test {
protected:
  void SetUp() override {
    w_ = must_open_writer(dir_.file("state.db"));
    ASSERT_TRUE(w_);
    w_->set_write_behind(true); // nothing is filed until file_messages
    ASSERT_TRUE(w_->begin());
    for (int i = 0; i < sessions; ++i)
      ASSERT_TRUE(w_->create_session(row(sid(i))));
    ASSERT_TRUE(w_->commit());
    append_round("old"); // filed below
    file_everything();
    append_round("new"); // left unfiled
    auto r = open_reader(dir_.file("state.db"));
    ASSERT_TRUE(r.ok());
    r_ = std::move(*r);
  }

  void append_round(const std::string& word) {
    ASSERT_TRUE(w_->begin());
    for (int n = 0; n < per_commit; ++n)
      for (int i = 0; i < sessions; ++i) {
        auto text = word + " message " + std::to_string(n) + " in " + sid(i);
        ASSERT_TRUE(w_->append_message(sid(i), msg("user", text),
                                       at_seconds(2000 + ++clock_))
                      .ok());
      }
    ASSERT_TRUE(w_->commit());
  }

  void file_everything() {
    ASSERT_TRUE(w_->begin());
    ASSERT_TRUE(w_->flush_derived());
    auto done = w_->file_messages(0);
    ASSERT_TRUE(done.ok());
    EXPECT_TRUE(*done);
    ASSERT_TRUE(w_->commit());
  }

  std::int64_t unfiled() {
    return w_->db()
      .scalar("SELECT count(*) FROM messages WHERE filed = 0")
      ->value_or(-1);
  }

  temp_dir dir_;
  std::unique_ptr<sqlite_writer> w_;
  std::unique_ptr<sqlite_reader> r_;
  int clock_ = 0;
};

/// Steps that scanned a whole table, summed over every statement of `db`
/// since the last call (SQLITE_STMTSTATUS_FULLSCAN_STEP, reset on read).
int full_scan_steps(connection& db) {
  int steps = 0;
  for (sqlite3_stmt* s = sqlite3_next_stmt(db.raw(), nullptr); s;
       s = sqlite3_next_stmt(db.raw(), s))
    steps += sqlite3_stmt_status(s, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1);
  return steps;
}

TEST_F(FiledIndexTest, FilingEverythingLeavesNothingUnfiled) {
  EXPECT_EQ(unfiled(), sessions * per_commit);
  file_everything();
  EXPECT_EQ(unfiled(), 0);
  exec(w_->db(), "PRAGMA integrity_check");
}

TEST_F(FiledIndexTest, SlicesFileInKeyOrderUntilTheCycleIsComplete) {
  int slices = 0;
  for (bool done = false; !done; ++slices) {
    ASSERT_LT(slices, 10);
    auto before = unfiled();
    ASSERT_TRUE(w_->begin());
    auto d = w_->file_messages(25);
    ASSERT_TRUE(d.ok());
    ASSERT_TRUE(w_->commit());
    done = *d;
    if (!done) {
      EXPECT_GE(before - unfiled(), 25); // whole sessions: 25 or a few more
      // Everything filed so far sorts before everything still unfiled.
      auto last_filed = w_->db().prepare(
        "SELECT max(session_id) FROM messages WHERE filed = 1 AND content "
        "LIKE 'new%'");
      auto first_unfiled = w_->db().prepare(
        "SELECT min(session_id) FROM messages WHERE filed = 0");
      ASSERT_TRUE(*last_filed->step() && *first_unfiled->step());
      EXPECT_LT(last_filed->text(0), first_unfiled->text(0));
      // Readers see a half-filed session store whole.
      auto t = r_->transcript(first_unfiled->text(0), false);
      ASSERT_TRUE(t.ok());
      EXPECT_EQ(t->size(), 2u * per_commit);
    }
  }
  EXPECT_EQ(slices, 5); // 120 rows, 9 whole sessions (27 rows) per slice
  EXPECT_EQ(unfiled(), 0);
  exec(w_->db(), "PRAGMA integrity_check");
}

TEST_F(FiledIndexTest, CommitWithoutWriteBehindFilesEverything) {
  w_->set_write_behind(false);
  ASSERT_TRUE(w_->begin());
  ASSERT_TRUE(w_->append_message("s0", msg("user", "x"), at_seconds(9000)));
  ASSERT_TRUE(w_->commit());
  EXPECT_EQ(unfiled(), 0);
}

TEST_F(FiledIndexTest, ReadsSeeFiledAndUnfiledMessagesAlike) {
  auto t = r_->transcript("s7", false);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->size(), 2u * per_commit);
  EXPECT_EQ((*t)[0]["content"], "old message 0 in s7");
  EXPECT_EQ(t->back()["content"], "new message 2 in s7");
  EXPECT_EQ(*r_->message_count("s7"), 2 * per_commit);
  auto all = r_->export_session_all("s7");
  ASSERT_TRUE(all.ok() && all->has_value());
  EXPECT_EQ((**all)["messages"].size(), 2u * per_commit);
  auto s = r_->get_session("s7");
  ASSERT_TRUE(s.ok() && s->has_value());
  EXPECT_EQ((**s)["message_count"], 2 * per_commit);
  core::history_query hq;
  hq.limit = 100;
  auto h = r_->history(hq);
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), static_cast<std::size_t>(sessions));
  for (const auto& row : *h)
    EXPECT_EQ(row["preview"],
              "old message 0 in " + row["id"].get<std::string>())
      << row.dump();
}

TEST_F(FiledIndexTest, SearchContextSpansFiledAndUnfiled) {
  core::search_query q;
  q.text = "new 0 s3";
  auto hits = r_->search(q);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 1u);
  const auto& hit = hits->front();
  // The filed message before it, the hit, the unfiled one after it.
  ASSERT_EQ(hit["context"].size(), 3u) << hit.dump();
  EXPECT_EQ(hit["context"][0]["content"], "old message 2 in s3");
  EXPECT_EQ(hit["context"][1]["content"], "new message 0 in s3");
  EXPECT_EQ(hit["context"][2]["content"], "new message 1 in s3");
}

TEST_F(FiledIndexTest, PerSessionReadsScanNoTable) {
  full_scan_steps(r_->db());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(r_->transcript(sid(i), false).ok());
    ASSERT_TRUE(r_->message_count(sid(i)).ok());
    ASSERT_TRUE(r_->export_session_all(sid(i)).ok());
    ASSERT_TRUE(r_->get_session(sid(i)).ok());
  }
  EXPECT_EQ(full_scan_steps(r_->db()), 0);
  // The history scans the sessions (one step each), never the messages.
  core::history_query hq;
  hq.limit = 100;
  ASSERT_TRUE(r_->history(hq).ok());
  EXPECT_LE(full_scan_steps(r_->db()), sessions);
}

TEST_F(FiledIndexTest, WritesReachUnfiledMessages) {
  ASSERT_TRUE(w_->begin());
  auto n =
    w_->rewrite_transcript("s1", {msg("user", "rewritten")}, at_seconds(9000));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  ASSERT_TRUE(w_->delete_session("s2").ok());
  ASSERT_TRUE(w_->commit());
  auto t = r_->transcript("s1", false);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->size(), 1u);
  EXPECT_EQ((*t)[0]["content"], "rewritten");
  EXPECT_EQ(*r_->message_count("s2"), 0);
  EXPECT_EQ(w_->db()
              .scalar("SELECT count(*) FROM messages WHERE session_id = 's2'")
              ->value_or(-1),
            0);
  // Foreign keys are off on the writer; the rows still honour them.
  auto orphans = w_->db().prepare("PRAGMA foreign_key_check");
  ASSERT_TRUE(orphans.ok());
  EXPECT_FALSE(*orphans->step());
}

TEST_F(FiledIndexTest, AppendToAMissingSessionIsNotFoundAndWritesNothing) {
  ASSERT_TRUE(w_->begin());
  auto id = w_->append_message("nope", msg("user", "lost"), at_seconds(9000));
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.err().code, core::errc::not_found);
  ASSERT_TRUE(w_->commit());
  EXPECT_EQ(w_->db()
              .scalar("SELECT count(*) FROM messages WHERE session_id = 'nope'")
              ->value_or(-1),
            0);
}

} // namespace
} // namespace switchboard::persistence::test
