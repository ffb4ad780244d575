// Derived state written behind (persistence/derived_state.cpp): the stored
// counters and updated_at lag behind the rows until a flush, while every
// reader reports them exactly; a flush, a rollback or a crash never counts a
// row twice or loses one.

#include "persistence/sqlite_store.hpp"

#include "test_util.hpp"

namespace switchboard::persistence::test {
namespace {

constexpr const char* key = "agent:main:telegram:dm:1";

class DerivedStateTest : public ::testing::Test {
protected:
  void SetUp() override {
    w_ = must_open_writer(dir_.file("state.db"));
    ASSERT_TRUE(w_);
    w_->set_write_behind(true);
    ASSERT_TRUE(w_->begin());
    ASSERT_TRUE(w_->create_session(row("s1", "telegram", 1000)));
    core::session_entry e;
    e.session_key = key;
    e.session_id = "s1";
    e.created_at = at_seconds(1000);
    e.updated_at = at_seconds(1000);
    ASSERT_TRUE(w_->upsert_entry(e));
    ASSERT_TRUE(w_->commit());
  }
  void append_committed(const std::string& role, double at,
                        std::optional<nlohmann::json> tool_calls = {}) {
    ASSERT_TRUE(w_->begin());
    auto m = msg(role, "text at " + std::to_string(at));
    m.tool_calls = std::move(tool_calls);
    ASSERT_TRUE(w_->append_message("s1", m, at_seconds(at)).ok());
    ASSERT_TRUE(w_->commit());
  }
  std::int64_t stored(const std::string& sql) {
    auto v = w_->db().scalar(sql);
    EXPECT_TRUE(v.ok());
    return v.ok() ? v->value_or(-1) : -1;
  }
  std::int64_t stored_count() {
    return stored("SELECT message_count FROM sessions WHERE id = 's1'");
  }
  std::int64_t stored_updated_us() {
    return stored("SELECT updated_at FROM session_entries");
  }
  std::unique_ptr<sqlite_reader> reader() {
    auto r = open_reader(dir_.file("state.db"));
    EXPECT_TRUE(r.ok());
    return std::move(*r);
  }
  void flush() {
    ASSERT_TRUE(w_->begin());
    ASSERT_TRUE(w_->flush_derived());
    ASSERT_TRUE(w_->commit());
  }

  temp_dir dir_;
  std::unique_ptr<sqlite_writer> w_;
};

TEST_F(DerivedStateTest, StoredStateLagsButReadersAreExact) {
  append_committed("user", 2000);
  append_committed("assistant", 2001, nlohmann::json::array({1, 2}));
  EXPECT_EQ(stored_count(), 0);
  EXPECT_EQ(stored_updated_us(), 1000 * 1000000LL);

  auto r = reader();
  auto s = r->get_session("s1");
  ASSERT_TRUE(s.ok() && s->has_value());
  EXPECT_EQ((**s)["message_count"], 2);
  EXPECT_EQ((**s)["tool_call_count"], 2);
  auto e = r->get_entry(key);
  ASSERT_TRUE(e.ok() && e->has_value());
  // The user message is activity; the assistant's is not (SPEC 4).
  EXPECT_EQ((*e)->updated_at, at_seconds(2000));
  auto h = r->history({});
  ASSERT_TRUE(h.ok());
  EXPECT_EQ((*h)[0]["message_count"], 2);
  auto c = r->scan_expiry_candidates(at_seconds(99999), 10);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].message_count, 2);
  EXPECT_EQ((*c)[0].entry.updated_at, at_seconds(2000));
}

TEST_F(DerivedStateTest, FlushFoldsTheRowsInOnce) {
  append_committed("user", 2000);
  append_committed("user", 2500.123456);
  flush();
  EXPECT_EQ(stored_count(), 2);
  EXPECT_EQ(stored_updated_us(), 2500123456LL);
  flush(); // nothing above the watermark: nothing counted twice
  EXPECT_EQ(stored_count(), 2);
  auto s = reader()->get_session("s1");
  EXPECT_EQ((**s)["message_count"], 2);
}

TEST_F(DerivedStateTest, ImmediateModeFoldsAtEveryCommit) {
  w_->set_write_behind(false);
  append_committed("user", 2000);
  EXPECT_EQ(stored_count(), 1);
  EXPECT_EQ(stored_updated_us(), 2000 * 1000000LL);
}

TEST_F(DerivedStateTest, ARolledBackFlushCountsNothing) {
  append_committed("user", 2000);
  ASSERT_TRUE(w_->begin());
  ASSERT_TRUE(w_->flush_derived());
  w_->rollback();
  EXPECT_EQ(stored_count(), 0);
  flush();
  EXPECT_EQ(stored_count(), 1);
}

TEST_F(DerivedStateTest, ReopeningAfterACrashFoldsTheRestIn) {
  append_committed("user", 2000);
  append_committed("user", 3000);
  w_.reset(); // like a kill -9 between flushes: nothing was folded in
  {
    auto raw = raw_open(dir_.file("state.db"));
    auto n = raw->scalar("SELECT message_count FROM sessions");
    EXPECT_EQ(n->value_or(-1), 0);
  }
  w_ = must_open_writer(dir_.file("state.db"));
  EXPECT_EQ(stored_count(), 2);
  EXPECT_EQ(stored_updated_us(), 3000 * 1000000LL);
}

TEST_F(DerivedStateTest, RewrittenRowsAreNotActivityAndCountOnce) {
  append_committed("user", 2000);
  append_committed("user", 2100);
  ASSERT_TRUE(w_->begin());
  auto n = w_->rewrite_transcript(
    "s1", {msg("user", "kept"), msg("assistant", "reply"), msg("user", "x")},
    at_seconds(5000));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 3);
  ASSERT_TRUE(w_->commit());
  auto s = reader()->get_session("s1");
  EXPECT_EQ((**s)["message_count"], 3);
  flush();
  EXPECT_EQ(stored_count(), 3);
  // The last inbound message was at 2100; the rewrite at 5000 is not one.
  EXPECT_EQ(stored_updated_us(), 2100 * 1000000LL);
  auto e = reader()->get_entry(key);
  EXPECT_EQ((*e)->updated_at, at_seconds(2100));
}

TEST_F(DerivedStateTest, RewrittenAwayInboundMessageStillMovedUpdatedAt) {
  append_committed("user", 2000);
  ASSERT_TRUE(w_->begin());
  ASSERT_TRUE(w_->rewrite_transcript("s1", {}, at_seconds(2100)).ok());
  ASSERT_TRUE(w_->commit());
  flush();
  EXPECT_EQ(stored_count(), 0);
  EXPECT_EQ(stored_updated_us(), 2000 * 1000000LL);
}

TEST_F(DerivedStateTest, AnEntryPointingElsewhereIsNotMoved) {
  append_committed("user", 2000);
  ASSERT_TRUE(w_->begin());
  ASSERT_TRUE(w_->create_session(row("s2", "telegram", 2050)));
  core::session_entry e;
  e.session_key = key;
  e.session_id = "s2";
  e.created_at = at_seconds(2050);
  e.updated_at = at_seconds(2050);
  ASSERT_TRUE(w_->upsert_entry(e));
  ASSERT_TRUE(w_->commit());
  flush();
  EXPECT_EQ(stored_updated_us(), 2050 * 1000000LL);
  EXPECT_EQ(stored_count(), 1);
}

// One fold over several sessions: each counts its own rows, and every entry
// pointing at a session moves (two keys can point at one session), whatever
// the order of their keys against their sessions' ids.
TEST_F(DerivedStateTest, EveryEntryOfEachSessionMovesInOneFold) {
  ASSERT_TRUE(w_->begin());
  ASSERT_TRUE(w_->create_session(row("s0", "telegram", 1000)));
  core::session_entry e;
  e.created_at = at_seconds(1000);
  e.updated_at = at_seconds(1000);
  for (auto [k, id] : {std::pair{"z:second-key-of-s1", "s1"},
                       std::pair{"a:key-of-s0", "s0"}}) {
    e.session_key = k;
    e.session_id = id;
    ASSERT_TRUE(w_->upsert_entry(e));
  }
  ASSERT_TRUE(w_->append_message("s1", msg("user", "one"), at_seconds(2000)));
  ASSERT_TRUE(w_->append_message("s0", msg("user", "two"), at_seconds(3000)));
  ASSERT_TRUE(
    w_->append_message("s1", msg("assistant", "three"), at_seconds(3500)));
  ASSERT_TRUE(w_->commit());
  flush();
  EXPECT_EQ(stored_count(), 2);
  EXPECT_EQ(stored("SELECT message_count FROM sessions WHERE id = 's0'"), 1);
  auto updated_us = [&](const std::string& k) {
    return stored(
      "SELECT updated_at FROM session_entries WHERE session_key = '" + k + "'");
  };
  EXPECT_EQ(updated_us(key), 2000 * 1000000LL);
  EXPECT_EQ(updated_us("z:second-key-of-s1"), 2000 * 1000000LL);
  EXPECT_EQ(updated_us("a:key-of-s0"), 3000 * 1000000LL);
}

// A sweep in slices (fold_slice): each slice folds the next sessions in id
// order, each whole; the others stay unfolded and readers stay exact at
// every step; the sweep is done after the last one, and the next starts
// from the first again. W moves only when a sweep is done.
class SlicedFoldTest : public DerivedStateTest {
protected:
  void SetUp() override {
    DerivedStateTest::SetUp();
    ASSERT_TRUE(w_->begin());
    for (const char* id : {"s2", "s3"})
      ASSERT_TRUE(w_->create_session(row(id, "telegram", 1000)));
    ASSERT_TRUE(w_->commit());
    for (const char* id : {"s1", "s2", "s3", "s1"})
      append_to(id);
  }
  void append_to(const std::string& id) {
    ASSERT_TRUE(w_->begin());
    ASSERT_TRUE(w_->append_message(id, msg("user", "hi"), at_seconds(2000)));
    ASSERT_TRUE(w_->commit());
  }
  core::store_writer::fold_slice_result slice(std::int64_t n) {
    EXPECT_TRUE(w_->begin());
    auto r = w_->fold_slice(n);
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(w_->commit());
    return r.ok() ? *r : core::store_writer::fold_slice_result{};
  }
  std::int64_t count_of(const std::string& id) {
    return stored("SELECT message_count FROM sessions WHERE id = '" + id + "'");
  }
  std::int64_t exact_count_of(const std::string& id) {
    auto s = reader()->get_session(id);
    EXPECT_TRUE(s.ok() && s->has_value());
    return s.ok() && *s ? (**s)["message_count"].get<std::int64_t>() : -1;
  }
  std::int64_t tail_rows() {
    return stored("SELECT COUNT(*) FROM message_tail");
  }
};

TEST_F(SlicedFoldTest, EachSliceFoldsTheNextSessionsWhole) {
  auto r = slice(2);
  EXPECT_FALSE(r.done);
  EXPECT_EQ(r.sessions, 2);
  EXPECT_EQ(count_of("s1"), 2); // both of its messages, in one slice
  EXPECT_EQ(count_of("s2"), 1);
  EXPECT_EQ(count_of("s3"), 0);
  EXPECT_EQ(tail_rows(), 1);
  EXPECT_EQ(exact_count_of("s3"), 1);
  EXPECT_EQ(stored("SELECT watermark FROM derived_state"), 0);

  r = slice(2);
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.sessions, 1);
  EXPECT_EQ(count_of("s3"), 1);
  EXPECT_EQ(tail_rows(), 0);
  EXPECT_EQ(stored("SELECT watermark FROM derived_state"),
            stored("SELECT MAX(id) FROM messages"));
  EXPECT_EQ(stored_updated_us(), 2000 * 1000000LL);
}

TEST_F(SlicedFoldTest, AMessageBehindTheSweepWaitsForTheNextOne) {
  EXPECT_FALSE(slice(1).done); // s1
  append_to("s1");             // behind the sweep
  append_to("s3");             // ahead of it
  EXPECT_TRUE(slice(5).done);  // s2, s3
  EXPECT_EQ(count_of("s1"), 2);
  EXPECT_EQ(count_of("s3"), 2);
  EXPECT_EQ(exact_count_of("s1"), 3);
  // W stops below the unfolded message of s1.
  EXPECT_EQ(stored("SELECT watermark FROM derived_state"),
            stored("SELECT MIN(id) FROM message_tail") - 1);
  auto r = slice(5); // the next sweep starts from the first session
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.sessions, 1);
  EXPECT_EQ(count_of("s1"), 3);
}

TEST_F(SlicedFoldTest, ARolledBackSliceCountsNothing) {
  ASSERT_TRUE(w_->begin());
  ASSERT_TRUE(w_->fold_slice(2).ok());
  w_->rollback();
  EXPECT_EQ(count_of("s1"), 0);
  EXPECT_EQ(tail_rows(), 4);
  flush(); // everything, whatever the sweep's position
  EXPECT_EQ(count_of("s1"), 2);
  EXPECT_EQ(count_of("s2"), 1);
  EXPECT_EQ(count_of("s3"), 1);
  EXPECT_EQ(tail_rows(), 0);
}

// A kill -9 between two slices: the committed slices stay folded, and the
// next open folds the rest in, each message once.
TEST_F(SlicedFoldTest, ACrashInTheMiddleOfASweepIsFoldedOnceAtOpen) {
  EXPECT_FALSE(slice(1).done); // s1's two messages
  append_to("s1");
  append_to("s2");
  w_.reset(); // nothing else folded before the "crash"
  w_ = must_open_writer(dir_.file("state.db"));
  ASSERT_TRUE(w_);
  EXPECT_EQ(count_of("s1"), 3);
  EXPECT_EQ(count_of("s2"), 2);
  EXPECT_EQ(count_of("s3"), 1);
  EXPECT_EQ(tail_rows(), 0);
  EXPECT_EQ(stored("SELECT watermark FROM derived_state"),
            stored("SELECT MAX(id) FROM messages"));
}

TEST_F(DerivedStateTest, AppendToAMissingSessionIsNotFound) {
  ASSERT_TRUE(w_->begin());
  auto r = w_->append_message("nope", msg("user", "hi"), at_seconds(1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().code, core::errc::not_found);
  EXPECT_NE(r.err().message.find("nope"), std::string::npos);
  w_->rollback();
}

} // namespace
} // namespace switchboard::persistence::test
