#pragma once

// The legacy JSONL part of import-hermes: HOME/sessions/<id>.jsonl
// transcripts (seed 002 kept every transcript there; seed 000 still writes
// them and its load_transcript falls back to them when state.db has no
// message rows for the session).

#include "core/session_entry.hpp"
#include "core/zone.hpp"
#include "persistence/sqlite_store.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace switchboard::persistence {

struct jsonl_counts {
  std::int64_t sessions_imported = 0; // transcripts whose messages came in
  std::int64_t sessions_created = 0;  // of those, sessions with no row before
  std::int64_t messages_imported = 0;
  std::int64_t files_skipped = 0; // rows win, already imported, bad name
  std::int64_t lines_skipped = 0; // torn / unparsable / not a message
};

/// Imports every HOME/sessions/<id>.jsonl (in name order) whose session has
/// no message rows, neither in the source state.db (`src`, may be null when
/// the home has none) nor in `dest` - seed 000's load_transcript rule: the
/// rows win. For each such file, in one transaction:
///  - a session with no row in `dest` is created (a JSONL-only session, as
///    seed 002 made them): source, key, user, chat and started_at from the
///    sessions.json entry whose session_id it is (`entries`), else source
///    "unknown" and started_at from the id's YYYYMMDD_HHMMSS (read in `z`),
///    else the first message's time, else the file's modification time;
///  - each line goes through core::parse_legacy_transcript_line; blank lines
///    are ignored, the others that are no message (a torn last line) are
///    skipped and counted, never fatal;
///  - messages are appended with store_writer::append_message (the path
///    every message takes: counters, FTS), in file order; a line without a
///    timestamp takes the previous message's time (the session's start for
///    the first).
/// A file whose name is not a valid session id, or that holds no message, is
/// skipped. Idempotent: a second run finds the messages and skips the file.
/// Errors: the file system's and SQLite's (the file's transaction is rolled
/// back; files before it stay imported).
/// REQUIRES: `dest` has no transaction open.
core::result<jsonl_counts> import_jsonl_transcripts(
  const std::string& home, connection* src, sqlite_writer& dest,
  const core::zone& z,
  const std::map<std::string, core::session_entry>& entries,
  const std::function<void(std::int64_t done, std::int64_t total)>& progress);

} // namespace switchboard::persistence
