#include "persistence/sqlite.hpp"

#include <utility>

namespace switchboard::persistence {

core::error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  std::string msg{what};
  msg += ": ";
  msg += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc) {
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_UNIQUE:
      return core::conflict(std::move(msg));
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return core::not_found(std::move(msg));
    default:
      return core::internal_error(std::move(msg));
  }
}

// -- statement ----------------------------------------------------------------

statement::statement(statement&& other) noexcept
  : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)),
    bind_rc_(other.bind_rc_) {}

statement& statement::operator=(statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_rc_ = other.bind_rc_;
  }
  return *this;
}

statement::~statement() {
  sqlite3_finalize(stmt_);
}

namespace {
int keep_first_error(int current, int rc) {
  return current != SQLITE_OK ? current : rc;
}
} // namespace

statement& statement::bind(int i, std::int64_t v) {
  bind_rc_ = keep_first_error(bind_rc_, sqlite3_bind_int64(stmt_, i, v));
  return *this;
}

statement& statement::bind(int i, double v) {
  bind_rc_ = keep_first_error(bind_rc_, sqlite3_bind_double(stmt_, i, v));
  return *this;
}

statement& statement::bind(int i, std::string_view v) {
  // SQLITE_TRANSIENT: the caller's buffer may die before step().
  int rc = sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8);
  bind_rc_ = keep_first_error(bind_rc_, rc);
  return *this;
}

statement& statement::bind(int i, const std::optional<std::string>& v) {
  return v ? bind(i, std::string_view{*v}) : bind_null(i);
}

statement& statement::bind(int i, const std::optional<std::int64_t>& v) {
  return v ? bind(i, *v) : bind_null(i);
}

statement& statement::bind(int i, const std::optional<double>& v) {
  return v ? bind(i, *v) : bind_null(i);
}

statement& statement::bind_null(int i) {
  bind_rc_ = keep_first_error(bind_rc_, sqlite3_bind_null(stmt_, i));
  return *this;
}

statement& statement::bind_column(int i, const statement& src, int col) {
  int rc = sqlite3_bind_value(stmt_, i, sqlite3_column_value(src.stmt_, col));
  bind_rc_ = keep_first_error(bind_rc_, rc);
  return *this;
}

core::result<bool> statement::step() {
  if (bind_rc_ != SQLITE_OK)
    return sqlite_error(db_, bind_rc_, "bind");
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW)
    return true;
  if (rc == SQLITE_DONE)
    return false;
  // sqlite3_step returns the primary code; the extended one says which
  // constraint failed.
  return sqlite_error(db_, sqlite3_extended_errcode(db_), "step");
}

core::status statement::run() {
  for (;;) {
    auto r = step();
    if (!r)
      return std::move(r).err();
    if (!*r)
      return {};
  }
}

void statement::done() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_rc_ = SQLITE_OK;
}

bool statement::is_null(int c) const {
  return sqlite3_column_type(stmt_, c) == SQLITE_NULL;
}

std::string statement::text(int c) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
  if (p == nullptr)
    return {};
  return std::string(p,
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, c)));
}

std::optional<std::string> statement::opt_text(int c) const {
  if (is_null(c))
    return std::nullopt;
  return text(c);
}

// -- connection ---------------------------------------------------------------

namespace {

/// Why: with memory statistics on (the library's default), every
/// sqlite3_malloc and sqlite3_free takes a process-wide mutex to count the
/// bytes; nothing here reads those counts. Must run before SQLite
/// initializes; if something initialized it already, the call fails and
/// changes nothing.
void configure_library_once() {
  static const bool done = [] {
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)done;
}

} // namespace

core::result<std::unique_ptr<connection>>
connection::open(const std::string& path, int flags) {
  configure_library_once();
  sqlite3* db = nullptr;
  int rc =
    sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    auto err = sqlite_error(db, rc, "cannot open " + path);
    sqlite3_close(db);
    return err;
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<connection>(new connection(db));
}

connection::~connection() {
  cache_.clear(); // finalize every statement before closing
  sqlite3_close(db_);
}

core::status connection::exec(std::string_view sql) {
  std::string text{sql};
  char* msg = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &msg);
  if (rc == SQLITE_OK)
    return {};
  std::string what = msg != nullptr ? msg : sqlite3_errstr(rc);
  sqlite3_free(msg);
  auto err = sqlite_error(nullptr, rc, text.substr(0, 60));
  err.message = text.substr(0, 60) + ": " + what;
  return err;
}

core::result<statement> connection::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK)
    return sqlite_error(db_, rc, "prepare");
  return statement{db_, stmt};
}

core::result<statement*> connection::cached(std::string_view sql) {
  if (auto it = cache_.find(sql); it != cache_.end())
    return &it->second;
  auto s = prepare(sql);
  if (!s)
    return std::move(s).err();
  auto [it, _] = cache_.emplace(std::string{sql}, std::move(*s));
  return &it->second;
}

core::result<std::optional<std::int64_t>>
connection::scalar(std::string_view sql) {
  auto s = cached(sql);
  if (!s)
    return std::move(s).err();
  query q{**s};
  auto row = q->step();
  if (!row)
    return std::move(row).err();
  if (!*row || q->is_null(0))
    return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{q->int64(0)};
}

std::string escape_like(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 4);
  for (char c : s) {
    if (c == '\\' || c == '%' || c == '_')
      out += '\\';
    out += c;
  }
  return out;
}

} // namespace switchboard::persistence
