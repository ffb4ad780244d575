#include "persistence/sqlite_store.hpp"

#include "test_util.hpp"

namespace switchboard::persistence::test {
namespace {

class SearchTest : public ::testing::Test {
protected:
  void SetUp() override {
    w_ = must_open_writer(dir_.file("state.db"));
    ASSERT_TRUE(w_->create_session(row("tg", "telegram", 100)));
    ASSERT_TRUE(w_->create_session(row("dc", "discord", 200)));
    add("tg", "user", "before the match", 101);
    add("tg", "assistant", "deploy the docker container now", 102);
    add("tg", "user", "after the match", 103);
    add("dc", "user", "docker again with chat-send here", 201);
    add("dc", "tool", "docker output", 202);
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
  core::search_query query(std::string text) {
    core::search_query q;
    q.text = std::move(text);
    return q;
  }
  temp_dir dir_;
  std::unique_ptr<sqlite_writer> w_;
};

TEST_F(SearchTest, ResultShapeSnippetAndContext) {
  auto hits = find(query("container"));
  ASSERT_EQ(hits.size(), 1u);
  const auto& h = hits[0];
  EXPECT_EQ(h["session_id"], "tg");
  EXPECT_EQ(h["role"], "assistant");
  EXPECT_EQ(h["source"], "telegram");
  EXPECT_DOUBLE_EQ(h["session_started"].get<double>(), 100);
  EXPECT_NE(h["snippet"].get<std::string>().find(">>>container<<<"),
            std::string::npos);
  EXPECT_FALSE(h.contains("content"));
  ASSERT_EQ(h["context"].size(), 3u);
  EXPECT_EQ(h["context"][0]["content"], "before the match");
  EXPECT_EQ(h["context"][2]["content"], "after the match");
}

TEST_F(SearchTest, ContextSkipsInactiveRowsAndTruncates) {
  ASSERT_TRUE(w_->create_session(row("x", "cli", 300)));
  add("x", "user", std::string(300, 'a'), 301);
  add("x", "user", "gone", 302);
  ASSERT_TRUE(w_->rewrite_transcript(
    "x", {msg("user", std::string(300, 'b')), msg("user", "koala here")},
    at_seconds(303)));
  auto hits = find(query("koala"));
  ASSERT_EQ(hits.size(), 1u);
  ASSERT_EQ(hits[0]["context"].size(), 2u);
  EXPECT_EQ(hits[0]["context"][0]["content"], std::string(200, 'b'));
  EXPECT_EQ(find(query("gone")).size(), 0u);
}

TEST_F(SearchTest, FiltersAndPaging) {
  auto q = query("docker");
  EXPECT_EQ(find(q).size(), 3u);
  q.sources = {"discord"};
  EXPECT_EQ(find(q).size(), 2u);
  q.sources.clear();
  q.exclude_sources = {"discord"};
  EXPECT_EQ(find(q).size(), 1u);
  q.exclude_sources.clear();
  q.roles = {"tool", "assistant"};
  EXPECT_EQ(find(q).size(), 2u);
  q.roles.clear();
  q.order = core::search_order::newest;
  EXPECT_EQ(find(q)[0]["role"], "tool");
  q.order = core::search_order::oldest;
  EXPECT_EQ(find(q)[0]["session_id"], "tg");
  q.limit = 1;
  q.offset = 1;
  auto page = find(q);
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0]["session_id"], "dc");
}

TEST_F(SearchTest, HostileQueriesNeverError) {
  const std::vector<std::string> hostile{"\"unbalanced",
                                         "NEAR(docker",
                                         "content:docker",
                                         "col:term",
                                         "docker'; DROP TABLE messages; --",
                                         "%",
                                         "_",
                                         "*",
                                         "AND",
                                         "OR NOT",
                                         "((()))",
                                         "\"\"",
                                         "docker AND",
                                         "^docker",
                                         "{docker}",
                                         "a:b:c",
                                         "NEAR(a b, 2)",
                                         "\x01\x02",
                                         "docker \xff\xfe",
                                         "-docker",
                                         "+",
                                         std::string(5000, 'x'),
                                         std::string(5000, '"'),
                                         std::string(5000, '(')};
  for (const auto& text : hostile) {
    auto r = w_->search(query(text));
    ASSERT_TRUE(r.ok()) << text.substr(0, 40);
    EXPECT_TRUE(r->is_array());
  }
  EXPECT_EQ(*w_->message_count(std::nullopt), 5); // nothing was dropped
}

TEST_F(SearchTest, EmptyQueryFindsNothing) {
  EXPECT_EQ(find(query("")).size(), 0u);
  EXPECT_EQ(find(query("   ")).size(), 0u);
}

} // namespace
} // namespace switchboard::persistence::test
