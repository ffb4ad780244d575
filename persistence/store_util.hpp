#pragma once

// Internal helpers shared by the sqlite_* translation units (not a public
// header of the persistence module).

#include "core/message.hpp"
#include "core/session_entry.hpp"
#include "persistence/sqlite.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace switchboard::persistence::detail {

/// Borrows the cached statement for `sql` into `name`, or returns its error
/// from the enclosing function.
#define SB_QUERY(name, db, sql)                                                \
  auto name##_stmt = (db).cached(sql);                                         \
  if (!name##_stmt)                                                            \
    return std::move(name##_stmt).err();                                       \
  ::switchboard::persistence::query name { **name##_stmt }

/// Evaluates a status-returning expression and returns its error, if any.
#define SB_TRY(expr)                                                           \
  do {                                                                         \
    if (auto sb_st_ = (expr); !sb_st_)                                         \
      return std::move(sb_st_).err();                                          \
  } while (0)

/// The row as a JSON object (column names as keys; NULL -> null).
nlohmann::json row_to_json(const statement& s);

/// JSON text for a structured message field, nullopt when absent or empty
/// (the seed stores `json.dumps(x) if x else None`).
std::optional<std::string> json_text(const std::optional<nlohmann::json>& j);

/// Parses stored JSON text; nullopt when absent or not valid JSON.
std::optional<nlohmann::json> parse_json_text(const std::optional<std::string>& s);

/// Microseconds since the epoch (session_entries times).
inline std::int64_t to_micros(core::time_point t) {
  return t.time_since_epoch().count();
}
inline core::time_point from_micros(std::int64_t us) {
  return core::time_point{core::duration{us}};
}

/// The columns of session_entries, in the order bind_entry/read_entry use.
extern const char* const entry_columns;

/// The number of columns in entry_columns.
inline constexpr int entry_column_count = 22;

/// Binds the 22 entry columns at parameters 1..22.
void bind_entry(statement& s, const core::session_entry& e);

/// Reads the 22 entry columns starting at column `first`.
core::result<core::session_entry> read_entry(const statement& s, int first);

/// The first `n` code points of `s` (bytes of invalid UTF-8 count as one).
std::string utf8_prefix(std::string_view s, std::size_t n);
std::size_t utf8_length(std::string_view s);

} // namespace switchboard::persistence::detail
