// The session index of v9 (schema.cpp): each message has one entry, in
// message_tail until the derived-state fold moves it to message_index; reads
// find a session's messages in both, and files before v9 gain it.

#include "persistence/schema.hpp"
#include "persistence/sqlite_store.hpp"

#include "test_util.hpp"

namespace switchboard::persistence::test {
namespace {

std::int64_t count(connection& db, const std::string& sql) {
  auto v = db.scalar(sql);
  EXPECT_TRUE(v.ok()) << sql;
  return v.ok() ? v->value_or(0) : -1;
}

/// Every message has exactly one entry, with its own session id, and every
/// entry names a message.
void expect_one_entry_per_message(connection& db) {
  EXPECT_EQ(count(db, "SELECT count(*) FROM (SELECT session_id, id FROM "
                      "message_index UNION ALL SELECT session_id, id FROM "
                      "message_tail) x JOIN messages m ON m.id = x.id AND "
                      "m.session_id = x.session_id"),
            count(db, "SELECT count(*) FROM messages"));
  EXPECT_EQ(count(db, "SELECT count(*) FROM message_index") +
              count(db, "SELECT count(*) FROM message_tail"),
            count(db, "SELECT count(*) FROM messages"));
}

std::vector<std::string> contents(sqlite_writer& w, const std::string& id) {
  auto t = w.transcript(id, false);
  EXPECT_TRUE(t.ok());
  std::vector<std::string> out;
  for (const auto& m : *t)
    out.push_back(m["content"].get<std::string>());
  return out;
}

class SessionIndexTest : public ::testing::Test {
protected:
  void SetUp() override {
    w_ = must_open_writer(dir_.file("state.db"));
    ASSERT_TRUE(w_);
    w_->set_write_behind(true); // as the writer actor runs it
    ASSERT_TRUE(w_->begin());
    ASSERT_TRUE(w_->create_session(row("s1")));
    ASSERT_TRUE(w_->create_session(row("s2")));
    ASSERT_TRUE(w_->commit());
  }
  void append(const std::string& id, const std::string& text, double at) {
    ASSERT_TRUE(w_->begin());
    ASSERT_TRUE(w_->append_message(id, msg("user", text), at_seconds(at)));
    ASSERT_TRUE(w_->commit());
  }
  void fold() {
    ASSERT_TRUE(w_->begin());
    ASSERT_TRUE(w_->flush_derived());
    ASSERT_TRUE(w_->commit());
  }
  temp_dir dir_;
  std::unique_ptr<sqlite_writer> w_;
};

TEST_F(SessionIndexTest, NewMessagesAreFoundInTheTailThenInTheIndex) {
  append("s1", "a", 1001);
  append("s2", "x", 1002);
  append("s1", "b", 1003);
  EXPECT_EQ(count(w_->db(), "SELECT count(*) FROM message_tail"), 3);
  EXPECT_EQ(count(w_->db(), "SELECT count(*) FROM message_index"), 0);
  EXPECT_EQ(contents(*w_, "s1"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*w_->message_count(std::string("s1")), 2);

  fold(); // the whole tail moves
  EXPECT_EQ(count(w_->db(), "SELECT count(*) FROM message_tail"), 0);
  EXPECT_EQ(count(w_->db(), "SELECT count(*) FROM message_index"), 3);
  append("s1", "c", 1004); // one in each table
  EXPECT_EQ(contents(*w_, "s1"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(contents(*w_, "s2"), (std::vector<std::string>{"x"}));
  EXPECT_EQ(*w_->message_count(std::string("s1")), 3);
  expect_one_entry_per_message(w_->db());
}

TEST_F(SessionIndexTest, RewritesRestoresAndDeletesKeepOneEntryPerMessage) {
  append("s1", "a", 1001);
  fold();
  append("s1", "b", 1002);
  append("s2", "x", 1003);
  ASSERT_TRUE(w_->begin());
  ASSERT_TRUE(
    w_->rewrite_transcript("s1", {msg("user", "r")}, at_seconds(1004)).ok());
  ASSERT_TRUE(w_->commit());
  EXPECT_EQ(contents(*w_, "s1"), (std::vector<std::string>{"r"}));
  expect_one_entry_per_message(w_->db());
  ASSERT_TRUE(w_->begin());
  ASSERT_TRUE(w_->restore_transcript("s1").ok());
  ASSERT_TRUE(w_->commit());
  EXPECT_EQ(contents(*w_, "s1"), (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(w_->begin());
  ASSERT_TRUE(w_->clear_messages("s1"));
  ASSERT_TRUE(w_->commit());
  EXPECT_TRUE(contents(*w_, "s1").empty());
  expect_one_entry_per_message(w_->db());
  ASSERT_TRUE(w_->begin());
  ASSERT_TRUE(w_->delete_session("s2"));
  ASSERT_TRUE(w_->commit());
  EXPECT_EQ(count(w_->db(), "SELECT count(*) FROM messages"), 0);
  expect_one_entry_per_message(w_->db());
}

TEST_F(SessionIndexTest, HistoryTakesTheFirstAndLastMessagesInTimeOrder) {
  // Timestamps not in id order, split over both tables.
  append("s1", "  ", 1005); // blank: not a title
  append("s1", "middle", 1003);
  fold();
  append("s1", "earliest", 1001); // tail, lowest timestamp
  append("s1", "latest", 1009);
  core::history_query q;
  auto h = w_->history(q);
  ASSERT_TRUE(h.ok());
  nlohmann::json s1;
  for (const auto& s : *h)
    if (s["id"] == "s1")
      s1 = s;
  ASSERT_FALSE(s1.is_null());
  EXPECT_EQ(s1["preview"], "earliest");
  EXPECT_DOUBLE_EQ(s1["last_active"].get<double>(), 1009);
  fold(); // all in the index: the same answers
  auto again = w_->history(q);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *h);
}

TEST(SessionIndexMigrationTest, AVersion8FileGainsTheIndexAndDropsTheSeeds) {
  temp_dir dir;
  auto path = dir.file("state.db");
  {
    auto w = must_open_writer(path);
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->begin());
    ASSERT_TRUE(w->create_session(row("s1")));
    ASSERT_TRUE(w->create_session(row("s2")));
    for (int i = 0; i < 5; ++i)
      ASSERT_TRUE(w->append_message(i % 2 ? "s1" : "s2",
                                    msg("user", std::to_string(i)),
                                    at_seconds(1001 + i)));
    ASSERT_TRUE(w->commit());
    // Back to what switchboard v8 wrote.
    exec(w->db(), "DROP TABLE message_index; DROP TABLE message_tail;"
                  "CREATE INDEX idx_messages_session ON messages(session_id, "
                  "timestamp); UPDATE schema_version SET version = 8");
  }
  auto w = must_open_writer(path);
  ASSERT_TRUE(w);
  EXPECT_EQ(count(w->db(), "SELECT version FROM schema_version"),
            schema_version);
  EXPECT_FALSE(has_object(w->db(), "idx_messages_session"));
  EXPECT_EQ(count(w->db(), "SELECT count(*) FROM message_index"), 5);
  expect_one_entry_per_message(w->db());
  EXPECT_EQ(contents(*w, "s1"), (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(contents(*w, "s2"), (std::vector<std::string>{"0", "2", "4"}));
}

TEST(SessionIndexMigrationTest, TheSeedsIndexIsDroppedAgainAtEveryOpen) {
  temp_dir dir;
  auto path = dir.file("state.db");
  {
    auto w = must_open_writer(path);
    ASSERT_TRUE(w);
    // What the seed's SessionDB does when it opens the file.
    exec(w->db(), seed_v6_schema_sql);
    ASSERT_TRUE(has_object(w->db(), "idx_messages_session"));
  }
  auto w = must_open_writer(path);
  ASSERT_TRUE(w);
  EXPECT_FALSE(has_object(w->db(), "idx_messages_session"));
}

} // namespace
} // namespace switchboard::persistence::test
