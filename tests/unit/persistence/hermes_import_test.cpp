#include "persistence/hermes_import.hpp"

#include "persistence/sessions_json.hpp"
#include "test_util.hpp"

namespace switchboard::persistence::test {
namespace {

core::session_entry entry(std::string key, std::string id) {
  core::session_entry e;
  e.session_key = std::move(key);
  e.session_id = std::move(id);
  e.created_at = at_seconds(1000);
  e.updated_at = at_seconds(2000);
  e.platform = "telegram";
  e.input_tokens = 3;
  e.total_tokens = 3;
  return e;
}

class HermesImportTest : public ::testing::TestWithParam<int> {
protected:
  void SetUp() override {
    std::filesystem::create_directories(home_.file("sessions"));
    make_seed_db(home_.file("state.db"), GetParam());
    auto st = write_sessions_json(home_.file("sessions"),
                                  {entry("agent:main:telegram:dm:1", "s1"),
                                   entry("agent:main:cli:dm", "s2")},
                                  core::zone::utc());
    ASSERT_TRUE(st.ok()) << st.err().message;
    dest_ = must_open_writer(out_.file("state.db"));
  }
  temp_dir home_, out_;
  std::unique_ptr<sqlite_writer> dest_;
};

TEST_P(HermesImportTest, ImportsSessionsMessagesTitlesParentsAndEntries) {
  auto before = read_bytes(home_.file("state.db"));
  std::int64_t reports = 0;
  auto r = import_hermes_home(home_.path(), *dest_, core::zone::utc(),
                              [&](const import_progress&) { ++reports; });
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->sessions_imported, 2);
  EXPECT_EQ(r->messages_imported, 3);
  EXPECT_EQ(r->parents_linked, 1);
  EXPECT_EQ(r->entries_imported, 2);
  EXPECT_EQ(reports, 4);
  EXPECT_EQ(read_bytes(home_.file("state.db")), before); // source untouched
  auto s1 = **dest_->get_session("s1");
  EXPECT_DOUBLE_EQ(s1["started_at"].get<double>(), 100.5);
  EXPECT_EQ(s1["end_reason"], "compression");
  EXPECT_EQ(s1["user_id"], "u1");
  if (GetParam() >= 3) {
    EXPECT_EQ(s1["title"], "alpha");
  }
  EXPECT_EQ((**dest_->get_session("s2"))["parent_session_id"], "s1");
  auto t = dest_->transcript("s2", true);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->size(), 3u);
  EXPECT_EQ((*t)[0]["content"], "hello kangaroo world");
  EXPECT_EQ((*t)[1]["content"], "hi there");
  core::search_query q;
  q.text = "kangaroo";
  EXPECT_EQ(dest_->search(q)->size(), 2u);
  auto e = dest_->get_entry("agent:main:telegram:dm:1");
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_EQ((*e)->session_id, "s1");
  EXPECT_EQ((*e)->updated_at, at_seconds(2000));
}

TEST_P(HermesImportTest, ImportingTwiceChangesNothing) {
  ASSERT_TRUE(import_hermes_home(home_.path(), *dest_, core::zone::utc()));
  auto again = import_hermes_home(home_.path(), *dest_, core::zone::utc());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->sessions_imported, 0);
  EXPECT_EQ(again->sessions_skipped, 2);
  EXPECT_EQ(again->messages_imported, 0);
  EXPECT_EQ(again->entries_imported, 0);
  EXPECT_EQ(again->entries_skipped, 2);
  EXPECT_EQ(*dest_->message_count(std::nullopt), 3);
  EXPECT_EQ(*dest_->session_count(std::nullopt), 2);
}

INSTANTIATE_TEST_SUITE_P(SeedVersions, HermesImportTest,
                         ::testing::Values(1, 6));

TEST(HermesImportEdgeTest, TakenTitleIsDroppedAndMissingHomeIsNotFound) {
  temp_dir home, out;
  make_seed_db(home.file("state.db"), 6);
  auto dest = must_open_writer(out.file("state.db"));
  auto mine = row("mine");
  mine.title = "alpha";
  ASSERT_TRUE(dest->create_session(mine));
  auto r = import_hermes_home(home.path(), *dest, core::zone::utc());
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->titles_dropped, 1);
  EXPECT_TRUE((**dest->get_session("s1"))["title"].is_null());
  temp_dir empty;
  EXPECT_EQ(
    import_hermes_home(empty.path(), *dest, core::zone::utc()).err().code,
    core::errc::not_found);
}

// Only the required columns: every optional one (parent_session_id, title,
// counters, content, even messages.id) is absent and must not be selected.
TEST(HermesImportEdgeTest, MinimalOldLayoutImports) {
  temp_dir home, out;
  {
    auto db = raw_open(home.file("state.db"));
    exec(*db, "CREATE TABLE sessions (id TEXT PRIMARY KEY, source TEXT NOT "
              "NULL, started_at REAL NOT NULL);"
              "CREATE TABLE messages (session_id TEXT NOT NULL, role TEXT NOT "
              "NULL, timestamp REAL NOT NULL);"
              "INSERT INTO sessions VALUES ('old', 'cli', 10);"
              "INSERT INTO messages VALUES ('old', 'user', 11), "
              "('old', 'assistant', 12);");
  }
  auto dest = must_open_writer(out.file("state.db"));
  auto r = import_hermes_home(home.path(), *dest, core::zone::utc());
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->sessions_imported, 1);
  EXPECT_EQ(r->messages_imported, 2);
  EXPECT_EQ(r->parents_linked, 0);
  auto s = dest->get_session("old");
  ASSERT_TRUE(s.ok() && s->has_value());
  EXPECT_EQ((**s)["source"], "cli");
  EXPECT_TRUE((**s)["parent_session_id"].is_null());
  auto t = dest->transcript("old", false);
  ASSERT_TRUE(t.ok()) << t.err().message;
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ((*t)[1]["role"], "assistant");
}

TEST(HermesImportEdgeTest, MissingRequiredColumnIsBadRequest) {
  temp_dir home, out;
  {
    auto db = raw_open(home.file("state.db"));
    exec(*db, "CREATE TABLE sessions (id TEXT PRIMARY KEY, source TEXT);"
              "CREATE TABLE messages (session_id TEXT, role TEXT, "
              "timestamp REAL);");
  }
  auto dest = must_open_writer(out.file("state.db"));
  auto r = import_hermes_home(home.path(), *dest, core::zone::utc());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().code, core::errc::bad_request);
  EXPECT_NE(r.err().message.find("started_at"), std::string::npos);
}

TEST(SessionsJsonTest, WritesTheSeedFormatAtomically) {
  temp_dir dir;
  { std::ofstream(dir.file(".sessions_stale1.tmp")) << "junk"; }
  clean_stale_temp_files(dir.path());
  EXPECT_FALSE(std::filesystem::exists(dir.file(".sessions_stale1.tmp")));
  auto e = entry("k1", "20260101_000000_aabbccdd");
  ASSERT_TRUE(write_sessions_json(dir.path(), {e}, core::zone::utc()));
  auto doc = nlohmann::json::parse(read_bytes(dir.file("sessions.json")));
  EXPECT_EQ(doc["k1"], core::to_hermes_json(e, core::zone::utc()));
  auto back = core::from_hermes_json(doc["k1"], core::zone::utc());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->session_id, e.session_id);
  std::size_t files = 0;
  for ([[maybe_unused]] auto& f :
       std::filesystem::directory_iterator(dir.path()))
    ++files;
  EXPECT_EQ(files, 1u); // no temp file left
  EXPECT_FALSE(
    write_sessions_json(dir.file("missing"), {e}, core::zone::utc()).ok());
}

} // namespace
} // namespace switchboard::persistence::test
