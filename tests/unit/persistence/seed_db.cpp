// Seed-layout databases built by hand for the migration and import tests:
// the CREATE TABLE statements of hermes_state.py's schema versions 1-6.

#include "test_util.hpp"

namespace switchboard::persistence::test {

namespace {

std::string sessions_sql(int version) {
  std::string sql =
    "CREATE TABLE sessions (id TEXT PRIMARY KEY, source TEXT NOT NULL, "
    "user_id TEXT, model TEXT, model_config TEXT, system_prompt TEXT, "
    "parent_session_id TEXT, started_at REAL NOT NULL, ended_at REAL, "
    "end_reason TEXT, message_count INTEGER DEFAULT 0, "
    "tool_call_count INTEGER DEFAULT 0, input_tokens INTEGER DEFAULT 0, "
    "output_tokens INTEGER DEFAULT 0";
  if (version >= 5)
    sql += ", cache_read_tokens INTEGER DEFAULT 0, cache_write_tokens INTEGER "
           "DEFAULT 0, reasoning_tokens INTEGER DEFAULT 0, billing_provider "
           "TEXT, billing_base_url TEXT, billing_mode TEXT, estimated_cost_usd "
           "REAL, actual_cost_usd REAL, cost_status TEXT, cost_source TEXT, "
           "pricing_version TEXT";
  if (version >= 3)
    sql += ", title TEXT";
  return sql + ", FOREIGN KEY (parent_session_id) REFERENCES sessions(id));";
}

std::string messages_sql(int version) {
  std::string sql =
    "CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "session_id TEXT NOT NULL REFERENCES sessions(id), role TEXT NOT NULL, "
    "content TEXT, tool_call_id TEXT, tool_calls TEXT, tool_name TEXT, "
    "timestamp REAL NOT NULL, token_count INTEGER";
  if (version >= 2)
    sql += ", finish_reason TEXT";
  if (version >= 6)
    sql +=
      ", reasoning TEXT, reasoning_details TEXT, codex_reasoning_items TEXT";
  return sql + ");";
}

const char* fts_sql =
  "CREATE VIRTUAL TABLE messages_fts USING fts5(content, content=messages, "
  "content_rowid=id);"
  "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN "
  "INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content); END;"
  "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN "
  "INSERT INTO messages_fts(messages_fts, rowid, content) "
  "VALUES('delete', old.id, old.content); END;"
  "CREATE TRIGGER messages_fts_update AFTER UPDATE ON messages BEGIN "
  "INSERT INTO messages_fts(messages_fts, rowid, content) "
  "VALUES('delete', old.id, old.content); "
  "INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content); END;";

} // namespace

void make_seed_db(const std::string& path, int version) {
  auto db = raw_open(path);
  exec(*db, "PRAGMA journal_mode=WAL");
  exec(*db, "CREATE TABLE schema_version (version INTEGER NOT NULL);");
  exec(*db, sessions_sql(version));
  exec(*db, messages_sql(version));
  exec(*db, "CREATE INDEX idx_sessions_source ON sessions(source);"
            "CREATE INDEX idx_sessions_parent ON sessions(parent_session_id);"
            "CREATE INDEX idx_sessions_started ON sessions(started_at DESC);"
            "CREATE INDEX idx_messages_session ON messages(session_id, "
            "timestamp);");
  if (version >= 4)
    exec(*db, "CREATE UNIQUE INDEX idx_sessions_title_unique ON "
              "sessions(title) WHERE title IS NOT NULL;");
  exec(*db, fts_sql);
  exec(*db,
       "INSERT INTO schema_version VALUES (" + std::to_string(version) + ");");
  exec(*db, "INSERT INTO sessions (id, source, user_id, started_at, ended_at, "
            "end_reason, message_count) VALUES ('s1', 'telegram', 'u1', "
            "100.5, 200, 'compression', 2), ('s2', 'cli', NULL, 300, NULL, "
            "NULL, 1);"
            "UPDATE sessions SET parent_session_id = 's1' WHERE id = 's2';");
  if (version >= 3)
    exec(*db, "UPDATE sessions SET title = 'alpha' WHERE id = 's1';");
  exec(*db,
       "INSERT INTO messages (session_id, role, content, timestamp) VALUES "
       "('s1', 'user', 'hello kangaroo world', 101),"
       "('s1', 'assistant', 'hi there', 102),"
       "('s2', 'user', 'second kangaroo', 301);");
}

} // namespace switchboard::persistence::test
