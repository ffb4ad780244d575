// fuzz_search: core::sanitize_fts_query on raw bytes, its output run as an
// FTS5 MATCH against an in-memory table shaped like messages_fts
// (persistence/schema.cpp: one `content` column, default tokenizer).
//
// Invariants (SPEC 10): the output is valid UTF-8, at most 2048 code points
// plus the quotes step 5 adds, trimmed, with balanced quotes and single
// spaces outside phrases (phrases keep theirs, verbatim); and SQLite accepts
// it: preparing and stepping `SELECT rowid FROM t WHERE t MATCH ?` ends in
// SQLITE_ROW/DONE, never an error (a syntax error means the sanitizer let
// syntax through). An empty output means "no query" and is not run.

#include "core/fts_query.hpp"
#include "core/utf8.hpp"
#include "fuzz_util.hpp"

#include <sqlite3.h>

#include <algorithm>

namespace {

using namespace switchboard;
using fuzz::check;

sqlite3* open_db() {
  sqlite3* db = nullptr;
  check(sqlite3_open(":memory:", &db) == SQLITE_OK, "sqlite3_open");
  const char* sql =
    "CREATE VIRTUAL TABLE t USING fts5(content);"
    "INSERT INTO t(content) VALUES ('hello world'), ('chat-send P2.2 done'),"
    " ('config_v2.yaml is loaded'), ('naïve café 東京 emoji 🎉'),"
    " ('AND OR NOT near NEAR quoted \"phrase\" here'), ('tool call error');";
  char* err = nullptr;
  check(sqlite3_exec(db, sql, nullptr, nullptr, &err) == SQLITE_OK,
        "creating the FTS5 table", err ? err : "");
  return db;
}

sqlite3_stmt* match_statement() {
  static sqlite3* db = open_db();
  static sqlite3_stmt* stmt = [] {
    sqlite3_stmt* s = nullptr;
    check(sqlite3_prepare_v2(db, "SELECT rowid FROM t WHERE t MATCH ?1", -1, &s,
                             nullptr) == SQLITE_OK,
          "preparing the MATCH statement", sqlite3_errmsg(db));
    return s;
  }();
  return stmt;
}

void run_match(const std::string& query) {
  auto* stmt = match_statement();
  sqlite3_reset(stmt);
  sqlite3_bind_text(stmt, 1, query.data(), static_cast<int>(query.size()),
                    SQLITE_TRANSIENT);
  int rc = SQLITE_ROW;
  for (int rows = 0; rc == SQLITE_ROW && rows < 100; ++rows)
    rc = sqlite3_step(stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    std::string why = sqlite3_errmsg(sqlite3_db_handle(stmt));
    sqlite3_reset(stmt);
    check(false, "SQLite rejects the sanitized query",
          why + " | query: " + query);
  }
  sqlite3_reset(stmt);
}

void check_shape(std::string_view out) {
  check(core::valid_utf8(out), "sanitized query is not valid UTF-8", out);
  auto cps = core::decode_utf8(out);
  auto quotes =
    static_cast<std::size_t>(std::count(cps.begin(), cps.end(), U'"'));
  check(cps.size() <= core::max_search_query_chars + quotes,
        "sanitized query too long", out);
  check(out.front() != ' ' && out.back() != ' ', "sanitized query not trimmed",
        out);
  bool quoted = false; // phrases come back verbatim, spaces and all
  for (std::size_t i = 0; i + 1 < out.size(); ++i) {
    quoted = quoted != (out[i] == '"');
    check(quoted || out[i] != ' ' || out[i + 1] != ' ',
          "whitespace run outside a phrase", out);
  }
  check(!quoted || out.back() == '"', "unbalanced quotes in query", out);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  auto out = core::sanitize_fts_query(fuzz::as_text(data, size));
  if (out.empty())
    return 0;
  check_shape(out);
  run_match(out);
  return 0;
}
