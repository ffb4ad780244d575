#include "persistence/sqlite_store.hpp"

#include "test_util.hpp"

namespace switchboard::persistence::test {
namespace {

// connection::open turns SQLite's memory statistics off (sqlite.cpp): with
// them on, every sqlite3_malloc and sqlite3_free takes a process-wide mutex
// (6-8% of the writer's rate). Each ctest case is its own process, so this
// open is the library's first use.
TEST(SqliteLibraryTest, KeepsNoMemoryStatistics) {
  temp_dir dir;
  auto w = must_open_writer(dir.file("state.db"));
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->create_session(row("s1", "telegram", 1000)).ok());
  EXPECT_EQ(sqlite3_memory_used(), 0);
}

class WriterTest : public ::testing::Test {
protected:
  void SetUp() override {
    w_ = must_open_writer(dir_.file("state.db"));
    ASSERT_TRUE(w_);
  }
  nlohmann::json session(const std::string& id) {
    auto s = w_->get_session(id);
    EXPECT_TRUE(s.ok() && s->has_value()) << id;
    return s.ok() && *s ? **s : nlohmann::json{};
  }
  void create(const std::string& id, double started = 1000,
              std::string source = "telegram") {
    auto st = w_->create_session(row(id, std::move(source), started));
    ASSERT_TRUE(st.ok()) << st.err().message;
  }
  std::int64_t append(const std::string& id, const std::string& role,
                      const std::string& content, double at = 1001) {
    auto r = w_->append_message(id, msg(role, content), at_seconds(at));
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.err().message);
    return r.ok() ? *r : -1;
  }
  std::size_t hits(const std::string& text) {
    core::search_query q;
    q.text = text;
    auto r = w_->search(q);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->size() : 0;
  }
  void fts_integrity() {
    exec(w_->db(),
         "INSERT INTO messages_fts(messages_fts) VALUES('integrity-check')");
  }

  temp_dir dir_;
  std::unique_ptr<sqlite_writer> w_;
};

// The writer merges the search index 16 segments at a time, a little at
// each write, and merges a whole level at once only at 64 (sqlite_open.cpp,
// tune_search_index), on a new file and on one that had FTS5's defaults.
TEST_F(WriterTest, SearchIndexMergesSixteenSegmentsAtATime) {
  auto setting = [](connection& db, const std::string& k) -> std::int64_t {
    auto q =
      db.prepare("SELECT v FROM messages_fts_config WHERE k = '" + k + "'");
    EXPECT_TRUE(q.ok());
    auto row = q->step();
    return row.ok() && *row ? q->int64(0) : -1;
  };
  EXPECT_EQ(setting(w_->db(), "automerge"), 16);
  EXPECT_EQ(setting(w_->db(), "crisismerge"), 64);
  exec(
    w_->db(),
    "INSERT INTO messages_fts(messages_fts, rank) VALUES('automerge', 4);"
    "INSERT INTO messages_fts(messages_fts, rank) VALUES('crisismerge', 16)");
  w_.reset();
  w_ = must_open_writer(dir_.file("state.db"));
  ASSERT_TRUE(w_);
  EXPECT_EQ(setting(w_->db(), "automerge"), 16);
  EXPECT_EQ(setting(w_->db(), "crisismerge"), 64);
}

TEST_F(WriterTest, CreateSessionStoresTheRow) {
  auto r = row("20260101_000000_aabbccdd", "discord", 1234.5);
  r.user_id = "u1";
  r.session_key = "agent:main:discord:group:g1";
  r.chat_id = "g1";
  r.chat_type = "group";
  r.thread_id = "t9";
  r.model = "gpt";
  ASSERT_TRUE(w_->create_session(r));
  auto s = session(r.id);
  EXPECT_EQ(s["source"], "discord");
  EXPECT_EQ(s["user_id"], "u1");
  EXPECT_EQ(s["session_key"], "agent:main:discord:group:g1");
  EXPECT_EQ(s["chat_type"], "group");
  EXPECT_EQ(s["thread_id"], "t9");
  EXPECT_DOUBLE_EQ(s["started_at"].get<double>(), 1234.5);
  EXPECT_EQ(s["message_count"], 0);
  EXPECT_TRUE(s["ended_at"].is_null());
}

TEST_F(WriterTest, CreateSessionIdCollisionIsConflictNotMerge) {
  create("dup", 1000, "telegram");
  append("dup", "user", "first conversation");
  auto st = w_->create_session(row("dup", "discord", 2000));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.err().code, core::errc::conflict);
  EXPECT_NE(st.err().message.find("dup"), std::string::npos);
  EXPECT_EQ(session("dup")["source"], "telegram");
  EXPECT_EQ(*w_->message_count("dup"), 1);
}

TEST_F(WriterTest, CreateSessionWithMissingParentIsNotFound) {
  auto r = row("child");
  r.parent_session_id = "nope";
  auto st = w_->create_session(r);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.err().code, core::errc::not_found);
}

TEST_F(WriterTest, CreateSessionWithTakenTitleIsConflict) {
  auto a = row("a");
  a.title = "T";
  ASSERT_TRUE(w_->create_session(a));
  auto b = row("b");
  b.title = "T";
  auto st = w_->create_session(b);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.err().code, core::errc::conflict);
  EXPECT_EQ(st.err().message, "title 'T' is already in use by session a");
}

TEST_F(WriterTest, EnsureSessionKeepsAnExistingRow) {
  create("a", 1000, "telegram");
  ASSERT_TRUE(w_->ensure_session("a", "cli", at_seconds(5)));
  EXPECT_EQ(session("a")["source"], "telegram");
  ASSERT_TRUE(w_->ensure_session("b", "cli", at_seconds(5)));
  EXPECT_EQ(session("b")["source"], "cli");
}

TEST_F(WriterTest, EndSessionFirstReasonWins) {
  create("a");
  ASSERT_TRUE(w_->end_session("a", "idle", at_seconds(2000)));
  ASSERT_TRUE(w_->end_session("a", "session_reset", at_seconds(3000)));
  EXPECT_EQ(session("a")["end_reason"], "idle");
  EXPECT_DOUBLE_EQ(session("a")["ended_at"].get<double>(), 2000);
  EXPECT_EQ(w_->end_session("zz", "idle", at_seconds(1)).err().code,
            core::errc::not_found);
}

TEST_F(WriterTest, ReopenClearsEnd) {
  create("a");
  ASSERT_TRUE(w_->end_session("a", "session_switch", at_seconds(2000)));
  ASSERT_TRUE(w_->reopen_session("a"));
  EXPECT_TRUE(session("a")["end_reason"].is_null());
  EXPECT_TRUE(session("a")["ended_at"].is_null());
  ASSERT_TRUE(w_->end_session("a", "idle", at_seconds(3000)));
  EXPECT_EQ(session("a")["end_reason"], "idle");
  EXPECT_EQ(w_->reopen_session("zz").err().code, core::errc::not_found);
}

TEST_F(WriterTest, SystemPrompt) {
  create("a");
  ASSERT_TRUE(w_->set_system_prompt("a", "be nice"));
  EXPECT_EQ(session("a")["system_prompt"], "be nice");
  EXPECT_EQ(w_->set_system_prompt("x", "p").err().code, core::errc::not_found);
}

TEST_F(WriterTest, UpdateUsageAddsAndBackfills) {
  create("a");
  core::usage_update u;
  u.input_tokens = 10;
  u.output_tokens = 5;
  u.cache_read_tokens = 2;
  u.cache_write_tokens = 1;
  u.model = "m1";
  u.estimated_cost_usd = 0.5;
  u.cost_status = "estimated";
  u.provider = "openrouter";
  ASSERT_TRUE(w_->update_usage("a", u, at_seconds(5)));
  u.model = "m2";
  u.provider = "other";
  u.cost_status.reset();
  ASSERT_TRUE(w_->update_usage("a", u, at_seconds(5)));
  auto s = session("a");
  EXPECT_EQ(s["input_tokens"], 20);
  EXPECT_EQ(s["output_tokens"], 10);
  EXPECT_EQ(s["cache_read_tokens"], 4);
  EXPECT_EQ(s["cache_write_tokens"], 2);
  EXPECT_EQ(s["model"], "m1");
  EXPECT_EQ(s["billing_provider"], "openrouter");
  EXPECT_EQ(s["cost_status"], "estimated");
  EXPECT_DOUBLE_EQ(s["estimated_cost_usd"].get<double>(), 1.0);
  EXPECT_EQ(w_->update_usage("x", u, at_seconds(5)).err().code,
            core::errc::not_found);
}

TEST_F(WriterTest, AppendMessageCountsAndIndexes) {
  create("a");
  core::message m = msg("assistant", "calling tools now");
  m.tool_calls = nlohmann::json::array({{{"id", "1"}}, {{"id", "2"}}});
  m.reasoning = "because";
  m.reasoning_details = nlohmann::json::array({{{"type", "x"}}});
  m.finish_reason = "tool_calls";
  m.token_count = 7;
  auto id = w_->append_message("a", m, at_seconds(1001));
  ASSERT_TRUE(id.ok());
  EXPECT_GT(*id, 0);
  append("a", "user", "hello platypus");
  auto s = session("a");
  EXPECT_EQ(s["message_count"], 2);
  EXPECT_EQ(s["tool_call_count"], 2);
  EXPECT_EQ(hits("platypus"), 1u);
  auto t = w_->transcript("a", false);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ((*t)[0]["tool_calls"].size(), 2u);
  EXPECT_EQ((*t)[0]["reasoning"], "because");
  fts_integrity();
}

TEST_F(WriterTest, AppendToMissingSessionIsNotFoundAndWritesNothing) {
  auto r = w_->append_message("ghost", msg("user", "boo"), at_seconds(1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().code, core::errc::not_found);
  EXPECT_EQ(*w_->message_count(std::nullopt), 0);
}

TEST_F(WriterTest, NullContentMessagesKeepFtsConsistent) {
  create("a");
  ASSERT_TRUE(
    w_->append_message("a", msg("assistant", std::nullopt), at_seconds(1)));
  append("a", "user", "text");
  ASSERT_TRUE(w_->rewrite_transcript("a", {msg("user", "new")}, at_seconds(2)));
  ASSERT_TRUE(w_->restore_transcript("a"));
  ASSERT_TRUE(w_->delete_session("a"));
  fts_integrity();
}

TEST_F(WriterTest, SetTitleSanitizesAndConflicts) {
  create("a");
  create("b");
  auto t = w_->set_title("a", "  My\u200b   Title \n");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, std::optional<std::string>{"My Title"});
  EXPECT_EQ(session("a")["title"], "My Title");
  auto again = w_->set_title("a", "My Title"); // keeping its own title is fine
  EXPECT_TRUE(again.ok());
  auto c = w_->set_title("b", "My Title");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.err().code, core::errc::conflict);
  EXPECT_EQ(c.err().message, "title 'My Title' is already in use by session a");
  auto cleared = w_->set_title("a", "   ");
  ASSERT_TRUE(cleared.ok());
  EXPECT_FALSE(cleared->has_value());
  EXPECT_TRUE(session("a")["title"].is_null());
  EXPECT_EQ(w_->set_title("a", std::string(101, 'x')).err().code,
            core::errc::bad_request);
  EXPECT_EQ(w_->set_title("zz", "x").err().code, core::errc::not_found);
}

TEST_F(WriterTest, TitleLineageAndResolution) {
  for (auto [id, title, at] :
       {std::tuple{"a", "proj", 1.0}, std::tuple{"b", "proj #2", 2.0},
        std::tuple{"c", "Proj #7", 3.0}, std::tuple{"d", "pro_ #9", 4.0}}) {
    create(id, at);
    ASSERT_TRUE(w_->set_title(id, title));
  }
  EXPECT_EQ(*w_->next_title("proj"), "proj #3");
  EXPECT_EQ(*w_->next_title("proj #2"), "proj #3");
  EXPECT_EQ(*w_->next_title("new"), "new");
  EXPECT_EQ(*w_->next_title("pro%"), "pro%"); // % is literal
  EXPECT_EQ(*w_->next_title("pro_"), "pro_ #10");
  EXPECT_EQ(*w_->resolve_title("proj"), std::optional<std::string>{"b"});
  EXPECT_EQ(*w_->resolve_title("Proj"), std::optional<std::string>{"c"});
  EXPECT_EQ(*w_->resolve_title("pr_j"), std::nullopt);
  EXPECT_EQ(*w_->resolve_title("nothing"), std::nullopt);
}

TEST_F(WriterTest, CompressionChildTitleAndChain) {
  create("p", 1);
  ASSERT_TRUE(w_->set_title("p", "work"));
  append("p", "user", "one", 2);
  auto child = row("c1", "telegram", 10);
  auto t = w_->create_compression_child("p", child);
  ASSERT_TRUE(t.ok()) << t.err().message;
  EXPECT_EQ(*t, std::optional<std::string>{"work #2"});
  EXPECT_EQ(session("p")["end_reason"], "compression");
  EXPECT_EQ(session("c1")["parent_session_id"], "p");
  append("c1", "user", "two", 11);
  auto t2 = w_->create_compression_child("c1", row("c2", "telegram", 20));
  EXPECT_EQ(*t2, std::optional<std::string>{"work #3"});
  append("c2", "user", "three", 21);
  EXPECT_EQ(*w_->compression_tip("p"), "c2");
  EXPECT_EQ(*w_->resolve_title("work"), std::optional<std::string>{"c2"});
  auto stitched = w_->transcript("c2", true);
  ASSERT_TRUE(stitched.ok());
  ASSERT_EQ(stitched->size(), 3u);
  EXPECT_EQ((*stitched)[0]["content"], "one");
  EXPECT_EQ((*stitched)[2]["content"], "three");
  EXPECT_EQ(w_->transcript("c2", false)->size(), 1u);
  EXPECT_EQ(w_->create_compression_child("nope", row("c3")).err().code,
            core::errc::not_found);
}

TEST_F(WriterTest, UntitledCompressionChildHasNoTitle) {
  create("p");
  auto t = w_->create_compression_child("p", row("c", "telegram", 2000));
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->has_value());
}

TEST_F(WriterTest, StitchStopsAtHundredHops) {
  create("s0", 0);
  for (int i = 1; i <= 105; ++i) {
    auto r = w_->create_compression_child(
      "s" + std::to_string(i - 1), row("s" + std::to_string(i), "cli", i));
    ASSERT_TRUE(r.ok());
    append("s" + std::to_string(i - 1), "user", "m" + std::to_string(i - 1), i);
  }
  append("s105", "user", "m105", 200);
  auto t = w_->transcript("s105", true);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->size(), 101u); // the tip and 100 ancestors
  EXPECT_EQ(*w_->compression_tip("s0"), "s100");
}

TEST_F(WriterTest, RewriteKeepsOldRowsAndRestoreBringsThemBack) {
  create("a");
  append("a", "user", "original echidna", 1);
  append("a", "assistant", "reply", 2);
  auto n =
    w_->rewrite_transcript("a", {msg("user", "summary quokka")}, at_seconds(3));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(session("a")["message_count"], 1);
  EXPECT_EQ(hits("echidna"), 0u);
  EXPECT_EQ(hits("quokka"), 1u);
  EXPECT_EQ(w_->transcript("a", false)->size(), 1u);
  EXPECT_EQ(w_->db().scalar("SELECT count(*) FROM messages")->value_or(0),
            3); // nothing destroyed
  auto r = w_->restore_transcript("a");
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, 2);
  EXPECT_EQ(hits("echidna"), 1u);
  EXPECT_EQ(hits("quokka"), 0u);
  EXPECT_EQ(w_->restore_transcript("a").err().code, core::errc::not_found);
  fts_integrity();
}

TEST_F(WriterTest, ClearMessagesZeroesCounters) {
  create("a");
  append("a", "user", "wallaby");
  ASSERT_TRUE(w_->clear_messages("a"));
  EXPECT_EQ(session("a")["message_count"], 0);
  EXPECT_EQ(hits("wallaby"), 0u);
  fts_integrity();
}

TEST_F(WriterTest, DeleteSessionDetachesChildrenAndDropsEntry) {
  create("p", 1);
  append("p", "user", "numbat");
  ASSERT_TRUE(w_->create_compression_child("p", row("c", "telegram", 2)));
  core::session_entry e;
  e.session_key = "k";
  e.session_id = "p";
  ASSERT_TRUE(w_->upsert_entry(e));
  ASSERT_TRUE(w_->delete_session("p"));
  EXPECT_FALSE(w_->get_session("p")->has_value());
  EXPECT_TRUE(session("c")["parent_session_id"].is_null());
  EXPECT_FALSE(w_->get_entry("k")->has_value());
  EXPECT_EQ(hits("numbat"), 0u);
  EXPECT_EQ(w_->delete_session("p").err().code, core::errc::not_found);
  fts_integrity();
}

TEST_F(WriterTest, PruneOnlyEndedOldSessions) {
  create("old_ended", 100, "telegram");
  create("old_open", 100, "telegram");
  create("new_ended", 5000, "telegram");
  create("old_cli", 100, "cli");
  create("child", 6000, "telegram");
  exec(w_->db(), "UPDATE sessions SET parent_session_id = 'old_ended' "
                 "WHERE id = 'child'");
  for (const char* id : {"old_ended", "new_ended", "old_cli"})
    ASSERT_TRUE(w_->end_session(id, "idle", at_seconds(200)));
  append("old_ended", "user", "bilby");
  auto n = w_->prune_sessions(at_seconds(1000), std::string{"telegram"});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_FALSE(w_->get_session("old_ended")->has_value());
  EXPECT_TRUE(w_->get_session("old_open")->has_value());
  EXPECT_TRUE(w_->get_session("old_cli")->has_value());
  EXPECT_TRUE(session("child")["parent_session_id"].is_null());
  EXPECT_EQ(hits("bilby"), 0u);
  EXPECT_EQ(*w_->prune_sessions(at_seconds(1000), std::nullopt), 1);
  fts_integrity();
}

TEST_F(WriterTest, FailingRequestInsideSavepointRollsBackAlone) {
  ASSERT_TRUE(w_->begin());
  ASSERT_TRUE(w_->savepoint());
  ASSERT_TRUE(w_->create_session(row("a")));
  ASSERT_TRUE(w_->set_title("a", "taken"));
  ASSERT_TRUE(w_->release_savepoint());
  // A request that writes and then fails: its partial write must vanish.
  ASSERT_TRUE(w_->savepoint());
  ASSERT_TRUE(w_->create_session(row("b")));
  ASSERT_FALSE(w_->set_title("b", "taken").ok());
  ASSERT_TRUE(w_->rollback_to_savepoint());
  ASSERT_TRUE(w_->savepoint());
  ASSERT_TRUE(w_->append_message("a", msg("user", "kept"), at_seconds(1)));
  ASSERT_TRUE(w_->release_savepoint());
  ASSERT_TRUE(w_->commit());
  EXPECT_TRUE(w_->get_session("a")->has_value());
  EXPECT_FALSE(w_->get_session("b")->has_value());
  EXPECT_EQ(*w_->message_count("a"), 1);
}

TEST_F(WriterTest, RollbackToSavepointReportsATransactionSqliteDropped) {
  create("a");
  ASSERT_TRUE(w_->begin());
  ASSERT_TRUE(w_->savepoint());
  ASSERT_TRUE(w_->append_message("a", msg("user", "earlier"), at_seconds(1)));
  ASSERT_TRUE(w_->release_savepoint());
  ASSERT_TRUE(w_->savepoint());
  // What SQLite does by itself after SQLITE_FULL or IOERR mid-request.
  w_->rollback();
  auto st = w_->rollback_to_savepoint();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.err().code, core::errc::internal);
  EXPECT_EQ(*w_->message_count("a"), 0); // the earlier request is gone too
  ASSERT_TRUE(w_->begin()); // and the writer can start the next batch
  ASSERT_TRUE(w_->commit());
}

TEST_F(WriterTest,
       QueuedFtsRowsSurviveARolledBackFlushAndDropWithTheirRequest) {
  create("a");
  ASSERT_TRUE(w_->begin());
  ASSERT_TRUE(w_->savepoint());
  ASSERT_TRUE(w_->append_message("a", msg("user", "kept kiwi"), at_seconds(1)));
  ASSERT_TRUE(w_->release_savepoint());
  // This request flushes the queued FTS row, then is rolled back.
  ASSERT_TRUE(w_->savepoint());
  ASSERT_TRUE(w_->append_message("a", msg("user", "lost emu"), at_seconds(2)));
  ASSERT_TRUE(w_->rewrite_transcript("a", {msg("user", "x")}, at_seconds(3)));
  ASSERT_TRUE(w_->rollback_to_savepoint());
  // And this one fails without a flush: its queued row must go too.
  ASSERT_TRUE(w_->savepoint());
  ASSERT_TRUE(
    w_->append_message("a", msg("user", "gone cassowary"), at_seconds(4)));
  ASSERT_TRUE(w_->rollback_to_savepoint());
  ASSERT_TRUE(w_->commit());
  EXPECT_EQ(hits("kiwi"), 1u);
  EXPECT_EQ(hits("emu"), 0u);
  EXPECT_EQ(hits("cassowary"), 0u);
  EXPECT_EQ(*w_->message_count("a"), 1);
  fts_integrity();
}

TEST_F(WriterTest, RollbackDiscardsTheBatch) {
  ASSERT_TRUE(w_->begin());
  ASSERT_TRUE(w_->create_session(row("a")));
  w_->rollback();
  EXPECT_FALSE(w_->get_session("a")->has_value());
}

TEST_F(WriterTest, ReadOnlyConnectionMakesBeginOrCommitFail) {
  create("a");
  // A writer over a read-only connection stands in for a read-only file
  // (chmod does not stop root).
  auto ro = connection::open(dir_.file("state.db"), SQLITE_OPEN_READONLY);
  ASSERT_TRUE(ro.ok());
  sqlite_writer bad{std::move(*ro)};
  auto st = bad.begin();
  if (st.ok()) {
    auto r = bad.append_message("a", msg("user", "x"), at_seconds(1));
    auto c = bad.commit();
    EXPECT_TRUE(!r.ok() || !c.ok());
  } else {
    EXPECT_EQ(st.err().code, core::errc::internal);
  }
  EXPECT_EQ(*w_->message_count("a"), 0);
}

TEST_F(WriterTest, ResolveSessionIdByPrefix) {
  create("20260101_000000_aaaa0001", 1);
  create("20260101_000000_aaaa0002", 2);
  create("20260102_000000_bbbb0001", 3);
  create("x_y", 4);
  create("xzy", 5);
  EXPECT_EQ(*w_->resolve_session_id("20260102"), "20260102_000000_bbbb0001");
  EXPECT_EQ(*w_->resolve_session_id("x_y"), "x_y");
  EXPECT_EQ(*w_->resolve_session_id("x_"), "x_y"); // _ is literal
  auto amb = w_->resolve_session_id("20260101_000000_aaaa");
  ASSERT_FALSE(amb.ok());
  EXPECT_EQ(amb.err().code, core::errc::bad_request);
  EXPECT_EQ(amb.err().message,
            "ambiguous session id prefix '20260101_000000_aaaa': "
            "20260101_000000_aaaa0002, 20260101_000000_aaaa0001");
  EXPECT_EQ(w_->resolve_session_id("zzz").err().code, core::errc::not_found);
  EXPECT_EQ(w_->resolve_session_id("%").err().code, core::errc::not_found);
}

TEST_F(WriterTest, HistoryPreviewAndFilters) {
  create("a", 1, "telegram");
  create("b", 2, "cli");
  create("c", 3, "discord");
  append("a", "assistant", "not the preview", 10);
  append("a", "user",
         "first\nline of a rather long user message that goes on "
         "and on past sixty characters",
         11);
  append("b", "user", "short", 20);
  ASSERT_TRUE(
    w_->rewrite_transcript("b", {msg("user", "rewritten")}, at_seconds(5)));
  core::history_query q;
  auto h = w_->history(q);
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 3u);
  EXPECT_EQ((*h)[0]["id"], "c");
  EXPECT_EQ((*h)[0]["preview"], "");
  EXPECT_DOUBLE_EQ((*h)[0]["last_active"].get<double>(), 3);
  EXPECT_EQ((*h)[1]["preview"], "rewritten");
  EXPECT_DOUBLE_EQ((*h)[1]["last_active"].get<double>(), 5); // inactive ignored
  EXPECT_EQ((*h)[2]["preview"],
            "first line of a rather long user message that goes on and on...");
  EXPECT_DOUBLE_EQ((*h)[2]["last_active"].get<double>(), 11);
  EXPECT_TRUE((*h)[2].contains("title"));
  q.source = "cli";
  EXPECT_EQ(w_->history(q)->size(), 1u);
  q.source.reset();
  q.exclude_sources = {"cli", "discord"};
  EXPECT_EQ(w_->history(q)->size(), 1u);
  q.exclude_sources.clear();
  q.limit = 1;
  q.offset = 1;
  EXPECT_EQ((*w_->history(q))[0]["id"], "b");
}

TEST_F(WriterTest, HistoryShowsUntitledSessionsWithTitleFromFirstUserMessage) {
  create("a", 1, "telegram");
  create("b", 2, "telegram");
  create("c", 3, "telegram");
  append("a", "assistant", "not a title", 10);
  append("a", "user", "   ", 11);
  append("a", "user",
         "  deploy\n\nthe   chat-send service " + std::string(80, 'x'), 12);
  ASSERT_TRUE(w_->set_title("b", "My Title"));
  auto h = w_->history(core::history_query{});
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 3u);
  EXPECT_TRUE((*h)[0]["display_title"].is_null()); // c: no user message
  EXPECT_EQ((*h)[1]["display_title"], "My Title");
  EXPECT_EQ((*h)[2]["display_title"],
            "deploy the chat-send service " + std::string(35, 'x'));
  EXPECT_TRUE((*h)[2]["title"].is_null()); // the row itself stays untitled
}

TEST_F(WriterTest, ExportOneAndAll) {
  create("a", 1, "telegram");
  create("b", 2, "cli");
  core::message m = msg("assistant", "x");
  m.tool_calls = nlohmann::json::array({{{"id", "t"}}});
  ASSERT_TRUE(w_->append_message("a", m, at_seconds(3)));
  auto e = w_->export_session("a");
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_EQ((**e)["id"], "a");
  ASSERT_EQ((**e)["messages"].size(), 1u);
  EXPECT_TRUE((**e)["messages"][0]["tool_calls"].is_array());
  EXPECT_FALSE(w_->export_session("zz")->has_value());
  std::vector<std::string> ids;
  ASSERT_TRUE(w_->export_all(
    std::nullopt, [&](const nlohmann::json& j) { ids.push_back(j["id"]); }));
  EXPECT_EQ(ids, (std::vector<std::string>{"b", "a"}));
  ids.clear();
  ASSERT_TRUE(
    w_->export_all(std::string{"telegram"},
                   [&](const nlohmann::json& j) { ids.push_back(j["id"]); }));
  EXPECT_EQ(ids, (std::vector<std::string>{"a"}));
  EXPECT_EQ(*w_->session_count(std::string{"cli"}), 1);
  EXPECT_EQ(*w_->session_count(std::nullopt), 2);
}

TEST_F(WriterTest, ExportAllRowsMarksWhatARewriteReplaced) {
  create("a");
  append("a", "user", "draft", 1);
  append("a", "assistant", "reply", 2);
  ASSERT_TRUE(
    w_->rewrite_transcript("a", {msg("user", "final")}, at_seconds(3)));
  auto all = w_->export_session_all("a");
  ASSERT_TRUE(all.ok() && all->has_value());
  const auto& rows = (**all)["messages"];
  ASSERT_EQ(rows.size(), 3u) << rows;
  EXPECT_EQ(rows[0]["content"], "draft");
  EXPECT_EQ(rows[1]["content"], "reply");
  EXPECT_EQ(rows[2]["content"], "final");
  for (int i : {0, 1}) {
    EXPECT_EQ(rows[i]["active"], 0);
    EXPECT_TRUE(rows[i]["replaced_by"].is_number_integer());
  }
  EXPECT_EQ(rows[2]["active"], 1);
  EXPECT_EQ((**all)["message_count"], 1);
  EXPECT_EQ((*w_->export_session("a"))->at("messages").size(), 1u);
  EXPECT_FALSE(w_->export_session_all("zz")->has_value());
}

TEST_F(WriterTest, HistoryOfTheChildrenOfASession) {
  create("p", 1);
  create("other", 3);
  ASSERT_TRUE(w_->create_compression_child("p", row("c", "telegram", 2)));
  core::history_query q;
  q.parent_session_id = "p";
  auto kids = w_->history(q);
  ASSERT_TRUE(kids.ok());
  ASSERT_EQ(kids->size(), 1u) << *kids;
  EXPECT_EQ((*kids)[0]["id"], "c");
  q.parent_session_id = "c";
  EXPECT_EQ(w_->history(q)->size(), 0u);
  // With the other filters: their parameters come after the parent's.
  q.parent_session_id = "p";
  q.exclude_sources = {"cli"};
  EXPECT_EQ(w_->history(q)->size(), 1u);
  q.exclude_sources = {"telegram"};
  EXPECT_EQ(w_->history(q)->size(), 0u);
  q.parent_session_id.reset();
  EXPECT_EQ(w_->history(q)->size(), 0u);
  q.exclude_sources = {"cli"};
  EXPECT_EQ(w_->history(q)->size(), 3u);
}

TEST_F(WriterTest, TranscriptOfMissingSessionIsNotFound) {
  EXPECT_EQ(w_->transcript("zz", false).err().code, core::errc::not_found);
  EXPECT_EQ(w_->compression_tip("zz").err().code, core::errc::not_found);
}

} // namespace
} // namespace switchboard::persistence::test
