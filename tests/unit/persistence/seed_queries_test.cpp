// The seed's own read queries (hermes_state.py), run verbatim on a file
// written by switchboard: the file stays readable by the Python SessionDB.

#include "persistence/sqlite_store.hpp"

#include "test_util.hpp"

namespace switchboard::persistence::test {
namespace {

// list_sessions_rich with no filters ({where_sql} empty).
constexpr const char* list_sessions_rich_sql = R"sql(
SELECT s.*,
COALESCE(
(SELECT SUBSTR(REPLACE(REPLACE(m.content, X'0A', ' '), X'0D', ' '), 1, 63)
FROM messages m
WHERE m.session_id = s.id AND m.role = 'user' AND m.content IS NOT NULL
ORDER BY m.timestamp, m.id LIMIT 1),
''
) AS _preview_raw,
COALESCE(
(SELECT MAX(m2.timestamp) FROM messages m2 WHERE m2.session_id = s.id),
s.started_at
) AS last_active
FROM sessions s

ORDER BY s.started_at DESC
LIMIT ? OFFSET ?
)sql";

// search_messages with only the MATCH clause.
constexpr const char* search_messages_sql = R"sql(
SELECT
m.id,
m.session_id,
m.role,
snippet(messages_fts, 0, '>>>', '<<<', '...', 40) AS snippet,
m.content,
m.timestamp,
m.tool_name,
s.source,
s.model,
s.started_at AS session_started
FROM messages_fts
JOIN messages m ON m.id = messages_fts.rowid
JOIN sessions s ON s.id = m.session_id
WHERE messages_fts MATCH ?
ORDER BY rank
LIMIT ? OFFSET ?
)sql";

constexpr const char* conversation_sql =
  "SELECT role, content, tool_call_id, tool_calls, tool_name, "
  "reasoning, reasoning_details, codex_reasoning_items "
  "FROM messages WHERE session_id = ? ORDER BY timestamp, id";

constexpr const char* resolve_sql =
  R"sql(SELECT id FROM sessions WHERE id LIKE ? ESCAPE '\' ORDER BY started_at DESC LIMIT 2)sql";

class SeedQueriesTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto w = must_open_writer(dir_.file("state.db"));
    ASSERT_TRUE(w);
    auto a = row("20260101_000000_aaaa0001", "telegram", 100);
    a.title = "first";
    ASSERT_TRUE(w->create_session(a));
    ASSERT_TRUE(w->create_session(row("20260102_000000_bbbb0001", "cli", 200)));
    ASSERT_TRUE(w->append_message(a.id, msg("user", "hello\nwombat friend"),
                                  at_seconds(101)));
    core::message m = msg("assistant", "tool time");
    m.tool_calls = nlohmann::json::array({{{"id", "c1"}}});
    m.reasoning = "thinking";
    ASSERT_TRUE(w->append_message(a.id, m, at_seconds(102)));
    ASSERT_TRUE(w->append_message("20260102_000000_bbbb0001",
                                  msg("user", "another wombat"),
                                  at_seconds(201)));
    w.reset();
    db_ = raw_open(dir_.file("state.db"));
  }
  temp_dir dir_;
  std::unique_ptr<connection> db_;
};

TEST_F(SeedQueriesTest, ListSessionsRich) {
  auto s = db_->prepare(list_sessions_rich_sql);
  ASSERT_TRUE(s.ok()) << s.err().message;
  s->bind(1, std::int64_t{20}).bind(2, std::int64_t{0});
  std::vector<nlohmann::json> rows;
  while (*s->step()) {
    nlohmann::json r;
    r["id"] = s->text(0);
    r["preview"] = s->text(s->columns() - 2);
    r["last_active"] = s->real(s->columns() - 1);
    rows.push_back(r);
  }
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["id"], "20260102_000000_bbbb0001");
  EXPECT_EQ(rows[1]["preview"], "hello wombat friend");
  EXPECT_DOUBLE_EQ(rows[1]["last_active"].get<double>(), 102);
}

TEST_F(SeedQueriesTest, SearchMessages) {
  auto s = db_->prepare(search_messages_sql);
  ASSERT_TRUE(s.ok()) << s.err().message;
  s->bind(1, "wombat").bind(2, std::int64_t{20}).bind(3, std::int64_t{0});
  std::vector<std::string> snippets;
  while (*s->step())
    snippets.push_back(s->text(3));
  ASSERT_EQ(snippets.size(), 2u);
  for (const auto& sn : snippets)
    EXPECT_NE(sn.find(">>>wombat<<<"), std::string::npos) << sn;
}

TEST_F(SeedQueriesTest, MessagesAsConversation) {
  auto s = db_->prepare(conversation_sql);
  ASSERT_TRUE(s.ok());
  s->bind(1, "20260101_000000_aaaa0001");
  ASSERT_TRUE(*s->step());
  EXPECT_EQ(s->text(0), "user");
  ASSERT_TRUE(*s->step());
  EXPECT_EQ(s->text(0), "assistant");
  auto calls = nlohmann::json::parse(s->text(3));
  EXPECT_EQ(calls[0]["id"], "c1");
  EXPECT_EQ(s->text(5), "thinking");
  EXPECT_FALSE(*s->step());
}

TEST_F(SeedQueriesTest, ResolveSessionIdPrefix) {
  auto s = db_->prepare(resolve_sql);
  ASSERT_TRUE(s.ok());
  s->bind(1, "20260102%");
  ASSERT_TRUE(*s->step());
  EXPECT_EQ(s->text(0), "20260102_000000_bbbb0001");
  EXPECT_FALSE(*s->step());
}

TEST_F(SeedQueriesTest, SeedTitleAndCountQueries) {
  auto t = db_->prepare("SELECT * FROM sessions WHERE title = ?");
  t->bind(1, "first");
  ASSERT_TRUE(*t->step());
  auto c = db_->scalar("SELECT COUNT(*) FROM messages");
  EXPECT_EQ(c->value_or(0), 3);
}

} // namespace
} // namespace switchboard::persistence::test
