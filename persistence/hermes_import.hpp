#pragma once

// Importing an existing Hermes home directory into switchboard's store:
// its state.db (any seed schema version, v1-v6), its legacy JSONL
// transcripts (sessions/<id>.jsonl) and its sessions.json.

#include "core/result.hpp"
#include "core/zone.hpp"
#include "persistence/sqlite_store.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace switchboard::persistence {

struct import_counts {
  std::int64_t sessions_imported = 0;
  std::int64_t sessions_skipped = 0; // the id already exists in switchboard
  std::int64_t messages_imported = 0;
  std::int64_t titles_dropped = 0; // title held by another session here
  std::int64_t parents_linked = 0;
  std::int64_t entries_imported = 0;
  std::int64_t entries_skipped = 0; // the key already has an entry here
  std::int64_t entries_invalid = 0; // rejected by core::from_hermes_json
  // Legacy JSONL transcripts (persistence/hermes_jsonl.hpp).
  std::int64_t jsonl_sessions_imported = 0;
  std::int64_t jsonl_sessions_created = 0; // had no row in state.db
  std::int64_t jsonl_messages_imported = 0;
  std::int64_t jsonl_files_skipped = 0; // rows win / already imported
  std::int64_t jsonl_lines_skipped = 0; // torn or not a message
};

struct import_progress {
  std::string_view phase; // "sessions", "transcripts" or "entries"
  std::int64_t done = 0;
  std::int64_t total = 0;
};

/// Imports HOME/state.db, then HOME/sessions/<id>.jsonl for sessions with no
/// message rows (import_jsonl_transcripts: the rows win; torn lines are
/// skipped and counted), then HOME/sessions/sessions.json (or
/// HOME/sessions.json) into `dest`.
/// - The source database is opened read-only and never modified; only the
///   columns it has are read (PRAGMA table_info), so any seed version works.
/// - Sessions keep their ids, times, counters, billing fields and titles;
///   messages keep their order (by id) and timestamps and get FTS rows;
///   parent links are restored once both ends exist.
/// - Idempotent: a session id that exists in `dest` is skipped with its
///   messages; a session key that has an entry is skipped. Each session is
///   imported in its own transaction, so an interrupted import resumes.
/// - A title another session holds in `dest` is dropped (counted).
/// - Naive times in sessions.json are read in zone `z`.
/// - Each imported session with tokens or cost adds its totals to the usage
///   rollup of the day (in `z`) it started, as one update (SPEC 14), in the
///   session's transaction; `dest` keeps `z` as its rollup zone.
/// Errors: not_found when HOME has none of these; the source's SQLite errors.
/// REQUIRES: `dest` has no transaction open.
core::result<import_counts> import_hermes_home(
  const std::string& home, sqlite_writer& dest, const core::zone& z,
  const std::function<void(const import_progress&)>& progress = {});

} // namespace switchboard::persistence
