#pragma once

// Creating, checking and migrating switchboard's SQLite schema (see the top of
// schema.cpp for the layout and its invariants).

#include "core/result.hpp"
#include "persistence/sqlite.hpp"

#include <cstdint>

namespace switchboard::persistence {

/// The version switchboard writes into `schema_version`: the seed's v6 plus
/// switchboard's additions. The seed's own migrations only test `< N`, so the
/// seed's SessionDB still opens a version-8 file without touching it.
/// 8 added messages_trigram (CJK search, SPEC 10), request_ids and
/// messages.platform_message_id (SPEC 12), usage_daily (SPEC 14),
/// session_entries.daily_reset_deferred (SPEC 4.6), derived_state and
/// transcript_rewrites.first_id/last_id (derived state written behind).
/// 9 moved each session's message index to message_index/message_tail; 10
/// made idx_entries_activity the one index on session_entries.updated_at.
inline constexpr std::int64_t schema_version = 10;

/// What an opened file holds, found without writing anything.
struct schema_state {
  bool fresh = false;       // no objects at all: create everything
  std::int64_t version = 0; // the schema_version row (when not fresh)
};

/// Reads the file's layout. Refuses (bad_request, file untouched) a file that
/// is not an SQLite database, a non-empty database without the seed's tables
/// (sessions, messages, schema_version), or a version newer than ours.
core::result<schema_state> inspect_schema(connection& db);

/// Brings an inspected file to the current schema in one transaction:
/// creates a fresh file, or migrates seed v1-v6 / switchboard v7 in place
/// (adds missing columns, indexes and tables, drops the seed's FTS triggers,
/// builds messages_trigram from the active messages that hold CJK).
/// REQUIRES: a writable connection outside any transaction.
core::status apply_schema(connection& db, const schema_state& state);

/// The seed's schema v6 exactly as its _init_schema leaves a new file
/// (SCHEMA_SQL, the unique title index, FTS_SQL with its triggers). For tests.
extern const char* const seed_v6_schema_sql;

} // namespace switchboard::persistence
