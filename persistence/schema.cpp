#include "persistence/schema.hpp"

// switchboard's SQLite schema, version 9 = the seed's v6 (hermes_state.py)
// plus switchboard's additions.
//
//   schema_version(version)                    one row: 9
//   sessions(<seed v6 columns, same order and types>,
//            session_key, chat_id, chat_type, thread_id)        [added]
//   messages(<seed v6 columns>, active, replaced_by,
//            platform_message_id)                               [added]
//   messages_fts  FTS5(content, content=messages, content_rowid=id)
//   messages_trigram  FTS5(content, tool_name, tokenize='trigram')  [added, v8]
//   session_entries(...)   the routing index, one row per session key [added]
//   transcript_rewrites(id, session_id, at, restored, first_id, last_id)
//                                                                    [added]
//   derived_state(id = 1, watermark)   the write-behind watermark W  [added]
//   request_ids(request_id, at, reply)  idempotency keys (SPEC 12)   [added]
//   usage_daily(day, platform, model, <4 token sums>, estimated_cost_usd,
//               updates)  daily usage rollups (SPEC 14)           [added, v8]
//   message_index(session_id, at_us, id),
//   message_tail(session_id, at_us, id)
//               the messages of each session                    [added, v9]
//
// Invariants:
//  - The messages of a session are found through message_index and
//    message_tail (v9), not through the seed's idx_messages_session, which
//    v9 drops. Every row of `messages` has exactly one (session_id, id) entry
//    in exactly one of the two, with the message's timestamp (at_us, INTEGER
//    microseconds: a REAL key column is stored as an integer when it has no
//    fraction, which the session extension's changesets then see as another
//    key; cluster/changeset.hpp): in
//    message_tail exactly when its derived state is not folded in yet (the
//    fold moves a session's tail entries and counts them together); both are
//    WITHOUT ROWID tables keyed by (session_id, at_us, id), the order of
//    the seed's idx_messages_session (a session's messages in time order). The
//    writer adds each new message's entry to the small message_tail in the
//    message's transaction; the derived-state fold moves the tail into the
//    large message_index in sorted passes, a range of sessions at a time. Why:
//    an index entry per message on a large index lands on a random leaf page,
//    which each small COMMIT writes out whole
//    (tests/bench/index_bench.cpp: 2.2x the raw insert rate at 100k sessions).
//    A read of one session looks in both tables (SB_SESSION_MESSAGE_IDS,
//    store_util.hpp). The seed's own readers still work on a v9 file, but scan
//    `messages` for a session.
//  - Every seed column exists with the seed's name and type, so the seed's
//    own read queries run unchanged on a switchboard file.
//  - messages_fts holds exactly the rows of `messages` with active = 1, with
//    the content they were inserted with. There are NO triggers: the writer
//    inserts the FTS row in the same transaction as the message (triggers are
//    3-4x slower) and removes it with the FTS5 'delete' command when the row
//    is deleted or deactivated. Migrating a seed file drops its triggers.
//  - messages_trigram holds exactly the rows of `messages` with active = 1
//    whose content or tool_name holds a CJK character (core::contains_cjk),
//    rowid = messages.id, with the content and tool_name they were inserted
//    with. It keeps its own copy of the text (not external content): a row
//    leaves with a plain DELETE by rowid, which is a no-op for a rowid that
//    was never added, so nothing has to remember which messages are in it
//    (an external-content 'delete' of an absent row corrupts the index).
//    The writer fills it like messages_fts (same transaction, queued to
//    commit); a message without CJK never touches it. Migrating a file
//    without it builds it from the active messages.
//  - A transcript rewrite never deletes: the replaced rows get active = 0 and
//    replaced_by = the transcript_rewrites id, and can be restored.
//  - Derived state is written behind (persistence/derived_state.cpp):
//    sessions.message_count and tool_call_count count the session's active
//    messages in message_index (folded), and session_entries.updated_at
//    includes every folded inbound user message. The messages in
//    message_tail are folded in by the next sweep (a session at a time,
//    usually within a second or two under load, at once when idle) or,
//    after a crash, when the writer opens the file. Readers that report
//    these fields add the tail's part themselves, so they are exact in
//    every snapshot. derived_state.watermark W: every message with id <= W
//    is folded (a lower bound; v8 files were folded exactly up to it).
//  - transcript_rewrites.first_id..last_id are the message ids a rewrite
//    inserted: those rows are not activity (they never move updated_at).
//  - session_entries times (created_at, updated_at, busy_until) are INTEGER
//    microseconds since the epoch (exact round trip of core::time_point); the
//    seed's tables keep REAL epoch seconds. origin is core::encode_source JSON.
//  - session_entries.expiry_finalized is 0 or 1. idx_entries_activity
//    (expiry_finalized, updated_at) is the one index on updated_at (v10;
//    before, idx_entries_updated and the partial idx_entries_expiry): the
//    expiry scan reads the unfinalized range, so its cost grows with the
//    entries due, not with the finalized ones; a list by updated_at merges
//    the two ranges (sqlite_entries.cpp). Why one: the fold moves the
//    updated_at of every entry with new activity, and each index on it is
//    a random delete and an insert per entry (with two, the writer alone
//    at 100k keys was 8-19% slower, same run).
//  - request_ids holds each request_id once with the reply JSON of its first
//    request, written in the same transaction as that request's writes;
//    `at` is INTEGER microseconds, indexed so expired ids go in cheap chunks.
//  - idx_messages_platform_id (partial: platform_message_id IS NOT NULL)
//    finds a redelivered platform message in a session without costing the
//    messages that have none.
//  - session_entries.daily_reset_deferred (v8) = 1 while the entry owes a
//    deferred daily reset (SPEC 4.6); idx_entries_deferred (partial, owed and
//    not finalized) lets the sweep find them after their quiet gap at a cost
//    that grows with the deferred entries only.
//  - usage_daily holds one row per (day, platform, model): day is YYYY-MM-DD
//    in the reset time zone, platform the session's source, model the
//    update's model, else the session's, else 'unknown'. Every usage update
//    adds to it in the transaction that adds to the session (never
//    backfilled on migration; import-hermes adds imported sessions' totals).
//    Nothing deletes from it: deleting or pruning a session keeps its usage.
//
// Versions: seed v1 (no finish_reason/title/billing/reasoning columns) to v6,
// and switchboard's v7 to v9, migrate in place; a version above ours or a
// non-empty file without the seed's tables is refused before anything is
// written.

#include "persistence/store_util.hpp"

#include <string>
#include <vector>

namespace switchboard::persistence {

namespace {

// The seed's SCHEMA_SQL and FTS_SQL, verbatim.
constexpr const char* seed_sql = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    user_id TEXT,
    model TEXT,
    model_config TEXT,
    system_prompt TEXT,
    parent_session_id TEXT,
    started_at REAL NOT NULL,
    ended_at REAL,
    end_reason TEXT,
    message_count INTEGER DEFAULT 0,
    tool_call_count INTEGER DEFAULT 0,
    input_tokens INTEGER DEFAULT 0,
    output_tokens INTEGER DEFAULT 0,
    cache_read_tokens INTEGER DEFAULT 0,
    cache_write_tokens INTEGER DEFAULT 0,
    reasoning_tokens INTEGER DEFAULT 0,
    billing_provider TEXT,
    billing_base_url TEXT,
    billing_mode TEXT,
    estimated_cost_usd REAL,
    actual_cost_usd REAL,
    cost_status TEXT,
    cost_source TEXT,
    pricing_version TEXT,
    title TEXT,
    FOREIGN KEY (parent_session_id) REFERENCES sessions(id)
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    role TEXT NOT NULL,
    content TEXT,
    tool_call_id TEXT,
    tool_calls TEXT,
    tool_name TEXT,
    timestamp REAL NOT NULL,
    token_count INTEGER,
    finish_reason TEXT,
    reasoning TEXT,
    reasoning_details TEXT,
    codex_reasoning_items TEXT
);
CREATE INDEX IF NOT EXISTS idx_sessions_source ON sessions(source);
CREATE INDEX IF NOT EXISTS idx_sessions_parent ON sessions(parent_session_id);
CREATE INDEX IF NOT EXISTS idx_sessions_started ON sessions(started_at DESC);
CREATE INDEX IF NOT EXISTS idx_messages_session ON messages(session_id, timestamp);
CREATE UNIQUE INDEX IF NOT EXISTS idx_sessions_title_unique
    ON sessions(title) WHERE title IS NOT NULL;
CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5(
    content,
    content=messages,
    content_rowid=id
);
CREATE TRIGGER IF NOT EXISTS messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER IF NOT EXISTS messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES('delete', old.id, old.content);
END;
CREATE TRIGGER IF NOT EXISTS messages_fts_update AFTER UPDATE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES('delete', old.id, old.content);
    INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END;
)sql";

struct column {
  const char* table;
  const char* name;
  const char* decl;
};

// Columns added after the first layout: the seed's migrations v2-v6, then
// switchboard's. A migration adds each one that is missing.
const std::vector<column>& added_columns() {
  static const std::vector<column> cols{
    {"messages", "finish_reason", "TEXT"},
    {"sessions", "title", "TEXT"},
    {"sessions", "cache_read_tokens", "INTEGER DEFAULT 0"},
    {"sessions", "cache_write_tokens", "INTEGER DEFAULT 0"},
    {"sessions", "reasoning_tokens", "INTEGER DEFAULT 0"},
    {"sessions", "billing_provider", "TEXT"},
    {"sessions", "billing_base_url", "TEXT"},
    {"sessions", "billing_mode", "TEXT"},
    {"sessions", "estimated_cost_usd", "REAL"},
    {"sessions", "actual_cost_usd", "REAL"},
    {"sessions", "cost_status", "TEXT"},
    {"sessions", "cost_source", "TEXT"},
    {"sessions", "pricing_version", "TEXT"},
    {"messages", "reasoning", "TEXT"},
    {"messages", "reasoning_details", "TEXT"},
    {"messages", "codex_reasoning_items", "TEXT"},
    // switchboard v7
    {"sessions", "session_key", "TEXT"},
    {"sessions", "chat_id", "TEXT"},
    {"sessions", "chat_type", "TEXT"},
    {"sessions", "thread_id", "TEXT"},
    {"messages", "active", "INTEGER NOT NULL DEFAULT 1"},
    {"messages", "replaced_by", "INTEGER"},
    // switchboard v8
    {"messages", "platform_message_id", "TEXT"},
  };
  return cols;
}

// Columns of switchboard's own tables added after they first shipped (the
// tables themselves are created by switchboard_sql below).
const std::vector<column>& late_columns() {
  static const std::vector<column> cols{
    {"transcript_rewrites", "first_id", "INTEGER"},
    {"transcript_rewrites", "last_id", "INTEGER"},
  };
  return cols;
}

// switchboard's own tables and indexes (idempotent).
constexpr const char* switchboard_sql = R"sql(
CREATE TABLE IF NOT EXISTS session_entries (
    session_key TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    origin TEXT,
    display_name TEXT,
    platform TEXT NOT NULL DEFAULT '',
    chat_type TEXT NOT NULL DEFAULT 'dm',
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens INTEGER NOT NULL DEFAULT 0,
    cache_write_tokens INTEGER NOT NULL DEFAULT 0,
    total_tokens INTEGER NOT NULL DEFAULT 0,
    estimated_cost_usd REAL NOT NULL DEFAULT 0,
    cost_status TEXT NOT NULL DEFAULT 'unknown',
    last_prompt_tokens INTEGER NOT NULL DEFAULT 0,
    was_auto_reset INTEGER NOT NULL DEFAULT 0,
    auto_reset_reason TEXT,
    reset_had_activity INTEGER NOT NULL DEFAULT 0,
    expiry_finalized INTEGER NOT NULL DEFAULT 0,
    busy_until INTEGER,
    daily_reset_deferred INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
DROP INDEX IF EXISTS idx_entries_expiry;
DROP INDEX IF EXISTS idx_entries_updated;
UPDATE session_entries SET expiry_finalized = 1
    WHERE expiry_finalized NOT IN (0, 1);
CREATE INDEX IF NOT EXISTS idx_entries_activity
    ON session_entries(expiry_finalized, updated_at);
CREATE INDEX IF NOT EXISTS idx_entries_session ON session_entries(session_id);
CREATE TABLE IF NOT EXISTS transcript_rewrites (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    at REAL NOT NULL,
    restored INTEGER NOT NULL DEFAULT 0,
    first_id INTEGER,
    last_id INTEGER
);
CREATE INDEX IF NOT EXISTS idx_rewrites_session
    ON transcript_rewrites(session_id, id);
CREATE TABLE IF NOT EXISTS derived_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    watermark INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS request_ids (
    request_id TEXT PRIMARY KEY,
    at INTEGER NOT NULL,
    reply TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idx_request_ids_at ON request_ids(at);
CREATE INDEX IF NOT EXISTS idx_messages_platform_id
    ON messages(session_id, platform_message_id)
    WHERE platform_message_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS message_index (
    session_id TEXT NOT NULL,
    at_us INTEGER NOT NULL,
    id INTEGER NOT NULL,
    PRIMARY KEY (session_id, at_us, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS message_tail (
    session_id TEXT NOT NULL,
    at_us INTEGER NOT NULL,
    id INTEGER NOT NULL,
    PRIMARY KEY (session_id, at_us, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS usage_daily (
    day TEXT NOT NULL,
    platform TEXT NOT NULL,
    model TEXT NOT NULL,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens INTEGER NOT NULL DEFAULT 0,
    cache_write_tokens INTEGER NOT NULL DEFAULT 0,
    estimated_cost_usd REAL NOT NULL DEFAULT 0,
    updates INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, platform, model)
) WITHOUT ROWID;
DROP TRIGGER IF EXISTS messages_fts_insert;
DROP TRIGGER IF EXISTS messages_fts_delete;
DROP TRIGGER IF EXISTS messages_fts_update;
)sql";

// Columns added to switchboard's own tables after v7 (added after
// switchboard_sql, which creates the tables with them on a fresh file).
const std::vector<column>& added_switchboard_columns() {
  static const std::vector<column> cols{
    {"session_entries", "daily_reset_deferred", "INTEGER NOT NULL DEFAULT 0"},
  };
  return cols;
}

// Indexes on the columns above (after they exist).
constexpr const char* switchboard_index_sql = R"sql(
CREATE INDEX IF NOT EXISTS idx_entries_deferred ON session_entries(updated_at)
    WHERE daily_reset_deferred = 1 AND expiry_finalized = 0;
)sql";

core::result<bool> has_object(connection& db, std::string_view type,
                              std::string_view name) {
  auto s = db.cached("SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?");
  if (!s)
    return std::move(s).err();
  query q{**s};
  q->bind(1, type).bind(2, name);
  return q->step();
}

core::result<bool> has_column(connection& db, const column& c) {
  auto s = db.cached("SELECT 1 FROM pragma_table_info(?) WHERE name = ?");
  if (!s)
    return std::move(s).err();
  query q{**s};
  q->bind(1, c.table).bind(2, c.name);
  return q->step();
}

core::status add_missing_columns(connection& db,
                                 const std::vector<column>& cols) {
  for (const auto& c : cols) {
    auto has = has_column(db, c);
    if (!has)
      return std::move(has).err();
    if (*has)
      continue;
    std::string sql = std::string{"ALTER TABLE "} + c.table + " ADD COLUMN \"" +
                      c.name + "\" " + c.decl;
    if (auto st = db.exec(sql); !st)
      return st;
  }
  return {};
}

core::status ensure_fts(connection& db) {
  auto has = has_object(db, "table", "messages_fts");
  if (!has)
    return std::move(has).err();
  if (*has)
    return {};
  // A file without FTS (never created by the seed): build it from the rows.
  if (auto st = db.exec("CREATE VIRTUAL TABLE messages_fts USING fts5("
                        "content, content=messages, content_rowid=id)");
      !st)
    return st;
  return db.exec("INSERT INTO messages_fts(messages_fts) VALUES('rebuild')");
}

constexpr const char* create_trigram_sql =
  "CREATE VIRTUAL TABLE messages_trigram USING fts5("
  "content, tool_name, tokenize='trigram')";

/// Creates messages_trigram when missing and fills it with the active
/// messages that hold CJK (schema invariant).
core::status ensure_trigram(connection& db) {
  auto has = has_object(db, "table", "messages_trigram");
  if (!has)
    return std::move(has).err();
  if (*has)
    return {};
  if (auto st = db.exec(create_trigram_sql); !st)
    return st;
  auto select =
    db.prepare("SELECT id, content, tool_name FROM messages WHERE active = 1");
  if (!select)
    return std::move(select).err();
  return detail::add_cjk_rows(db, *select);
}

core::status migrate(connection& db) {
  if (auto st = add_missing_columns(db, added_columns()); !st)
    return st;
  if (auto st = db.exec(
        "CREATE UNIQUE INDEX IF NOT EXISTS idx_sessions_title_unique "
        "ON sessions(title) WHERE title IS NOT NULL;"
        "CREATE INDEX IF NOT EXISTS idx_sessions_source ON sessions(source);"
        "CREATE INDEX IF NOT EXISTS idx_sessions_parent "
        "ON sessions(parent_session_id);"
        "CREATE INDEX IF NOT EXISTS idx_sessions_started "
        "ON sessions(started_at DESC);");
      !st)
    return st;
  if (auto st = ensure_fts(db); !st)
    return st;
  return ensure_trigram(db);
}

core::status create_fresh(connection& db) {
  if (auto st = db.exec(seed_sql); !st)
    return st;
  if (auto st = add_missing_columns(db, added_columns()); !st)
    return st;
  return db.exec(create_trigram_sql);
}

/// v9: the messages of each session move from idx_messages_session to
/// message_index and message_tail (schema invariant); a file before v9 gets
/// every message's entry, the ones above the watermark in the tail.
core::status index_sessions(connection& db, bool index_is_new) {
  constexpr const char* folded =
    "COALESCE((SELECT watermark FROM derived_state WHERE id = 1), "
    "(SELECT MAX(id) FROM messages), 0)";
  if (index_is_new) {
    for (const char* table : {"message_index", "message_tail"}) {
      bool tail = std::string_view{table} == "message_tail";
      auto sql = std::string{"INSERT INTO "} + table +
                 " (session_id, at_us, id) SELECT session_id, " SB_MICROS(
                   "timestamp") ", id FROM messages WHERE id " +
                 (tail ? "> " : "<= ") + folded + " ORDER BY 1, 2, 3";
      if (auto st = db.exec(sql); !st)
        return st;
    }
  }
  return db.exec("DROP INDEX IF EXISTS idx_messages_session");
}

core::status finish(connection& db) {
  auto had_index = has_object(db, "table", "message_index");
  if (!had_index)
    return std::move(had_index).err();
  if (auto st = db.exec(switchboard_sql); !st)
    return st;
  if (auto st = index_sessions(db, !*had_index); !st)
    return st;
  if (auto st = add_missing_columns(db, late_columns()); !st)
    return st;
  if (auto st = add_missing_columns(db, added_switchboard_columns()); !st)
    return st;
  if (auto st = db.exec(switchboard_index_sql); !st)
    return st;
  // Files written before derived state went behind (or by the seed) keep
  // exact counters: everything up to the newest message is accounted for.
  if (auto st = db.exec("INSERT OR IGNORE INTO derived_state (id, watermark) "
                        "SELECT 1, COALESCE(MAX(id), 0) FROM messages");
      !st)
    return st;
  if (auto st = db.exec("DELETE FROM schema_version"); !st)
    return st;
  return db.exec("INSERT INTO schema_version(version) VALUES (" +
                 std::to_string(schema_version) + ")");
}

core::error refuse(std::string why) {
  return core::bad_request("refusing to open the database: " + std::move(why) +
                           " (the file was not modified)");
}

} // namespace

const char* const seed_v6_schema_sql = seed_sql;

core::result<schema_state> inspect_schema(connection& db) {
  auto count = db.scalar("SELECT count(*) FROM sqlite_master");
  if (!count)
    return refuse(count.err().message);
  if (count->value_or(0) == 0)
    return schema_state{true, 0};
  for (const char* t : {"sessions", "messages", "schema_version"}) {
    auto has = has_object(db, "table", t);
    if (!has)
      return std::move(has).err();
    if (!*has)
      return refuse(
        std::string{"it is not a Hermes/switchboard database (no "} + t +
        " table)");
  }
  auto version = db.scalar("SELECT max(version) FROM schema_version");
  if (!version)
    return std::move(version).err();
  std::int64_t v = version->value_or(1); // the seed never leaves it empty
  if (v > schema_version)
    return refuse("its schema version " + std::to_string(v) +
                  " is newer than this switchboard's (" +
                  std::to_string(schema_version) + ")");
  return schema_state{false, v};
}

core::status apply_schema(connection& db, const schema_state& state) {
  if (auto st = db.exec("BEGIN IMMEDIATE"); !st)
    return st;
  auto st = state.fresh ? create_fresh(db) : migrate(db);
  if (st)
    st = finish(db);
  if (st)
    st = db.exec("COMMIT");
  if (!st)
    (void)db.exec("ROLLBACK");
  return st;
}

} // namespace switchboard::persistence
