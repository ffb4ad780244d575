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
//
// CJK input (SPEC 10 "every language"): core::plan_cjk_query decides, and
// when it plans: every group has an `all` term, every term is non-empty valid
// UTF-8, at most max_cjk_terms of them, a trigram plan has only terms of
// >= 3 code points; trigram_match runs as a MATCH on a trigram table shaped
// like messages_trigram, and every term as an escaped LIKE on it, never an
// error; mark_snippet of a term's own text is valid UTF-8 and marks it.

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
    " ('AND OR NOT near NEAR quoted \"phrase\" here'), ('tool call error');"
    "CREATE VIRTUAL TABLE tg USING fts5(content, tool_name, "
    "tokenize='trigram');"
    "INSERT INTO tg(content, tool_name) VALUES ('昨晚讨论了记忆系统', NULL),"
    " ('讨论Agent通信协议', NULL), ('進度100%完成', '网页搜索'),"
    " ('東京で会議があります', NULL), ('회의는 내일입니다', NULL);";
  char* err = nullptr;
  check(sqlite3_exec(db, sql, nullptr, nullptr, &err) == SQLITE_OK,
        "creating the FTS5 table", err ? err : "");
  return db;
}

sqlite3* database() {
  static sqlite3* db = open_db();
  return db;
}

sqlite3_stmt* prepared(const char* sql) {
  sqlite3_stmt* s = nullptr;
  check(sqlite3_prepare_v2(database(), sql, -1, &s, nullptr) == SQLITE_OK,
        "preparing a statement", sqlite3_errmsg(database()));
  return s;
}

sqlite3_stmt* match_statement() {
  static sqlite3_stmt* stmt = prepared("SELECT rowid FROM t WHERE t MATCH ?1");
  return stmt;
}

sqlite3_stmt* trigram_statement() {
  static sqlite3_stmt* stmt =
    prepared("SELECT rowid, snippet(tg, -1, '>>>', '<<<', '...', 40) FROM tg "
             "WHERE tg MATCH ?1");
  return stmt;
}

sqlite3_stmt* like_statement() {
  static sqlite3_stmt* stmt =
    prepared("SELECT rowid FROM tg WHERE coalesce(content, '') LIKE ?1 "
             "ESCAPE '\\' OR coalesce(tool_name, '') LIKE ?1 ESCAPE '\\'");
  return stmt;
}

void run_match(const std::string& query,
               sqlite3_stmt* stmt = match_statement()) {
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

/// The LIKE path's pattern (persistence's escape_like: \ % _ escaped).
std::string like_pattern(std::string_view term) {
  std::string out = "%";
  for (char c : term) {
    if (c == '\\' || c == '%' || c == '_')
      out += '\\';
    out += c;
  }
  return out + "%";
}

void check_term(const std::string& term, bool trigram) {
  check(!term.empty(), "empty CJK query term");
  check(core::valid_utf8(term), "CJK query term is not valid UTF-8", term);
  check(!trigram || core::decode_utf8(term).size() >= 3,
        "trigram plan with a term shorter than 3", term);
  run_match(like_pattern(term), like_statement());
  auto snippet = core::mark_snippet(term, {term});
  check(core::valid_utf8(snippet), "snippet is not valid UTF-8", snippet);
  check(snippet.find(">>>") != std::string::npos,
        "snippet does not mark the term in its own text", term);
}

void check_cjk_plan(std::string_view input) {
  auto plan = core::plan_cjk_query(input);
  if (!plan)
    return;
  std::size_t terms = 0;
  for (const auto& g : plan->groups) {
    check(!g.all.empty(), "CJK query group without a positive term");
    for (const auto* list : {&g.all, &g.none})
      for (const auto& term : *list) {
        check_term(term, plan->trigram);
        ++terms;
      }
  }
  check(terms <= core::max_cjk_terms, "too many CJK query terms");
  if (!plan->groups.empty())
    run_match(core::trigram_match(*plan), trigram_statement());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  check_cjk_plan(fuzz::as_text(data, size));
  auto out = core::sanitize_fts_query(fuzz::as_text(data, size));
  if (out.empty())
    return 0;
  check_shape(out);
  run_match(out);
  return 0;
}
