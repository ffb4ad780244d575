#pragma once

// What the replication tests share: real store operations on a real
// persistence writer, captured as one batch, and a dump of every table of
// a file (the FTS5 shadow tables and sqlite_sequence included) to compare
// an owner with a replica.

#include "cluster/changeset.hpp"

#include "tests/unit/persistence/test_util.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>

namespace switchboard::testing {

using persistence::test::at_seconds;
using persistence::test::msg;
using persistence::test::row;

/// One value as text with its type ("i:1", "r:0.5", "t:x", "b:<hex>", "n").
inline std::string cell(sqlite3_stmt* s, int c) {
  switch (sqlite3_column_type(s, c)) {
    case SQLITE_INTEGER:
      return "i:" + std::to_string(sqlite3_column_int64(s, c));
    case SQLITE_FLOAT: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "r:%.17g", sqlite3_column_double(s, c));
      return buf;
    }
    case SQLITE_TEXT:
      return "t:" + std::string{
                      reinterpret_cast<const char*>(sqlite3_column_text(s, c)),
                      static_cast<std::size_t>(sqlite3_column_bytes(s, c))};
    case SQLITE_BLOB: {
      std::string hex = "b:";
      const auto* p =
        static_cast<const unsigned char*>(sqlite3_column_blob(s, c));
      char buf[3];
      for (int i = 0; i < sqlite3_column_bytes(s, c); ++i) {
        std::snprintf(buf, sizeof buf, "%02x", p[i]);
        hex += buf;
      }
      return hex;
    }
  }
  return "n";
}

/// Every row of `table`, sorted by all its columns, one line each.
inline std::string dump_table(persistence::connection& db,
                              const std::string& table) {
  auto probe = db.prepare("SELECT * FROM \"" + table + "\"");
  EXPECT_TRUE(probe) << table;
  if (!probe)
    return {};
  std::string order;
  for (int c = 1; c <= probe->columns(); ++c)
    order += (c > 1 ? "," : "") + std::to_string(c);
  auto q = db.prepare("SELECT * FROM \"" + table + "\" ORDER BY " + order);
  std::string out;
  while (q && *q->step()) {
    for (int c = 0; c < q->columns(); ++c)
      out += cell(q->raw(), c) + "|";
    out += "\n";
  }
  return out;
}

/// Every stored table of the file, table name -> dump_table; but not
/// cluster_applied (each replica's own), and the search indexes by what
/// they hold (every term instance, and the trigram rows' text), not by
/// their pages: each replica builds its own (cluster/search_index.hpp), so
/// the pages may differ while the indexes answer alike.
inline std::map<std::string, std::string>
dump_all(persistence::connection& db) {
  std::map<std::string, std::string> out;
  auto q = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' "
                      "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' "
                      "AND name != 'cluster_applied' "
                      "AND name NOT LIKE 'messages_fts%' "
                      "AND name NOT LIKE 'messages_trigram%'");
  while (q && *q->step())
    out[q->text(0)] = "";
  for (auto& [name, rows] : out)
    rows = dump_table(db, name);
  // Temp tables only: allowed for a moment on a query_only reader too.
  auto query_only = db.scalar("PRAGMA query_only");
  EXPECT_TRUE(db.exec("PRAGMA query_only = 0;"
                      "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_terms "
                      "USING fts5vocab(main, messages_fts, instance);"
                      "CREATE VIRTUAL TABLE IF NOT EXISTS temp.trigram_terms "
                      "USING fts5vocab(main, messages_trigram, instance)"));
  if (query_only && *query_only && **query_only) {
    EXPECT_TRUE(db.exec("PRAGMA query_only = 1"));
  }
  out["messages_fts (terms)"] = dump_table(db, "fts_terms");
  out["messages_trigram (terms)"] = dump_table(db, "trigram_terms");
  auto trigram_rows = db.prepare(
    "SELECT rowid, content, tool_name FROM messages_trigram ORDER BY rowid");
  while (trigram_rows && *trigram_rows->step()) {
    auto& rows = out["messages_trigram (rows)"];
    for (int c = 0; c < 3; ++c)
      rows += cell(trigram_rows->raw(), c) + "|";
    rows += "\n";
  }
  return out;
}

/// The rows of a few tables that must not be empty for a comparison to
/// mean something.
inline void expect_rows_in_every_kind_of_table(persistence::connection& db) {
  for (const char* t :
       {"sessions", "messages", "session_entries", "request_ids", "usage_daily",
        "transcript_rewrites", "messages_fts_data", "messages_fts_idx",
        "messages_fts_docsize", "messages_trigram_content",
        "messages_trigram_data", "sqlite_sequence"})
    EXPECT_NE(dump_table(db, t), "") << t;
}

/// A session entry of `key` on session `id` at `at`.
inline core::session_entry entry(const std::string& key, const std::string& id,
                                 double at) {
  core::session_entry e;
  e.session_key = key;
  e.session_id = id;
  e.created_at = at_seconds(at);
  e.updated_at = at_seconds(at);
  e.platform = "telegram";
  return e;
}

inline void must(const core::status& st, const char* what) {
  EXPECT_TRUE(st) << what << ": " << (st ? "" : st.err().message);
}

template <class T>
void must(const core::result<T>& r, const char* what) {
  EXPECT_TRUE(r) << what << ": " << (r ? "" : r.err().message);
}

/// The store operations of a few requests, as the writer actor runs them in
/// one group-commit batch (ids and times from `n`): a new session on a key
/// (ending the previous one: a reset), messages with FTS rows, a usage
/// update, an idempotency record, a transcript rewrite (its rows leave the
/// index), a message with CJK (messages_trigram), and a session created and
/// deleted in the same batch
/// (its message takes the highest id, so sqlite_sequence is above
/// max(messages.id) afterwards).
inline void write_batch(persistence::sqlite_writer& w, int n) {
  double t = 1000 + 10 * n;
  auto id = "s" + std::to_string(n);
  if (n > 0)
    must(w.end_session("s" + std::to_string(n - 1), "daily", at_seconds(t)),
         "end_session");
  must(w.create_session(row(id, "telegram", t)), "create_session");
  must(w.upsert_entry(entry("agent:main:telegram:dm:1", id, t)), "upsert");
  auto tool = msg("assistant", "checking the weather " + std::to_string(n));
  tool.tool_calls = nlohmann::json::array({{{"id", "c1"}}});
  for (const auto& m :
       {msg("user", "the quick brown fox " + std::to_string(n)), tool})
    must(w.append_message(id, m, at_seconds(t + 1)), "append_message");
  core::usage_update u;
  u.input_tokens = 100 + n;
  u.output_tokens = 20;
  u.model = "gpt";
  must(w.update_usage(id, u, at_seconds(t + 2)), "update_usage");
  must(w.remember_request("req-" + std::to_string(n), R"({"ok":true})",
                          at_seconds(t + 2)),
       "remember_request");
  must(w.rewrite_transcript(id, {msg("user", "rewritten lazy dog")},
                            at_seconds(t + 3)),
       "rewrite_transcript");
  must(w.append_message(id, msg("user", "你好世界 " + std::to_string(n)),
                        at_seconds(t + 4)),
       "append CJK");
  auto tmp = "tmp" + std::to_string(n);
  must(w.create_session(row(tmp, "telegram", t)), "create tmp");
  must(w.append_message(tmp, msg("user", "gone soon"), at_seconds(t + 4)),
       "append tmp");
  must(w.delete_session(tmp), "delete tmp");
}

/// Runs `write_batch(w, n)` as one transaction and returns its effects,
/// captured just before COMMIT (the writer's queued FTS rows and derived
/// state written first, as the owner must).
inline cluster::batch_effects captured_batch(persistence::sqlite_writer& w,
                                             int n) {
  auto capture = cluster::changeset_capture::start(w.db().raw());
  EXPECT_TRUE(capture);
  if (!capture)
    return {};
  must(w.begin(), "begin");
  write_batch(w, n);
  must(w.flush_derived(), "flush_derived");
  must(w.flush_fts(), "flush_fts");
  auto effects = capture->take();
  must(effects, "take");
  must(w.commit(), "commit");
  return effects ? *effects : cluster::batch_effects{};
}

/// A search on `w` as JSON text (hits, snippets, context).
inline std::string search_text(persistence::sqlite_writer& w,
                               const std::string& text) {
  core::search_query q;
  q.text = text;
  auto r = w.search(q);
  EXPECT_TRUE(r) << text;
  return r ? r->dump() : "";
}

} // namespace switchboard::testing
