#pragma once

// A batch's effects as a SQLite session changeset (the session extension,
// sqlite.org/sessionintro.html): what the owner captures from its
// transaction and every replica of the partition applies, so a standby
// repeats the writes with every id and time already resolved, without
// clocks or policies.
//
// Captured (docs/CLUSTER_REPLICATION.md has the probe): every INSERT,
// UPDATE and DELETE of a table of the main database that declares a
// PRIMARY KEY, i.e. all of switchboard's tables (sessions, messages,
// session_entries, transcript_rewrites, derived_state, request_ids,
// usage_daily) and the FTS5 shadow tables (messages_fts_data, _idx,
// _docsize, _config; messages_trigram_data, _idx, _content, _docsize,
// _config), so the search index moves with the rows. NOT captured:
//  - schema_version (no primary key): the replicas run the same schema.
//  - sqlite_sequence (no primary key): carried beside the changeset as
//    batch_effects::sequences and set on apply, so an AUTOINCREMENT id the
//    owner used and deleted in the same batch is never reused after a
//    takeover (the standby would otherwise restart from max(rowid)).
//  - cluster_applied (below): each replica's own progress.
//
// The table this file adds to a partition's database:
//
//   cluster_applied(partition INTEGER PRIMARY KEY, seq INTEGER NOT NULL)
//
// Invariant: seq is the log sequence of the last record of `partition`
// whose effects are in the file; it is written in the same transaction as
// those effects, so a crash leaves both or neither.
//
// REQUIRES: a connection is used by one thread at a time (the caller's).

#include "core/result.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>

struct sqlite3;
struct sqlite3_session;

namespace switchboard::cluster {

/// The effects of one batch.
struct batch_effects {
  /// The session changeset (binary; empty when nothing changed).
  std::string changeset;
  /// sqlite_sequence after the batch: AUTOINCREMENT table -> last id.
  std::map<std::string, std::int64_t> sequences;

  friend bool operator==(const batch_effects&, const batch_effects&) = default;
};

/// Records every row change of a connection's main database from its
/// creation on (RAII: recording stops when it is destroyed).
class changeset_capture {
public:
  /// Starts recording on `db`. Errors: internal when SQLite refuses.
  static core::result<changeset_capture> start(sqlite3* db);

  /// The effects of everything written since start(), including what is
  /// still uncommitted: call it inside the batch's transaction, after the
  /// last write and before COMMIT. It first flushes FTS5's pending terms
  /// into their shadow tables (a SAVEPOINT and its RELEASE) so the
  /// changeset holds the index too. Recording goes on; a second take()
  /// returns everything since start() again.
  /// REQUIRES: every write of the batch is in SQLite; with
  /// persistence::sqlite_writer call flush_derived() (unless write-behind)
  /// and flush_fts() first, which commit() would otherwise do after it.
  core::result<batch_effects> take();

  /// The size in bytes of the changeset take() would return now, without
  /// the FTS5 terms still pending (cheap: SQLite keeps it up to date).
  std::int64_t size() const;

private:
  struct session_deleter {
    void operator()(sqlite3_session* s) const;
  };
  changeset_capture(sqlite3* db, sqlite3_session* s) : db_(db), session_(s) {}

  sqlite3* db_;
  std::unique_ptr<sqlite3_session, session_deleter> session_;
};

/// Creates cluster_applied when it is missing.
core::status ensure_applied_table(sqlite3* db);

/// The last applied log sequence of `partition` in `db` (0: none yet).
core::result<std::uint64_t> applied_seq(sqlite3* db, int partition);

/// Sets the applied sequence of `partition` to `seq` in the caller's open
/// transaction. conflict "... expected N" unless seq is the applied one + 1
/// (records are applied one by one, in log order).
core::status record_applied(sqlite3* db, int partition, std::uint64_t seq);

/// Applies `effects` (log record `seq` of `partition`) to `db` in one
/// transaction of its own, together with record_applied(seq): on success
/// both are committed, on any error neither (the file is unchanged).
/// Errors:
/// - conflict "replica diverged: ..." naming the table and the kind of
///   conflict, when a row the changeset changes or deletes is not as it
///   was on the owner, or a row it inserts exists: a replica must be exact,
///   so no conflict is ever resolved or skipped;
/// - conflict when seq is not the applied one + 1;
/// - bad_request when the changeset is corrupt; internal otherwise.
/// REQUIRES: no transaction open on `db`.
core::status apply_effects(sqlite3* db, int partition, std::uint64_t seq,
                           const batch_effects& effects);

} // namespace switchboard::cluster
