#include "cluster/changeset.hpp"

#include "cluster/search_index.hpp"
#include "cluster/sqlite_session.hpp"

#include "persistence/sqlite.hpp"

#include <string_view>

namespace switchboard::cluster {

using persistence::sqlite_error;
using persistence::statement;

namespace {

constexpr const char* applied_table = "cluster_applied";

core::status exec(sqlite3* db, const char* sql) {
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK)
    return sqlite_error(db, rc, sql);
  return {};
}

core::result<statement> prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()),
                              &stmt, nullptr);
  if (rc != SQLITE_OK)
    return sqlite_error(db, rc, "prepare");
  return statement{db, stmt};
}

/// Every table but cluster_applied (each replica's own progress) and the
/// search indexes (each replica maintains its own: search_index.hpp).
int capture_table(void*, const char* table) {
  std::string_view name{table};
  return name != applied_table && !is_index_table(name) ? 1 : 0;
}

/// sqlite_sequence as a map (empty when the file has no AUTOINCREMENT
/// table, and so no sqlite_sequence).
core::result<std::map<std::string, std::int64_t>> read_sequences(sqlite3* db) {
  std::map<std::string, std::int64_t> out;
  auto has = prepare(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' "
                         "AND name = 'sqlite_sequence'");
  if (!has)
    return std::move(has).err();
  auto found = has->step();
  if (!found)
    return std::move(found).err();
  if (!*found)
    return out;
  auto q = prepare(db, "SELECT name, seq FROM sqlite_sequence");
  if (!q)
    return std::move(q).err();
  for (;;) {
    auto row = q->step();
    if (!row)
      return std::move(row).err();
    if (!*row)
      return out;
    out[q->text(0)] = q->int64(1);
  }
}

core::status write_sequence(sqlite3* db, const std::string& name,
                            std::int64_t seq) {
  auto up = prepare(db, "UPDATE sqlite_sequence SET seq = ?2 WHERE name = ?1");
  if (!up)
    return std::move(up).err();
  up->bind(1, name).bind(2, seq);
  if (auto st = up->run(); !st)
    return st;
  if (sqlite3_changes(db) > 0)
    return {};
  auto in = prepare(db, "INSERT INTO sqlite_sequence(name, seq) VALUES (?, ?)");
  if (!in)
    return std::move(in).err();
  in->bind(1, name).bind(2, seq);
  return in->run();
}

/// What the conflict handler saw first (it aborts at once).
struct conflict_note {
  std::string what;
};

std::string_view conflict_kind(int kind) {
  switch (kind) {
    case SQLITE_CHANGESET_DATA:
      return "the row to change is not as it was on the owner";
    case SQLITE_CHANGESET_NOTFOUND:
      return "the row to change is missing";
    case SQLITE_CHANGESET_CONFLICT:
      return "the row to insert exists";
    case SQLITE_CHANGESET_CONSTRAINT:
      return "a constraint failed";
    case SQLITE_CHANGESET_FOREIGN_KEY:
      return "a foreign key failed";
  }
  return "unknown conflict";
}

int on_conflict(void* ctx, int kind, sqlite3_changeset_iter* it) {
  auto* note = static_cast<conflict_note*>(ctx);
  const char* table = "";
  int columns = 0;
  int op = 0;
  int indirect = 0;
  if (kind == SQLITE_CHANGESET_FOREIGN_KEY ||
      sqlite3changeset_op(it, &table, &columns, &op, &indirect) != SQLITE_OK)
    table = "";
  if (note->what.empty())
    note->what = std::string{conflict_kind(kind)} +
                 (*table != 0 ? std::string{" in table "} + table : "");
  return SQLITE_CHANGESET_ABORT;
}

core::status apply_changeset(sqlite3* db, const std::string& changeset) {
  if (changeset.empty())
    return {};
  conflict_note note;
  int rc = sqlite3changeset_apply_v2(
    db, static_cast<int>(changeset.size()), const_cast<char*>(changeset.data()),
    nullptr, on_conflict, &note, nullptr, nullptr,
    SQLITE_CHANGESETAPPLY_NOSAVEPOINT);
  if (rc == SQLITE_OK)
    return {};
  if (!note.what.empty())
    return core::conflict("replica diverged: " + note.what +
                          " (nothing applied)");
  if (rc == SQLITE_CORRUPT)
    return core::bad_request("changeset: corrupt");
  return sqlite_error(db, rc, "applying a changeset");
}

core::status apply_in_transaction(sqlite3* db, int partition, std::uint64_t seq,
                                  const batch_effects& effects) {
  auto ids = message_ids_in(effects.changeset);
  if (!ids)
    return std::move(ids).err();
  auto before = read_indexed(db, *ids);
  if (!before)
    return std::move(before).err();
  if (auto st = apply_changeset(db, effects.changeset); !st)
    return st;
  auto after = read_indexed(db, *ids);
  if (!after)
    return std::move(after).err();
  if (auto st = reindex(db, *before, *after); !st)
    return st;
  for (const auto& [name, value] : effects.sequences)
    if (auto st = write_sequence(db, name, value); !st)
      return st;
  return record_applied(db, partition, seq);
}

} // namespace

void changeset_capture::session_deleter::operator()(sqlite3_session* s) const {
  sqlite3session_delete(s);
}

core::result<changeset_capture> changeset_capture::start(sqlite3* db) {
  sqlite3_session* raw = nullptr;
  int rc = sqlite3session_create(db, "main", &raw);
  if (rc != SQLITE_OK)
    return sqlite_error(db, rc, "starting a changeset capture");
  changeset_capture capture{db, raw};
  int keep_size =
    1; // before anything is recorded (sqlite3session_object_config)
  rc = sqlite3session_object_config(raw, SQLITE_SESSION_OBJCONFIG_SIZE,
                                    &keep_size);
  if (rc != SQLITE_OK)
    return sqlite_error(db, rc, "starting a changeset capture");
  sqlite3session_table_filter(raw, capture_table, nullptr);
  rc = sqlite3session_attach(raw, nullptr); // every table (as filtered)
  if (rc != SQLITE_OK)
    return sqlite_error(db, rc, "starting a changeset capture");
  return capture;
}

core::result<batch_effects> changeset_capture::take() {
  // FTS5 writes its pending terms to the shadow tables at a savepoint.
  // (sqlite3session_changeset opens "SAVEPOINT changeset" itself in 3.40,
  // which does the same; this pair keeps us independent of that detail.)
  if (auto st = exec(db_, "SAVEPOINT changeset_take; RELEASE changeset_take");
      !st)
    return std::move(st).err();
  int size = 0;
  void* raw = nullptr;
  int rc = sqlite3session_changeset(session_.get(), &size, &raw);
  std::unique_ptr<void, decltype(&sqlite3_free)> bytes{raw, &sqlite3_free};
  if (rc != SQLITE_OK)
    return sqlite_error(db_, rc, "taking a changeset");
  batch_effects out;
  out.changeset.assign(static_cast<const char*>(raw),
                       static_cast<std::size_t>(size));
  auto sequences = read_sequences(db_);
  if (!sequences)
    return std::move(sequences).err();
  out.sequences = std::move(*sequences);
  return out;
}

std::int64_t changeset_capture::size() const {
  return sqlite3session_changeset_size(session_.get());
}

core::status ensure_applied_table(sqlite3* db) {
  return exec(db, "CREATE TABLE IF NOT EXISTS cluster_applied ("
                  "partition INTEGER PRIMARY KEY, seq INTEGER NOT NULL)");
}

core::result<std::uint64_t> applied_seq(sqlite3* db, int partition) {
  if (auto st = ensure_applied_table(db); !st)
    return std::move(st).err();
  auto q = prepare(db, "SELECT seq FROM cluster_applied WHERE partition = ?");
  if (!q)
    return std::move(q).err();
  q->bind(1, partition);
  auto row = q->step();
  if (!row)
    return std::move(row).err();
  return *row ? static_cast<std::uint64_t>(q->int64(0)) : 0u;
}

core::status record_applied(sqlite3* db, int partition, std::uint64_t seq) {
  auto current = applied_seq(db, partition);
  if (!current)
    return std::move(current).err();
  if (seq != *current + 1)
    return core::conflict("partition " + std::to_string(partition) +
                          ": record " + std::to_string(seq) +
                          " cannot be applied after " +
                          std::to_string(*current) + " (expected " +
                          std::to_string(*current + 1) + ")");
  auto q = prepare(db, "INSERT OR REPLACE INTO cluster_applied(partition, seq) "
                       "VALUES (?, ?)");
  if (!q)
    return std::move(q).err();
  q->bind(1, partition).bind(2, static_cast<std::int64_t>(seq));
  return q->run();
}

core::status apply_effects(sqlite3* db, int partition, std::uint64_t seq,
                           const batch_effects& effects) {
  if (auto st = exec(db, "BEGIN IMMEDIATE"); !st)
    return st;
  auto st = apply_in_transaction(db, partition, seq, effects);
  if (st)
    st = exec(db, "COMMIT");
  if (!st && sqlite3_get_autocommit(db) == 0)
    (void)exec(db, "ROLLBACK");
  return st;
}

} // namespace switchboard::cluster
