// Search in Chinese and Japanese (SPEC 10 "every language", issue 18): the
// trigram index, the LIKE fallback, their merge with the FTS5 path, and the
// writer, migration and import keeping messages_trigram in step.

#include "persistence/hermes_import.hpp"
#include "persistence/schema.hpp"
#include "persistence/sqlite_store.hpp"

#include "test_util.hpp"

#include <set>

namespace switchboard::persistence::test {
namespace {

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i)
    out += s;
  return out;
}

const std::string long_cjk =
  repeat("我们今天", 40) + "发现记忆断裂的问题" + repeat("需要修复", 40);

class SearchCjkTest : public ::testing::Test {
protected:
  void SetUp() override {
    w_ = must_open_writer(dir_.file("state.db"));
    ASSERT_TRUE(w_->create_session(row("zh", "telegram", 100)));
    ASSERT_TRUE(w_->create_session(row("ja", "discord", 200)));
    add("zh", "user", "昨晚讨论了记忆系统", 101);
    add("zh", "assistant", "昨晚的会议纪要已发送", 102);
    add("zh", "user", long_cjk, 103);
    add("zh", "assistant", "讨论Agent通信协议", 104);
    add("zh", "user", "进度100%完成", 105);
    add("zh", "user", "100个任务都完成了", 106);
    add("ja", "user", "東京で会議があります", 201);
    add("ja", "user", "회의는 내일입니다", 202);
    add("ja", "assistant", "明日の会議は東京タワーの近くで行います", 203);
    add("ja", "user", "docker deploy finished", 204);
    add("ja", "user", "docker 会议 mixed", 205);
  }
  void add(const std::string& s, const std::string& role,
           const std::string& content, double at) {
    ASSERT_TRUE(w_->append_message(s, msg(role, content), at_seconds(at)));
  }
  nlohmann::json find(core::search_query q) {
    auto r = w_->search(q);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : nlohmann::json::array();
  }
  nlohmann::json find(std::string text) { return find(query(std::move(text))); }
  core::search_query query(std::string text) {
    core::search_query q;
    q.text = std::move(text);
    return q;
  }
  std::set<std::string> snippets(const nlohmann::json& hits) {
    std::set<std::string> out;
    for (const auto& h : hits)
      out.insert(h["snippet"].get<std::string>());
    return out;
  }
  std::int64_t trigram_rows() {
    return w_->db()
      .scalar("SELECT count(*) FROM messages_trigram")
      ->value_or(-1);
  }
  void expect_trigram_intact() {
    exec(w_->db(), "INSERT INTO messages_trigram(messages_trigram) "
                   "VALUES('integrity-check')");
    exec(w_->db(),
         "INSERT INTO messages_fts(messages_fts) VALUES('integrity-check')");
  }
  temp_dir dir_;
  std::unique_ptr<sqlite_writer> w_;
};

bool has(const std::set<std::string>& s, const std::string& v) {
  return s.count(v) > 0;
}

TEST_F(SearchCjkTest, IssueTable) {
  // 昨晚: two characters, the LIKE path.
  auto zuowan = find("昨晚");
  ASSERT_EQ(zuowan.size(), 2u);
  auto s = snippets(zuowan);
  EXPECT_TRUE(has(s, ">>>昨晚<<<讨论了记忆系统"));
  EXPECT_TRUE(has(s, ">>>昨晚<<<的会议纪要已发送"));
  // 记忆断裂: mid-sentence in a long message, the trigram index.
  auto mid = find("记忆断裂");
  ASSERT_EQ(mid.size(), 1u);
  auto snippet = mid[0]["snippet"].get<std::string>();
  EXPECT_NE(snippet.find(">>>记忆断裂<<<"), std::string::npos) << snippet;
  EXPECT_EQ(snippet.rfind("...", 0), 0u) << snippet; // cut before and after
  // Mixed CJK/Latin.
  auto agent = find("Agent通信");
  ASSERT_EQ(agent.size(), 1u);
  EXPECT_EQ(agent[0]["snippet"], "讨论>>>Agent通信<<<协议");
  // Japanese.
  auto kaigi = snippets(find("会議"));
  EXPECT_EQ(kaigi.size(), 2u);
  EXPECT_TRUE(has(kaigi, "東京で>>>会議<<<があります"));
  // Korean is written with spaces: the FTS5 path, as before.
  auto korean = find("회의는");
  ASSERT_EQ(korean.size(), 1u);
  EXPECT_EQ(korean[0]["snippet"], ">>>회의는<<< 내일입니다");
}

TEST_F(SearchCjkTest, TermInTheMiddleOfALongMessageByEveryPath) {
  for (const char* q : {"断裂", "记忆断裂", "发现记忆断裂的问题"}) {
    auto hits = find(q);
    ASSERT_EQ(hits.size(), 1u) << q;
    EXPECT_NE(hits[0]["snippet"].get<std::string>().find(std::string{">>>"} +
                                                         q + "<<<"),
              std::string::npos)
      << hits[0]["snippet"];
    EXPECT_EQ(hits[0]["context"].size(), 3u);
  }
}

TEST_F(SearchCjkTest, TwoSessionsShareATwoCharacterWord) {
  auto hits = find("会议");
  ASSERT_EQ(hits.size(), 2u);
  std::set<std::string> sessions;
  for (const auto& h : hits)
    sessions.insert(h["session_id"].get<std::string>());
  EXPECT_EQ(sessions, (std::set<std::string>{"zh", "ja"}));
}

TEST_F(SearchCjkTest, LikeWildcardsAreLiteral) {
  auto hits = find("100%完成");
  ASSERT_EQ(hits.size(), 1u); // not "100个任务都完成了"
  EXPECT_EQ(hits[0]["snippet"], "进度>>>100%完成<<<");
  EXPECT_EQ(find("100_完成").size(), 0u);
  EXPECT_EQ(find("%完成了").size(), 0u); // "完成了" is there, "%" is not
  EXPECT_EQ(find("完成").size(), 2u);
}

TEST_F(SearchCjkTest, OrBetweenCjkTerms) {
  // Both terms >= 3 characters: trigram.
  auto tri = snippets(find("记忆系统 OR 会议纪要"));
  EXPECT_EQ(tri, (std::set<std::string>{"昨晚讨论了>>>记忆系统<<<",
                                        "昨晚的>>>会议纪要<<<已发送"}));
  // One term of 2: LIKE.
  auto like = find("东京 OR 東京 OR 记忆系统");
  EXPECT_EQ(like.size(), 3u);
  // AND and NOT.
  EXPECT_EQ(find("昨晚 记忆").size(), 1u);
  EXPECT_EQ(find("昨晚 NOT 记忆").size(), 1u);
  EXPECT_EQ(find("会議 NOT 東京タワー").size(), 1u);
}

TEST_F(SearchCjkTest, LatinOrCjkMergesBothPathsWithoutDuplicates) {
  // docker: two messages, one of them with CJK (found by substring in the
  // trigram table, and skipped by the FTS5 path).
  auto hits = find("docker OR 会议");
  ASSERT_EQ(hits.size(), 3u);
  std::set<std::int64_t> ids;
  for (const auto& h : hits)
    ids.insert(h["id"].get<std::int64_t>());
  EXPECT_EQ(ids.size(), 3u);
  auto s = snippets(hits);
  EXPECT_TRUE(has(s, ">>>docker<<< deploy finished"));
  EXPECT_TRUE(has(s, ">>>docker<<< >>>会议<<< mixed"));
  // Relevance: the CJK path's hits first.
  EXPECT_NE(hits[2]["snippet"].get<std::string>().find("finished"),
            std::string::npos);
  // AND with a CJK term: only messages with CJK can match.
  EXPECT_EQ(find("docker 会议").size(), 1u);
}

TEST_F(SearchCjkTest, JapaneseKanaAndKanjiMixed) {
  auto tower = find("東京タワー");
  ASSERT_EQ(tower.size(), 1u);
  EXPECT_EQ(tower[0]["role"], "assistant");
  EXPECT_NE(tower[0]["snippet"].get<std::string>().find(">>>東京タワー<<<"),
            std::string::npos);
  EXPECT_EQ(find("会議は").size(), 1u);
  EXPECT_EQ(find("があります").size(), 1u);
  EXPECT_EQ(find("タワー 明日").size(), 1u);
}

TEST_F(SearchCjkTest, ToolRowFoundByItsCjkToolName) {
  core::message m = msg("tool", "{\"ok\": true}");
  m.tool_name = "网页搜索工具";
  ASSERT_TRUE(w_->append_message("zh", m, at_seconds(107)));
  for (const char* q : {"网页搜索", "搜索"}) { // trigram, LIKE
    auto hits = find(q);
    ASSERT_EQ(hits.size(), 1u) << q;
    EXPECT_EQ(hits[0]["role"], "tool");
    EXPECT_EQ(hits[0]["tool_name"], "网页搜索工具");
    EXPECT_NE(hits[0]["snippet"].get<std::string>().find(std::string{">>>"} +
                                                         q + "<<<"),
              std::string::npos)
      << q << ": " << hits[0]["snippet"];
  }
}

TEST_F(SearchCjkTest, FiltersAndSortOrders) {
  for (const char* text : {"会议", "会议纪要 OR 会議があ"}) {
    auto q = query(text);
    EXPECT_EQ(find(q).size(), 2u) << text;
    q.sources = {"discord"};
    ASSERT_EQ(find(q).size(), 1u) << text;
    EXPECT_EQ(find(q)[0]["session_id"], "ja");
    q.sources.clear();
    q.exclude_sources = {"discord"};
    ASSERT_EQ(find(q).size(), 1u) << text;
    EXPECT_EQ(find(q)[0]["session_id"], "zh");
    q.exclude_sources.clear();
    q.roles = {"assistant"};
    EXPECT_EQ(find(q).size(), 1u) << text;
    q.roles.clear();
    q.order = core::search_order::newest;
    EXPECT_EQ(find(q)[0]["session_id"], "ja") << text;
    q.order = core::search_order::oldest;
    EXPECT_EQ(find(q)[0]["session_id"], "zh") << text;
    q.limit = 1;
    q.offset = 1;
    auto page = find(q);
    ASSERT_EQ(page.size(), 1u) << text;
    EXPECT_EQ(page[0]["session_id"], "ja");
    q.offset = 2;
    EXPECT_EQ(find(q).size(), 0u);
  }
}

TEST_F(SearchCjkTest, PagingAcrossBothPaths) {
  auto q = query("docker OR 会议 OR 昨晚");
  q.order = core::search_order::oldest;
  auto all = find(q);
  ASSERT_EQ(all.size(), 4u); // 1 and 2 (昨晚, 会议), 10 and 11 (docker)
  std::vector<std::int64_t> ids;
  q.limit = 2;
  for (q.offset = 0; q.offset < 6; q.offset += 2)
    for (const auto& h : find(q))
      ids.push_back(h["id"].get<std::int64_t>());
  ASSERT_EQ(ids.size(), 4u);
  for (std::size_t i = 0; i < ids.size(); ++i)
    EXPECT_EQ(ids[i], all[i]["id"].get<std::int64_t>());
}

TEST_F(SearchCjkTest, RewrittenAwayMessagesAreNotFound) {
  ASSERT_TRUE(w_->create_session(row("rw", "cli", 300)));
  add("rw", "user", "旧的草稿内容", 301);
  ASSERT_TRUE(w_->rewrite_transcript("rw", {msg("user", "新的摘要内容")},
                                     at_seconds(302)));
  EXPECT_EQ(find("旧的草稿").size(), 0u);
  EXPECT_EQ(find("草稿").size(), 0u);
  EXPECT_EQ(find("新的摘要").size(), 1u);
  expect_trigram_intact();
  ASSERT_TRUE(w_->restore_transcript("rw"));
  EXPECT_EQ(find("旧的草稿").size(), 1u);
  EXPECT_EQ(find("摘要").size(), 0u);
  expect_trigram_intact();
  ASSERT_TRUE(w_->delete_session("rw"));
  EXPECT_EQ(find("草稿").size(), 0u);
  expect_trigram_intact();
}

TEST_F(SearchCjkTest, TrigramHoldsExactlyTheActiveCjkMessages) {
  // 11 messages, 9 with CJK (not the Korean one, not plain docker).
  EXPECT_EQ(trigram_rows(), 9);
  ASSERT_TRUE(w_->clear_messages("zh"));
  EXPECT_EQ(trigram_rows(), 3);
  ASSERT_TRUE(w_->end_session("ja", "done", at_seconds(300)));
  ASSERT_TRUE(w_->prune_sessions(at_seconds(1000), std::nullopt));
  EXPECT_EQ(trigram_rows(), 0);
  expect_trigram_intact();
}

TEST_F(SearchCjkTest, FailedRequestLeavesNoTrigramRow) {
  auto before = trigram_rows();
  ASSERT_TRUE(w_->begin());
  ASSERT_TRUE(w_->savepoint());
  ASSERT_TRUE(
    w_->append_message("zh", msg("user", "回滚的消息"), at_seconds(400)));
  ASSERT_TRUE(w_->rollback_to_savepoint());
  ASSERT_TRUE(w_->savepoint());
  ASSERT_TRUE(
    w_->append_message("zh", msg("user", "保留的消息"), at_seconds(401)));
  ASSERT_TRUE(w_->release_savepoint());
  ASSERT_TRUE(w_->commit());
  EXPECT_EQ(trigram_rows(), before + 1);
  EXPECT_EQ(find("回滚的").size(), 0u);
  EXPECT_EQ(find("保留的").size(), 1u);
}

TEST_F(SearchCjkTest, LatinMessagesNeverTouchTheTrigramTable) {
  auto before = trigram_rows();
  add("ja", "user", "plain latin text, accents café and Привет", 500);
  add("ja", "user", "한국어 메시지", 501);
  EXPECT_EQ(trigram_rows(), before);
}

TEST_F(SearchCjkTest, HostileCjkQueriesNeverError) {
  const std::vector<std::string> hostile{"会議%",
                                         "会議_",
                                         "\"会議",
                                         "会議 NOT",
                                         "NOT 会議",
                                         "会議 OR",
                                         "(((会議",
                                         "会議*",
                                         "*会議",
                                         "会議\\",
                                         "会議\\%",
                                         "'会議'; DROP TABLE messages; --",
                                         "会議:content",
                                         "\"\"会議\"\"",
                                         "会 AND AND OR NOT 議",
                                         "会\xff\xfe議",
                                         "NEAR(会議 東京, 2)",
                                         "会議 \"",
                                         "^会議",
                                         "{会議}",
                                         "会議\x01\x02",
                                         repeat("会", 5000),
                                         repeat("会 ", 3000),
                                         repeat("会 OR ", 1000),
                                         repeat("\"会\" NOT ", 500),
                                         repeat("(会議", 1000),
                                         "会\"\"\"議",
                                         "100%完成%_%",
                                         "😀会議😀",
                                         "\xe4\xbc"};
  for (const auto& text : hostile) {
    for (auto order :
         {core::search_order::relevance, core::search_order::newest}) {
      auto q = query(text);
      q.order = order;
      auto r = w_->search(q);
      ASSERT_TRUE(r.ok()) << text.substr(0, 40);
      EXPECT_TRUE(r->is_array());
    }
  }
  EXPECT_EQ(*w_->message_count(std::nullopt), 11); // nothing was dropped
  expect_trigram_intact();
}

TEST(SearchCjkMigrationTest, MigrationBuildsTheTrigramIndex) {
  temp_dir dir;
  auto path = dir.file("state.db");
  {
    auto w = must_open_writer(path);
    ASSERT_TRUE(w->create_session(row("s", "telegram", 100)));
    ASSERT_TRUE(w->append_message("s", msg("user", "昨晚讨论了记忆系统"),
                                  at_seconds(101)));
    ASSERT_TRUE(w->append_message("s", msg("user", "plain"), at_seconds(102)));
    // Make it the version-7 file it was before this change.
    exec(w->db(), "DROP TABLE messages_trigram;"
                  "UPDATE schema_version SET version = 7");
  }
  auto w = must_open_writer(path);
  EXPECT_EQ(w->db().scalar("SELECT version FROM schema_version")->value_or(0),
            schema_version);
  EXPECT_EQ(
    w->db().scalar("SELECT count(*) FROM messages_trigram")->value_or(0), 1);
  core::search_query q;
  q.text = "记忆";
  EXPECT_EQ(w->search(q)->size(), 1u);
  q.text = "讨论了记忆";
  EXPECT_EQ(w->search(q)->size(), 1u);
}

TEST(SearchCjkMigrationTest, SeedFileMigratesWithItsCjkMessages) {
  temp_dir dir;
  auto path = dir.file("state.db");
  make_seed_db(path, 6);
  {
    auto db = raw_open(path);
    exec(*db, "INSERT INTO messages (session_id, role, content, timestamp) "
              "VALUES ('s1', 'user', '東京で会議があります', 103)");
  }
  auto w = must_open_writer(path);
  core::search_query q;
  q.text = "会議";
  EXPECT_EQ(w->search(q)->size(), 1u);
}

TEST(SearchCjkImportTest, ImportedCjkMessagesAreFound) {
  temp_dir home, out;
  make_seed_db(home.file("state.db"), 6);
  {
    auto db = raw_open(home.file("state.db"));
    exec(*db, "INSERT INTO messages (session_id, role, content, tool_name, "
              "timestamp) VALUES ('s1', 'user', '東京で会議があります', NULL, "
              "103), ('s2', 'tool', 'ok', '网页搜索', 302)");
  }
  auto dest = must_open_writer(out.file("state.db"));
  ASSERT_TRUE(import_hermes_home(home.path(), *dest, core::zone::utc()));
  core::search_query q;
  q.text = "会議";
  EXPECT_EQ(dest->search(q)->size(), 1u);
  q.text = "搜索";
  auto tool = dest->search(q);
  ASSERT_EQ(tool->size(), 1u);
  EXPECT_EQ((*tool)[0]["snippet"], "网页>>>搜索<<<");
}

} // namespace
} // namespace switchboard::persistence::test
