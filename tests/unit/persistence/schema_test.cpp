#include "persistence/schema.hpp"

#include "test_util.hpp"

#include <map>
#include <utility>

namespace switchboard::persistence::test {
namespace {

using columns = std::vector<std::pair<std::string, std::string>>;

columns table_info(connection& db, const std::string& table) {
  auto s = db.prepare("SELECT name, type FROM pragma_table_info('" + table +
                      "') ORDER BY cid");
  EXPECT_TRUE(s.ok());
  columns out;
  while (*s->step())
    out.emplace_back(s->text(0), s->text(1));
  return out;
}

std::int64_t scalar(connection& db, const std::string& sql) {
  auto v = db.scalar(sql);
  EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.err().message);
  return v.ok() ? v->value_or(-1) : -1;
}

// Every seed column is there with the seed's name, type and position.
void expect_seed_prefix(connection& ours, connection& seed,
                        const std::string& table) {
  auto mine = table_info(ours, table);
  auto theirs = table_info(seed, table);
  ASSERT_GE(mine.size(), theirs.size());
  for (std::size_t i = 0; i < theirs.size(); ++i)
    EXPECT_EQ(mine[i], theirs[i]) << table << " column " << i;
}

TEST(SchemaTest, FreshFileIsSupersetOfSeedV6) {
  temp_dir dir;
  { auto w = must_open_writer(dir.file("state.db")); }
  auto seed = raw_open(dir.file("seed.db"));
  exec(*seed, seed_v6_schema_sql);
  auto ours = raw_open(dir.file("state.db"));
  for (const char* t : {"schema_version", "sessions", "messages"})
    expect_seed_prefix(*ours, *seed, t);
  for (const char* idx :
       {"idx_sessions_source", "idx_sessions_parent", "idx_sessions_started",
        "idx_sessions_title_unique", "messages_fts", "session_entries",
        "idx_entries_activity", "message_index", "message_tail"})
    EXPECT_TRUE(has_object(*ours, idx)) << idx;
  // v10: one index on session_entries.updated_at.
  EXPECT_FALSE(has_object(*ours, "idx_entries_expiry"));
  EXPECT_FALSE(has_object(*ours, "idx_entries_updated"));
  // v9: a session's messages are found through message_index/message_tail.
  EXPECT_FALSE(has_object(*ours, "idx_messages_session"));
  EXPECT_FALSE(has_object(*ours, "messages_fts_insert"));
  EXPECT_EQ(scalar(*ours, "SELECT version FROM schema_version"),
            schema_version);
}

TEST(SchemaTest, AddedColumnsExist) {
  temp_dir dir;
  { auto w = must_open_writer(dir.file("state.db")); }
  auto db = raw_open(dir.file("state.db"));
  std::map<std::string, std::string> s, m;
  for (auto& [n, t] : table_info(*db, "sessions"))
    s[n] = t;
  for (auto& [n, t] : table_info(*db, "messages"))
    m[n] = t;
  for (const char* c : {"session_key", "chat_id", "chat_type", "thread_id"})
    EXPECT_EQ(s[c], "TEXT") << c;
  EXPECT_EQ(m["active"], "INTEGER");
  EXPECT_EQ(scalar(*db, "SELECT \"notnull\" FROM pragma_table_info('messages') "
                        "WHERE name = 'active'"),
            1);
}

TEST(SchemaTest, WriterUsesWalAndForeignKeys) {
  temp_dir dir;
  auto w = must_open_writer(dir.file("state.db"));
  auto mode = w->db().prepare("PRAGMA journal_mode");
  ASSERT_TRUE(*mode->step());
  EXPECT_EQ(mode->text(0), "wal");
  EXPECT_EQ(scalar(w->db(), "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(scalar(w->db(), "PRAGMA synchronous"), 1); // NORMAL
  auto full = open_writer(dir.file("full.db"), core::durability::full);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(scalar((*full)->db(), "PRAGMA synchronous"), 2); // FULL
}

class MigrationTest : public ::testing::TestWithParam<int> {};

TEST_P(MigrationTest, SeedVersionMigratesInPlace) {
  temp_dir dir;
  auto path = dir.file("state.db");
  make_seed_db(path, GetParam());
  auto w = must_open_writer(path);
  ASSERT_TRUE(w);
  auto seed = raw_open(dir.file("seed.db"));
  exec(*seed, seed_v6_schema_sql);
  for (const char* t : {"sessions", "messages"}) {
    std::map<std::string, std::string> mine;
    for (auto& [n, ty] : table_info(w->db(), t))
      mine[n] = ty;
    for (auto& [n, ty] : table_info(*seed, t))
      EXPECT_EQ(mine[n], ty) << t << "." << n;
  }
  EXPECT_EQ(scalar(w->db(), "SELECT version FROM schema_version"),
            schema_version);
  EXPECT_FALSE(has_object(w->db(), "messages_fts_insert"));
  EXPECT_FALSE(has_object(w->db(), "messages_fts_update"));
  EXPECT_FALSE(has_object(w->db(), "messages_fts_delete"));
  EXPECT_TRUE(has_object(w->db(), "idx_sessions_title_unique"));
  // Old rows survive, are active and still searchable.
  EXPECT_EQ(*w->message_count("s1"), 2);
  core::search_query q;
  q.text = "kangaroo";
  EXPECT_EQ(w->search(q)->size(), 2u);
  // And new writes work on the migrated file.
  ASSERT_TRUE(w->append_message("s2", msg("user", "wombat"), at_seconds(400)));
  q.text = "wombat";
  EXPECT_EQ(w->search(q)->size(), 1u);
  exec(w->db(),
       "INSERT INTO messages_fts(messages_fts) VALUES('integrity-check')");
}

INSTANTIATE_TEST_SUITE_P(SeedVersions, MigrationTest,
                         ::testing::Values(1, 2, 3, 4, 5, 6));

/// A file with one entry ("k" -> "s"), then `back_sql` run on it (to make
/// it what an older version wrote).
void write_older_file(const std::string& path, const std::string& back_sql) {
  auto w = must_open_writer(path);
  ASSERT_TRUE(w);
  core::session_entry e;
  e.session_key = "k";
  e.session_id = "s";
  ASSERT_TRUE(w->upsert_entry(e));
  exec(w->db(), back_sql);
}

TEST(SchemaTest, Version7FileGainsTheVersion8Additions) {
  temp_dir dir;
  auto path = dir.file("state.db");
  write_older_file(
    path, "DROP INDEX idx_entries_deferred; DROP TABLE usage_daily;"
          "ALTER TABLE session_entries DROP COLUMN "
          "daily_reset_deferred; UPDATE schema_version SET version = 7");
  auto w = must_open_writer(path);
  ASSERT_TRUE(w);
  EXPECT_EQ(scalar(w->db(), "SELECT version FROM schema_version"),
            schema_version);
  EXPECT_TRUE(has_object(w->db(), "usage_daily"));
  EXPECT_TRUE(has_object(w->db(), "idx_entries_deferred"));
  auto e = w->get_entry("k");
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_FALSE((*e)->daily_reset_deferred);
}

TEST(SchemaTest, Version9FileKeepsOneIndexOnUpdatedAt) {
  temp_dir dir;
  auto path = dir.file("state.db");
  // What switchboard v9 wrote, with a finalized flag other than 1 (v9 never
  // wrote one; a hand-edited file might).
  write_older_file(path,
                   "DROP INDEX idx_entries_activity;"
                   "CREATE INDEX idx_entries_expiry ON "
                   "session_entries(updated_at) WHERE expiry_finalized = 0;"
                   "CREATE INDEX idx_entries_updated ON "
                   "session_entries(updated_at);"
                   "UPDATE session_entries SET expiry_finalized = 7;"
                   "UPDATE schema_version SET version = 9");
  auto w = must_open_writer(path);
  ASSERT_TRUE(w);
  EXPECT_EQ(scalar(w->db(), "SELECT version FROM schema_version"),
            schema_version);
  EXPECT_TRUE(has_object(w->db(), "idx_entries_activity"));
  EXPECT_FALSE(has_object(w->db(), "idx_entries_expiry"));
  EXPECT_FALSE(has_object(w->db(), "idx_entries_updated"));
  // The lists read the ranges 0 and 1 of the index: the entry stays listed.
  EXPECT_EQ(scalar(w->db(), "SELECT expiry_finalized FROM session_entries"), 1);
  core::entry_list_query q;
  auto listed = w->list_entries(q);
  ASSERT_TRUE(listed.ok()) << listed.err().message;
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_TRUE((*listed)[0].expiry_finalized);
}

TEST(SchemaTest, NewerVersionIsRefusedUntouched) {
  temp_dir dir;
  auto path = dir.file("state.db");
  make_seed_db(path, 6);
  {
    auto db = raw_open(path);
    exec(*db, "UPDATE schema_version SET version = 99");
    exec(*db, "PRAGMA wal_checkpoint(TRUNCATE)");
  }
  auto before = read_bytes(path);
  auto w = open_writer(path);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.err().message.find("newer"), std::string::npos)
    << w.err().message;
  EXPECT_EQ(read_bytes(path), before);
}

TEST(SchemaTest, ForeignDatabaseIsRefusedUntouched) {
  temp_dir dir;
  auto path = dir.file("other.db");
  {
    auto db = raw_open(path);
    exec(*db, "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT);"
              "INSERT INTO accounts VALUES (1, 'x');");
  }
  auto before = read_bytes(path);
  auto w = open_writer(path);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.err().code, core::errc::bad_request);
  EXPECT_NE(w.err().message.find("sessions"), std::string::npos);
  EXPECT_EQ(read_bytes(path), before);
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
}

TEST(SchemaTest, NonDatabaseFileIsRefusedUntouched) {
  temp_dir dir;
  auto path = dir.file("notes.txt");
  { std::ofstream(path) << "this is not an sqlite database, just some text\n"; }
  auto before = read_bytes(path);
  EXPECT_FALSE(open_writer(path).ok());
  EXPECT_EQ(read_bytes(path), before);
}

TEST(SchemaTest, ReaderRefusesUninitializedFile) {
  temp_dir dir;
  EXPECT_FALSE(open_reader(dir.file("missing.db")).ok());
  make_seed_db(dir.file("seed.db"), 6);
  EXPECT_FALSE(open_reader(dir.file("seed.db")).ok());
}

TEST(SchemaTest, ReopeningCurrentVersionKeepsData) {
  temp_dir dir;
  auto path = dir.file("state.db");
  {
    auto w = must_open_writer(path);
    ASSERT_TRUE(w->create_session(row("a")));
  }
  auto w = must_open_writer(path);
  EXPECT_EQ(*w->session_count(std::nullopt), 1);
}

} // namespace
} // namespace switchboard::persistence::test
