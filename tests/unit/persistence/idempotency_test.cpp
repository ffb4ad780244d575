// sqlite_writer's idempotency keys and platform message ids (SPEC 12), the
// v7 -> v8 migration that adds them, and the user_id / session_key filters
// of history and search.

#include "persistence/schema.hpp"
#include "persistence/sqlite_store.hpp"

#include "test_util.hpp"

#include <set>

namespace switchboard::persistence::test {
namespace {

class IdempotencyTest : public ::testing::Test {
protected:
  void SetUp() override {
    w_ = must_open_writer(dir_.file("state.db"));
    ASSERT_TRUE(w_);
  }
  std::optional<std::string> find(const std::string& id, double since) {
    auto r = w_->find_request(id, at_seconds(since));
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::nullopt;
  }
  temp_dir dir_;
  std::unique_ptr<sqlite_writer> w_;
};

TEST_F(IdempotencyTest, RememberedReplyIsFoundInsideTheWindowOnly) {
  ASSERT_TRUE(w_->remember_request("r1", R"({"a":1})", at_seconds(100)).ok());
  EXPECT_EQ(find("r1", 50), R"({"a":1})");
  EXPECT_EQ(find("r1", 100), R"({"a":1})"); // at >= since
  EXPECT_EQ(find("r1", 101), std::nullopt); // older than the window
  EXPECT_EQ(find("r2", 0), std::nullopt);
}

TEST_F(IdempotencyTest, TheTransactionSeesItsOwnIdsAndARollbackForgetsThem) {
  ASSERT_TRUE(w_->begin().ok());
  ASSERT_TRUE(w_->remember_request("r1", "{}", at_seconds(100)).ok());
  EXPECT_EQ(find("r1", 0), "{}");
  w_->rollback();
  EXPECT_EQ(find("r1", 0), std::nullopt);
}

TEST_F(IdempotencyTest, AForgottenIdCanBeRememberedAgain) {
  ASSERT_TRUE(w_->remember_request("r1", "old", at_seconds(100)).ok());
  ASSERT_TRUE(w_->remember_request("r1", "new", at_seconds(200)).ok());
  EXPECT_EQ(find("r1", 150), "new");
}

TEST_F(IdempotencyTest, ForgetDropsOldIdsInBoundedChunks) {
  for (int i = 0; i < 7; ++i)
    ASSERT_TRUE(
      w_->remember_request("r" + std::to_string(i), "{}", at_seconds(100 + i))
        .ok());
  auto n = w_->forget_requests(at_seconds(105), 3);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 3);
  EXPECT_EQ(find("r0", 0), std::nullopt); // oldest first
  EXPECT_EQ(find("r3", 0), "{}");
  n = w_->forget_requests(at_seconds(105), 3);
  EXPECT_EQ(*n, 2); // r3, r4: a short chunk means done
  EXPECT_EQ(find("r5", 0), "{}");
  EXPECT_EQ(find("r6", 0), "{}");
}

TEST_F(IdempotencyTest, PlatformMessageIdIsStoredAndFoundPerSession) {
  ASSERT_TRUE(w_->create_session(row("s1")).ok());
  ASSERT_TRUE(w_->create_session(row("s2")).ok());
  auto m = msg("user", "hi");
  m.platform_message_id = "tg-1";
  auto id = w_->append_message("s1", m, at_seconds(1001));
  ASSERT_TRUE(id.ok());
  auto found = w_->find_platform_message("s1", "tg-1");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, *id);
  EXPECT_EQ(*w_->find_platform_message("s2", "tg-1"), std::nullopt);
  EXPECT_EQ(*w_->find_platform_message("s1", "tg-2"), std::nullopt);
  auto plan = w_->db().scalar(
    "SELECT count(*) FROM pragma_index_list('messages') WHERE name = "
    "'idx_messages_platform_id' AND partial = 1");
  EXPECT_EQ(plan->value_or(0), 1);
}

TEST(IdempotencyMigrationTest, AVersion7FileGainsTheColumnAndTable) {
  temp_dir dir;
  auto path = dir.file("state.db");
  {
    auto w = must_open_writer(path);
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->create_session(row("s1")).ok());
    ASSERT_TRUE(
      w->append_message("s1", msg("user", "kept"), at_seconds(1)).ok());
    // Back to what a v7 switchboard wrote.
    exec(w->db(), "DROP INDEX idx_messages_platform_id;"
                  "ALTER TABLE messages DROP COLUMN platform_message_id;"
                  "DROP TABLE request_ids;"
                  "UPDATE schema_version SET version = 7");
  }
  auto w = must_open_writer(path);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->db().scalar("SELECT version FROM schema_version")->value_or(0),
            schema_version);
  EXPECT_EQ(*w->message_count("s1"), 1);
  EXPECT_TRUE(w->remember_request("r", "{}", at_seconds(1)).ok());
  EXPECT_TRUE(w->find_platform_message("s1", "x").ok());
}

class ScopedReadTest : public ::testing::Test {
protected:
  void SetUp() override {
    w_ = must_open_writer(dir_.file("state.db"));
    ASSERT_TRUE(w_);
    add("a1", "42", "agent:main:telegram:dm:1", "shared platypus");
    add("a2", "42", "agent:main:telegram:group:g:42", "group platypus");
    add("b1", "43", "agent:main:telegram:dm:2", "bob platypus");
  }
  void add(const std::string& id, const std::string& user,
           const std::string& key, const std::string& text) {
    auto r = row(id);
    r.user_id = user;
    r.session_key = key;
    ASSERT_TRUE(w_->create_session(r).ok());
    ASSERT_TRUE(
      w_->append_message(id, msg("user", text), at_seconds(1001)).ok());
  }
  std::set<std::string> ids(const nlohmann::json& rows, const char* field) {
    std::set<std::string> out;
    for (const auto& r : rows)
      out.insert(r[field].get<std::string>());
    return out;
  }
  temp_dir dir_;
  std::unique_ptr<sqlite_writer> w_;
};

TEST_F(ScopedReadTest, SearchByUserNeverReturnsAnotherUsersHit) {
  core::search_query q;
  q.text = "platypus";
  q.user_id = "42";
  auto hits = w_->search(q);
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(ids(*hits, "session_id"), (std::set<std::string>{"a1", "a2"}));
  q.user_id.reset();
  q.session_key = "agent:main:telegram:dm:2";
  hits = w_->search(q);
  EXPECT_EQ(ids(*hits, "session_id"), (std::set<std::string>{"b1"}));
  q.user_id = "42"; // both filters: none match
  EXPECT_TRUE(w_->search(q)->empty());
}

TEST_F(ScopedReadTest, HistoryByUserAndByKey) {
  core::history_query q;
  q.user_id = "42";
  q.exclude_sources = {"discord"};
  EXPECT_EQ(ids(*w_->history(q), "id"), (std::set<std::string>{"a1", "a2"}));
  q = {};
  q.session_key = "agent:main:telegram:group:g:42";
  EXPECT_EQ(ids(*w_->history(q), "id"), (std::set<std::string>{"a2"}));
}

} // namespace
} // namespace switchboard::persistence::test
