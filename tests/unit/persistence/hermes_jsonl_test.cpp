// import-hermes and the legacy JSONL transcripts (sessions/<id>.jsonl).

#include "persistence/hermes_import.hpp"

#include "persistence/sessions_json.hpp"
#include "test_util.hpp"

namespace switchboard::persistence::test {
namespace {

constexpr const char* legacy_id = "20250101_120000_deadbeef";

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

core::session_entry entry_for_legacy2() {
  core::session_entry e;
  e.session_key = "agent:main:telegram:dm:99";
  e.session_id = "legacy2";
  e.created_at = at_seconds(5000);
  e.updated_at = at_seconds(6000);
  e.platform = "telegram";
  core::source s;
  s.platform = "telegram";
  s.chat_id = "99";
  s.user_id = "99";
  e.origin = s;
  return e;
}

// A Hermes home with: seed sessions s1, s2 (with rows) and s3 (a row, no
// message rows); s1.jsonl (rows win), s3.jsonl (fills s3), a JSONL-only
// session with a torn last line and lines that are no message, a JSONL-only
// session named by a sessions.json entry, and a file with a bad name.
class HermesJsonlTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::filesystem::create_directories(home_.file("sessions"));
    make_seed_db(home_.file("state.db"), 6);
    {
      auto db = raw_open(home_.file("state.db"));
      exec(*db, "INSERT INTO sessions (id, source, started_at, message_count) "
                "VALUES ('s3', 'discord', 400, 4);");
    }
    write_file(sessions("s1.jsonl"),
               R"({"role": "user", "content": "jsonl platypus for s1"})"
               "\n");
    write_file(
      sessions("s3.jsonl"),
      R"({"role": "user", "content": "wombat question", "timestamp": 401})"
      "\n"
      R"({"role": "assistant", "content": "wombat answer", "timestamp": 402.5})"
      "\n");
    write_file(
      sessions(std::string(legacy_id) + ".jsonl"),
      R"({"role": "session_meta", "tools": []})"
      "\n"
      R"({"role": "user", "content": "echidna hello", "timestamp": "2025-01-01T12:00:05"})"
      "\n\n"
      R"({"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "look", "arguments": "{}"}}]})"
      "\n"
      R"({"role": "tool", "tool_name": "look", "tool_call_id": "c1", "content": "echidna seen"})"
      "\n"
      R"({"role": "user", "content": "torn echid)");
    write_file(sessions("legacy2.jsonl"),
               R"({"role": "user", "content": "numbat", "timestamp": 5001})"
               "\n");
    write_file(sessions("not valid!.jsonl"),
               R"({"role": "user", "content": "never"})"
               "\n");
    auto st = write_sessions_json(home_.file("sessions"), {entry_for_legacy2()},
                                  core::zone::utc());
    ASSERT_TRUE(st.ok()) << st.err().message;
    dest_ = must_open_writer(out_.file("state.db"));
  }

  std::string sessions(const std::string& name) const {
    return home_.file("sessions/" + name);
  }

  std::size_t hits(const std::string& word) {
    core::search_query q;
    q.text = word;
    auto r = dest_->search(q);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->size() : 0;
  }

  /// Every session with its messages, as export writes them.
  nlohmann::json everything() {
    nlohmann::json all = nlohmann::json::array();
    auto st = dest_->export_all(
      std::nullopt, [&](const nlohmann::json& s) { all.push_back(s); });
    EXPECT_TRUE(st.ok());
    return all;
  }

  temp_dir home_, out_;
  std::unique_ptr<sqlite_writer> dest_;
};

TEST_F(HermesJsonlTest, ImportsTranscriptsOfSessionsWithoutRows) {
  auto r = import_hermes_home(home_.path(), *dest_, core::zone::utc());
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->sessions_imported, 3);       // s1, s2, s3 from state.db
  EXPECT_EQ(r->jsonl_sessions_imported, 3); // s3, legacy, legacy2
  EXPECT_EQ(r->jsonl_sessions_created, 2);
  EXPECT_EQ(r->jsonl_messages_imported, 6);
  EXPECT_EQ(r->jsonl_files_skipped, 2); // s1 (rows win), the bad name
  EXPECT_EQ(r->jsonl_lines_skipped, 2); // session_meta, the torn line
  EXPECT_EQ(r->entries_imported, 1);
}

TEST_F(HermesJsonlTest, RowsWin) {
  ASSERT_TRUE(import_hermes_home(home_.path(), *dest_, core::zone::utc()));
  auto t = dest_->transcript("s1", false);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ((*t)[0]["content"], "hello kangaroo world");
  EXPECT_EQ(hits("platypus"), 0u);
}

TEST_F(HermesJsonlTest, FillsAnExistingRowAndCountsAgain) {
  ASSERT_TRUE(import_hermes_home(home_.path(), *dest_, core::zone::utc()));
  auto s3 = **dest_->get_session("s3");
  EXPECT_EQ(s3["source"], "discord");
  EXPECT_EQ(s3["message_count"], 2); // not the stale 4 + 2
  EXPECT_EQ(hits("wombat"), 2u);     // FTS rows written
  auto m = dest_->export_session("s3");
  ASSERT_TRUE(m.ok() && m->has_value());
  EXPECT_DOUBLE_EQ((**m)["messages"][1]["timestamp"].get<double>(), 402.5);
}

TEST_F(HermesJsonlTest, JsonlOnlySessionGetsARow) {
  ASSERT_TRUE(import_hermes_home(home_.path(), *dest_, core::zone::utc()));
  auto s = dest_->get_session(legacy_id);
  ASSERT_TRUE(s.ok() && s->has_value());
  EXPECT_EQ((**s)["source"], "unknown");
  // 2025-01-01 12:00:00 UTC, from the id.
  EXPECT_DOUBLE_EQ((**s)["started_at"].get<double>(), 1735732800.0);
  EXPECT_EQ((**s)["message_count"], 3);
  EXPECT_EQ((**s)["tool_call_count"], 1);
  auto t = dest_->transcript(legacy_id, false);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->size(), 3u);
  EXPECT_EQ((*t)[0]["content"], "echidna hello");
  EXPECT_EQ((*t)[1]["tool_calls"][0]["id"], "c1");
  EXPECT_EQ((*t)[2]["tool_name"], "look");
  EXPECT_EQ(hits("echidna"), 2u); // the torn line is not there
  auto ex = **dest_->export_session(legacy_id);
  // Lines without a timestamp take the previous message's.
  EXPECT_DOUBLE_EQ(ex["messages"][0]["timestamp"].get<double>(), 1735732805.0);
  EXPECT_DOUBLE_EQ(ex["messages"][2]["timestamp"].get<double>(), 1735732805.0);
}

TEST_F(HermesJsonlTest, JsonlOnlySessionTakesItsEntrysOrigin) {
  ASSERT_TRUE(import_hermes_home(home_.path(), *dest_, core::zone::utc()));
  auto s = **dest_->get_session("legacy2");
  EXPECT_EQ(s["source"], "telegram");
  EXPECT_EQ(s["session_key"], "agent:main:telegram:dm:99");
  EXPECT_EQ(s["user_id"], "99");
  EXPECT_EQ(s["chat_id"], "99");
  EXPECT_DOUBLE_EQ(s["started_at"].get<double>(), 5000.0);
  EXPECT_FALSE(dest_->get_session("not valid!")->has_value());
}

TEST_F(HermesJsonlTest, ImportingTwiceGivesTheSameResult) {
  ASSERT_TRUE(import_hermes_home(home_.path(), *dest_, core::zone::utc()));
  auto first = everything();
  auto messages = *dest_->message_count(std::nullopt);
  auto again = import_hermes_home(home_.path(), *dest_, core::zone::utc());
  ASSERT_TRUE(again.ok()) << again.err().message;
  EXPECT_EQ(again->jsonl_sessions_imported, 0);
  EXPECT_EQ(again->jsonl_messages_imported, 0);
  EXPECT_EQ(again->jsonl_files_skipped, 5);
  EXPECT_EQ(everything(), first);
  EXPECT_EQ(*dest_->message_count(std::nullopt), messages);
  EXPECT_EQ(hits("echidna"), 2u);
}

TEST(HermesJsonlEdgeTest, HomeWithOnlyTranscriptsImports) {
  temp_dir home, out;
  std::filesystem::create_directories(home.file("sessions"));
  write_file(home.file("sessions/only.jsonl"),
             "{\"role\": \"user\", \"content\": \"alone\", \"timestamp\": 77}\n"
             "{\"role\"");
  auto dest = must_open_writer(out.file("state.db"));
  auto r = import_hermes_home(home.path(), *dest, core::zone::utc());
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->jsonl_sessions_created, 1);
  EXPECT_EQ(r->jsonl_lines_skipped, 1);
  // No id time, no entry: the first message's time.
  EXPECT_DOUBLE_EQ((**dest->get_session("only"))["started_at"].get<double>(),
                   77.0);
}

} // namespace
} // namespace switchboard::persistence::test
