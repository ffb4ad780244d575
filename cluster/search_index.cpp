#include "cluster/search_index.hpp"

#include "cluster/sqlite_session.hpp"

#include "persistence/sqlite.hpp"
#include "persistence/store_util.hpp"

#include <memory>

namespace switchboard::cluster {

using persistence::sqlite_error;
using persistence::statement;

namespace {

core::result<statement> prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
  if (rc != SQLITE_OK)
    return sqlite_error(db, rc, "prepare");
  return statement{db, stmt};
}

struct iter_deleter {
  void operator()(sqlite3_changeset_iter* it) const {
    sqlite3changeset_finalize(it);
  }
};
using iter_ptr = std::unique_ptr<sqlite3_changeset_iter, iter_deleter>;

/// The primary key (`messages.id`) of the change the iterator is on.
std::optional<std::int64_t> row_id(sqlite3_changeset_iter* it, int op) {
  unsigned char* pk = nullptr;
  int columns = 0;
  if (sqlite3changeset_pk(it, &pk, &columns) != SQLITE_OK)
    return std::nullopt;
  for (int c = 0; c < columns; ++c) {
    if (!pk[c])
      continue;
    sqlite3_value* v = nullptr;
    int rc = op == SQLITE_INSERT ? sqlite3changeset_new(it, c, &v)
                                 : sqlite3changeset_old(it, c, &v);
    if (rc == SQLITE_OK && v && sqlite3_value_type(v) == SQLITE_INTEGER)
      return sqlite3_value_int64(v);
  }
  return std::nullopt;
}

core::status remove_from_indexes(sqlite3* db, std::int64_t id,
                                 const indexed_text& t) {
  auto fts = prepare(db, "INSERT INTO messages_fts(messages_fts, rowid, "
                         "content) VALUES('delete', ?, ?)");
  if (!fts)
    return std::move(fts).err();
  fts->bind(1, id).bind(2, t.content);
  if (auto st = fts->run(); !st)
    return st;
  // A plain DELETE by rowid: a no-op for a message without CJK.
  auto tri = prepare(db, "DELETE FROM messages_trigram WHERE rowid = ?");
  if (!tri)
    return std::move(tri).err();
  tri->bind(1, id);
  return tri->run();
}

core::status add_to_indexes(sqlite3* db, std::int64_t id,
                            const indexed_text& t) {
  auto fts =
    prepare(db, "INSERT INTO messages_fts(rowid, content) VALUES (?, ?)");
  if (!fts)
    return std::move(fts).err();
  fts->bind(1, id).bind(2, t.content);
  if (auto st = fts->run(); !st)
    return st;
  if (!persistence::detail::holds_cjk(t.content, t.tool_name))
    return {};
  auto tri = prepare(db, "INSERT INTO messages_trigram(rowid, content, "
                         "tool_name) VALUES (?, ?, ?)");
  if (!tri)
    return std::move(tri).err();
  tri->bind(1, id).bind(2, t.content).bind(3, t.tool_name);
  return tri->run();
}

} // namespace

bool is_index_table(std::string_view table) {
  return table.starts_with("messages_fts") ||
         table.starts_with("messages_trigram");
}

core::result<std::vector<std::int64_t>>
message_ids_in(const std::string& changeset) {
  std::vector<std::int64_t> out;
  if (changeset.empty())
    return out;
  sqlite3_changeset_iter* raw = nullptr;
  if (sqlite3changeset_start(&raw, static_cast<int>(changeset.size()),
                             const_cast<char*>(changeset.data())) != SQLITE_OK)
    return core::bad_request("changeset: corrupt");
  iter_ptr it{raw};
  int rc = 0;
  while ((rc = sqlite3changeset_next(it.get())) == SQLITE_ROW) {
    const char* table = nullptr;
    int columns = 0, op = 0, indirect = 0;
    if (sqlite3changeset_op(it.get(), &table, &columns, &op, &indirect) !=
        SQLITE_OK)
      return core::bad_request("changeset: corrupt");
    if (std::string_view{table} != "messages")
      continue;
    auto id = row_id(it.get(), op);
    if (!id)
      return core::bad_request("changeset: a messages row without its id");
    out.push_back(*id);
  }
  if (rc != SQLITE_DONE)
    return core::bad_request("changeset: corrupt");
  return out;
}

core::result<indexed_rows> read_indexed(sqlite3* db,
                                        const std::vector<std::int64_t>& ids) {
  indexed_rows out;
  auto q = prepare(db, "SELECT content, tool_name FROM messages "
                       "WHERE id = ? AND active = 1");
  if (!q)
    return std::move(q).err();
  for (auto id : ids) {
    q->bind(1, id);
    auto row = q->step();
    if (!row)
      return std::move(row).err();
    if (*row)
      out[id] = {q->opt_text(0), q->opt_text(1)};
    sqlite3_reset(q->raw());
  }
  return out;
}

core::status reindex(sqlite3* db, const indexed_rows& before,
                     const indexed_rows& after) {
  for (const auto& [id, text] : before) {
    auto now = after.find(id);
    if (now != after.end() && now->second.content == text.content &&
        now->second.tool_name == text.tool_name)
      continue; // indexed as it is
    if (auto st = remove_from_indexes(db, id, text); !st)
      return st;
  }
  for (const auto& [id, text] : after) {
    auto was = before.find(id);
    if (was != before.end() && was->second.content == text.content &&
        was->second.tool_name == text.tool_name)
      continue;
    if (auto st = add_to_indexes(db, id, text); !st)
      return st;
  }
  return {};
}

} // namespace switchboard::cluster
