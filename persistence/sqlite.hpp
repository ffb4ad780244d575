#pragma once

// Thin RAII layer over the SQLite C API: a connection that owns its sqlite3*
// and a cache of prepared statements, and a statement handle with typed
// bind/column helpers. Every sqlite3_* return code is checked and turned into
// a core::error; nothing here throws.
//
// REQUIRES: a connection (and its statements) is used by one thread at a time.

#include "core/result.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace switchboard::persistence {

/// Maps an SQLite result code (with the connection's message) to an error:
/// constraint violations on a primary key or unique index -> conflict,
/// foreign-key violations -> not_found, anything else -> internal.
core::error sqlite_error(sqlite3* db, int rc, std::string_view what);

/// A prepared statement. Reset and unbound by `done()` (the connection's
/// cache calls it through `query`), finalized on destruction.
class statement {
public:
  statement() = default;
  statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  statement(statement&& other) noexcept;
  statement& operator=(statement&& other) noexcept;
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  ~statement();

  // Binds (1-based). Errors are remembered and returned by the next step().
  statement& bind(int i, std::int64_t v);
  statement& bind(int i, int v) { return bind(i, std::int64_t{v}); }
  statement& bind(int i, double v);
  statement& bind(int i, std::string_view v);
  statement& bind(int i, const char* v) { return bind(i, std::string_view{v}); }
  statement& bind(int i, const std::string& v) {
    return bind(i, std::string_view{v});
  }
  statement& bind(int i, const std::optional<std::string>& v);
  statement& bind(int i, const std::optional<std::int64_t>& v);
  statement& bind(int i, const std::optional<double>& v);
  statement& bind_null(int i);
  /// Binds column `col` of `src`'s current row as is (any type).
  statement& bind_column(int i, const statement& src, int col);

  /// One step: true = a row is ready, false = done.
  core::result<bool> step();
  /// Steps to completion, ignoring rows.
  core::status run();
  void done();

  int parameters() const { return sqlite3_bind_parameter_count(stmt_); }
  int columns() const { return sqlite3_column_count(stmt_); }
  bool is_null(int c) const;
  std::int64_t int64(int c) const { return sqlite3_column_int64(stmt_, c); }
  double real(int c) const { return sqlite3_column_double(stmt_, c); }
  std::string text(int c) const;
  std::optional<std::string> opt_text(int c) const;
  sqlite3_stmt* raw() const { return stmt_; }

private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  int bind_rc_ = SQLITE_OK;
};

/// A statement borrowed from the cache; resets it when it goes out of scope.
class query {
public:
  explicit query(statement& s) : s_(&s) {}
  query(const query&) = delete;
  query& operator=(const query&) = delete;
  ~query() { s_->done(); }
  statement* operator->() { return s_; }
  statement& operator*() { return *s_; }

private:
  statement* s_;
};

/// Owns one sqlite3* and its prepared statements (keyed by SQL text, compiled
/// on first use only).
class connection {
public:
  /// Opens `path` with the SQLITE_OPEN_* `flags`. Never creates a file unless
  /// the flags say so.
  static core::result<std::unique_ptr<connection>> open(const std::string& path,
                                                        int flags);
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  ~connection();

  /// Runs SQL without results (may hold several statements).
  core::status exec(std::string_view sql);
  /// The cached statement for `sql`, compiled on first use.
  core::result<statement*> cached(std::string_view sql);
  /// A fresh statement (for one-off SQL such as migrations).
  core::result<statement> prepare(std::string_view sql);
  /// Runs `sql` (cached) expecting one integer; nullopt when no row.
  core::result<std::optional<std::int64_t>> scalar(std::string_view sql);

  std::int64_t changes() const { return sqlite3_changes64(db_); }
  std::int64_t last_rowid() const { return sqlite3_last_insert_rowid(db_); }
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
  sqlite3* raw() const { return db_; }

private:
  explicit connection(sqlite3* db) : db_(db) {}

  struct sv_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>{}(s);
    }
  };
  sqlite3* db_;
  std::unordered_map<std::string, statement, sv_hash, std::equal_to<>> cache_;
};

/// Escapes `\`, `%` and `_` with a backslash for `LIKE ? ESCAPE '\'`.
std::string escape_like(std::string_view s);

} // namespace switchboard::persistence
