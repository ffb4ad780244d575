// Opening the store: open_writer / open_reader (declared in sqlite_store.hpp).

#include "persistence/schema.hpp"
#include "persistence/sqlite_store.hpp"

namespace switchboard::persistence {

namespace {

// Long enough for a checkpoint or another process's batch; the writer is the
// only writer, so waits are rare.
constexpr int busy_timeout_ms = 30000;

core::status configure_writer(connection& db, core::durability mode) {
  if (auto st = db.exec("PRAGMA journal_mode=WAL"); !st)
    return st;
  // A read-only file cannot switch to WAL; journal_mode then reports the old
  // mode without an error, so check what we got.
  auto wal = db.prepare("PRAGMA journal_mode");
  if (!wal)
    return std::move(wal).err();
  auto row = wal->step();
  if (!row)
    return std::move(row).err();
  if (!*row || wal->text(0) != "wal")
    return core::internal_error("cannot switch the database to WAL mode");
  const char* sync = mode == core::durability::full
                       ? "PRAGMA synchronous=FULL"
                       : "PRAGMA synchronous=NORMAL";
  if (auto st = db.exec(sync); !st)
    return st;
  // Why: with the default 2 MiB page cache a 1000-message batch spills dirty
  // pages to the WAL mid-transaction (pwrite inside sqlite3_step was ~20% of
  // the engine profile) and rewrites hot pages several times per batch.
  // Why not more: 64 MiB routed no faster than 16 MiB (same run, engine
  // 1k keys and 100k existing keys, wrk single: within noise), and it was
  // ~240 B of RSS per resident key at 200k keys. (perf: ~5% of the
  // embedded load generator's samples were pcache1's truncate scan inside
  // COMMIT, a loop over the cache's hash table, which grows with the cache.)
  if (auto st = db.exec("PRAGMA cache_size=-16384"); !st) // 16 MiB
    return st;
  // Why: each request's SAVEPOINT sub-journals the pages it touches; with
  // temp files that was a pwrite per page inside sqlite3_step (~25% of the
  // engine profile). A SAVEPOINT holds one request's pages: memory is fine.
  if (auto st = db.exec("PRAGMA temp_store=MEMORY"); !st)
    return st;
  return db.exec("PRAGMA foreign_keys=ON");
}

/// FTS5 merges a level's segments once it holds `automerge` of them (default
/// 4), a little at each write; a level that reaches `crisismerge` (default
/// 16) is merged whole, at once, inside the COMMIT that reached it.
/// Why 16 and 64: every commit writes a new segment, so a merge rewrites the
/// group-commit's index pages again; merging 16 at a time rewrites each page
/// fewer times. Measured: writer alone +15%, engine with 256 in flight +8%
/// (`engine_bench --mode route --keys 1000 --concurrency 256`); a 300k-row
/// index kept 25 segments instead of 18 and its queries (1, 2 and OR terms,
/// rare to common) took the same time within 2%. But with automerge 16 at
/// the default crisismerge every merge was a whole-level merge inside a
/// COMMIT: wrk single's p99 was 703 ms in one bench run, and 250k rows in
/// batches of 100 (Python) had a slowest COMMIT of 51 ms, against 25 ms at
/// the defaults and 19 ms at 16/64 (same run). Persistent settings of the
/// index; set on every open so files made before them get them too.
core::status tune_search_index(connection& db) {
  return db.exec(
    "INSERT INTO messages_fts(messages_fts, rank) VALUES('automerge', 16);"
    "INSERT INTO messages_fts(messages_fts, rank) VALUES('crisismerge', 64)");
}

} // namespace

core::status sqlite_writer::checkpoint_in_background(const std::string& path,
                                                     checkpoint_options opt) {
  auto c = wal_checkpointer::start(path, db_->raw(), opt);
  if (!c)
    return std::move(c).err();
  checkpointer_ = std::move(*c);
  return {};
}

core::result<std::unique_ptr<sqlite_writer>>
open_writer(const std::string& path, core::durability mode, open_fold fold) {
  auto db = connection::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!db)
    return std::move(db).err();
  sqlite3_busy_timeout((*db)->raw(), busy_timeout_ms);
  auto state = inspect_schema(**db); // reads only: a refused file is untouched
  if (!state)
    return std::move(state).err();
  if (auto st = configure_writer(**db, mode); !st)
    return std::move(st).err();
  if (state->fresh || state->version < schema_version) {
    if (auto st = apply_schema(**db, *state); !st)
      return std::move(st).err();
  }
  // The seed's SessionDB re-creates idx_messages_session whenever it opens
  // the file; the writer would then pay for it on every message (schema.cpp).
  if (auto st = (*db)->exec("DROP INDEX IF EXISTS idx_messages_session"); !st)
    return std::move(st).err();
  if (auto st = tune_search_index(**db); !st)
    return std::move(st).err();
  auto w = std::make_unique<sqlite_writer>(std::move(*db));
  if (fold == open_fold::deferred)
    return w;
  // After a crash the derived state of the last messages may not have been
  // flushed: fold it in from the rows before anything else runs.
  if (auto st = w->begin(); !st)
    return std::move(st).err();
  if (auto st = w->commit(); !st)
    return std::move(st).err();
  return w;
}

core::result<std::unique_ptr<sqlite_reader>>
open_reader(const std::string& path, int cache_kib) {
  auto db = connection::open(path, SQLITE_OPEN_READONLY);
  if (!db)
    return std::move(db).err();
  sqlite3_busy_timeout((*db)->raw(), busy_timeout_ms);
  if (auto st = (*db)->exec("PRAGMA query_only=1"); !st)
    return std::move(st).err();
  if (cache_kib > 0)
    if (auto st =
          (*db)->exec("PRAGMA cache_size=-" + std::to_string(cache_kib));
        !st)
      return std::move(st).err();
  auto state = inspect_schema(**db);
  if (!state)
    return std::move(state).err();
  if (state->fresh || state->version != schema_version)
    return core::bad_request("database " + path +
                             " has not been initialized by a switchboard "
                             "writer (open it for writing first)");
  return std::make_unique<sqlite_reader>(std::move(*db));
}

} // namespace switchboard::persistence
