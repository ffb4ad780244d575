// A batch's effects captured as a SQLite changeset on one file (the real
// persistence writer) and applied to another that started identical
// (cluster/changeset.hpp): every table, the FTS5 shadow tables and
// sqlite_sequence included, ends identical; a replica that diverged, or a
// record out of order, changes nothing.

#include "cluster/changeset.hpp"

#include "tests/cluster/replica_test_util.hpp"

namespace switchboard::cluster {
namespace {

using persistence::test::must_open_writer;
using persistence::test::temp_dir;
using testing::captured_batch;
using testing::dump_all;
using testing::search_text;

/// An owner file A and a replica file B, both fresh (identical).
class ChangesetTest : public ::testing::Test {
protected:
  void SetUp() override {
    a_ = must_open_writer(dir_.file("a.db"));
    b_ = must_open_writer(dir_.file("b.db"));
    ASSERT_TRUE(a_ && b_);
    ASSERT_EQ(dump_all(a_->db()), dump_all(b_->db()));
  }
  sqlite3* b() { return b_->db().raw(); }

  temp_dir dir_;
  std::unique_ptr<persistence::sqlite_writer> a_, b_;
};

TEST_F(ChangesetTest, AnAppliedBatchMakesTheReplicaIdentical) {
  for (int n = 0; n < 3; ++n) {
    auto effects = captured_batch(*a_, n);
    ASSERT_FALSE(effects.changeset.empty());
    auto st = apply_effects(b(), 0, n + 1, effects);
    ASSERT_TRUE(st) << st.err().message;
  }
  testing::expect_rows_in_every_kind_of_table(a_->db());
  EXPECT_EQ(dump_all(a_->db()), dump_all(b_->db()));
  EXPECT_EQ(*applied_seq(b(), 0), 3u);
  for (const char* text : {"fox", "lazy dog", "weather", "世界", "gone"})
    EXPECT_EQ(search_text(*a_, text), search_text(*b_, text)) << text;
  EXPECT_NE(search_text(*b_, "世界"), "[]");
  EXPECT_NE(search_text(*b_, "lazy"), "[]");
  // The replica's FTS indexes are sound, not just equal.
  EXPECT_TRUE(b_->db().exec("INSERT INTO messages_fts(messages_fts) "
                            "VALUES('integrity-check')"));
  EXPECT_TRUE(b_->db().exec("INSERT INTO messages_trigram(messages_trigram) "
                            "VALUES('integrity-check')"));
}

TEST_F(ChangesetTest, SqliteSequenceKeepsAnIdUsedAndDeletedInTheBatch) {
  auto effects = captured_batch(*a_, 0);
  ASSERT_TRUE(apply_effects(b(), 0, 1, effects));
  auto max_id = a_->db().scalar("SELECT max(id) FROM messages");
  auto seq =
    a_->db().scalar("SELECT seq FROM sqlite_sequence WHERE name = 'messages'");
  ASSERT_TRUE(max_id && seq);
  EXPECT_GT(**seq, **max_id); // the temporary session's message
  EXPECT_EQ(effects.sequences.at("messages"), **seq);
  EXPECT_EQ(
    *b_->db().scalar("SELECT seq FROM sqlite_sequence WHERE name = 'messages'"),
    *seq);
  // After a takeover the replica's next message gets the owner's next id.
  ASSERT_TRUE(b_->append_message("s0", testing::msg("user", "after"),
                                 testing::at_seconds(2000)));
  EXPECT_EQ(*b_->db().scalar("SELECT max(id) FROM messages"), **seq + 1);
}

TEST_F(ChangesetTest, ADivergedReplicaRefusesTheBatchAndKeepsEverything) {
  ASSERT_TRUE(apply_effects(b(), 0, 1, captured_batch(*a_, 0)));
  auto next = captured_batch(*a_, 1); // ends s0: updates its end columns
  // A changeset holds the old values of the columns it changes (and the
  // primary key): a divergence there is seen (docs/CLUSTER_REPLICATION.md).
  ASSERT_TRUE(b_->db().exec("UPDATE sessions SET end_reason = 'local' "
                            "WHERE id = 's0'"));
  auto before = dump_all(b_->db());
  auto st = apply_effects(b(), 0, 2, next);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.err().code, core::errc::conflict);
  EXPECT_EQ(st.err().message, "replica diverged: the row to change is not as "
                              "it was on the owner in table sessions "
                              "(nothing applied)");
  EXPECT_EQ(dump_all(b_->db()), before);
  EXPECT_EQ(*applied_seq(b(), 0), 1u);
  EXPECT_FALSE(b_->db().in_transaction());
}

TEST_F(ChangesetTest, AnInsertOfAnExistingRowIsADivergence) {
  auto effects = captured_batch(*a_, 0);
  ASSERT_TRUE(b_->create_session(testing::row("s0")));
  auto before = dump_all(b_->db());
  auto st = apply_effects(b(), 0, 1, effects);
  ASSERT_FALSE(st);
  EXPECT_NE(st.err().message.find("replica diverged: the row to insert "
                                  "exists in table sessions"),
            std::string::npos)
    << st.err().message;
  EXPECT_EQ(dump_all(b_->db()), before);
  EXPECT_EQ(*applied_seq(b(), 0), 0u);
}

TEST_F(ChangesetTest, RowsAndTheAppliedSequenceMoveTogether) {
  auto first = captured_batch(*a_, 0);
  auto before = dump_all(b_->db());
  // Record 2 before record 1: the whole changeset applies inside the
  // transaction, then the sequence check fails and takes it all back.
  auto st = apply_effects(b(), 0, 2, first);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.err().message,
            "partition 0: record 2 cannot be applied after 0 (expected 1)");
  EXPECT_EQ(dump_all(b_->db()), before);
  EXPECT_EQ(*applied_seq(b(), 0), 0u);
  ASSERT_TRUE(apply_effects(b(), 0, 1, first));
  EXPECT_EQ(dump_all(a_->db()), dump_all(b_->db()));
  // The same record again: already applied, refused, nothing changes.
  auto after = dump_all(b_->db());
  EXPECT_FALSE(apply_effects(b(), 0, 1, first));
  EXPECT_EQ(dump_all(b_->db()), after);
  EXPECT_EQ(*applied_seq(b(), 0), 1u);
}

TEST_F(ChangesetTest, EffectsWithoutChangesOnlyAdvanceTheSequence) {
  auto before = dump_all(b_->db());
  ASSERT_TRUE(apply_effects(b(), 3, 1, {}));
  ASSERT_TRUE(apply_effects(b(), 3, 2, {}));
  EXPECT_EQ(*applied_seq(b(), 3), 2u);
  EXPECT_EQ(*applied_seq(b(), 4), 0u); // partitions are independent
  EXPECT_EQ(dump_all(b_->db()), before);
}

TEST_F(ChangesetTest, ACorruptChangesetIsRefused) {
  batch_effects junk{std::string(64, '\x17'), {}};
  auto before = dump_all(b_->db());
  auto st = apply_effects(b(), 0, 1, junk);
  ASSERT_FALSE(st);
  EXPECT_EQ(dump_all(b_->db()), before);
  EXPECT_EQ(*applied_seq(b(), 0), 0u);
}

TEST_F(ChangesetTest, AnUncommittedBatchIsCapturedAndARolledBackOneIsGone) {
  auto capture = changeset_capture::start(a_->db().raw());
  ASSERT_TRUE(capture);
  ASSERT_TRUE(a_->begin());
  testing::write_batch(*a_, 0);
  ASSERT_TRUE(a_->flush_derived());
  ASSERT_TRUE(a_->flush_fts());
  auto effects = capture->take();
  ASSERT_TRUE(effects);
  EXPECT_FALSE(effects->changeset.empty());
  a_->rollback();
  auto after = capture->take();
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->changeset.empty()); // the rows are gone again
  EXPECT_EQ(dump_all(a_->db()), dump_all(b_->db()));
}

TEST_F(ChangesetTest, ARequestRolledBackToItsSavepointLeavesNoTrace) {
  // The writer actor runs each request in a savepoint and rolls a failed
  // one back to it: none of its rows may reach the replica.
  auto capture = changeset_capture::start(a_->db().raw());
  ASSERT_TRUE(capture);
  ASSERT_TRUE(a_->begin());
  ASSERT_TRUE(a_->savepoint());
  testing::write_batch(*a_, 0);
  ASSERT_TRUE(a_->release_savepoint());
  ASSERT_TRUE(a_->savepoint());
  ASSERT_TRUE(a_->create_session(testing::row("failed")));
  ASSERT_TRUE(a_->append_message("failed", testing::msg("user", "never"),
                                 testing::at_seconds(1500)));
  ASSERT_TRUE(a_->end_session("s0", "failed", testing::at_seconds(1500)));
  ASSERT_TRUE(a_->rollback_to_savepoint());
  ASSERT_TRUE(a_->flush_derived());
  ASSERT_TRUE(a_->flush_fts());
  auto effects = capture->take();
  ASSERT_TRUE(effects);
  ASSERT_TRUE(a_->commit());
  ASSERT_TRUE(apply_effects(b(), 0, 1, *effects));
  EXPECT_EQ(dump_all(a_->db()), dump_all(b_->db()));
  EXPECT_EQ(*b_->get_session("failed"), std::nullopt);
  EXPECT_EQ(search_text(*b_, "never"), "[]");
  EXPECT_NE(search_text(*b_, "lazy"), "[]");
}

/// Measures what a replicated message costs in the log (printed; the
/// figures are in docs/CLUSTER_REPLICATION.md): a batch of 100 user
/// messages of about 80 bytes to one live session, as the hot path writes
/// them (message row, FTS rows, derived counters, the entry's updated_at).
TEST_F(ChangesetTest, ChangesetBytesPerMessage) {
  ASSERT_TRUE(a_->create_session(testing::row("live")));
  ASSERT_TRUE(a_->upsert_entry(testing::entry("k", "live", 1000)));
  auto capture = changeset_capture::start(a_->db().raw());
  ASSERT_TRUE(capture);
  constexpr int messages = 100;
  ASSERT_TRUE(a_->begin());
  for (int i = 0; i < messages; ++i) {
    auto text = "message " + std::to_string(i) +
                " about the deployment of the new billing service tomorrow";
    ASSERT_TRUE(a_->append_message("live", testing::msg("user", text),
                                   testing::at_seconds(1001 + i)));
  }
  ASSERT_TRUE(a_->flush_derived());
  ASSERT_TRUE(a_->flush_fts());
  auto effects = capture->take();
  ASSERT_TRUE(effects);
  ASSERT_TRUE(a_->commit());
  auto per_message = effects->changeset.size() / messages;
  std::cout << "changeset bytes per message: " << per_message << " ("
            << effects->changeset.size() << " for " << messages << ")\n";
  RecordProperty("changeset_bytes_per_message", std::to_string(per_message));
  EXPECT_GT(per_message, 80u); // at least the text itself
}

} // namespace
} // namespace switchboard::cluster
