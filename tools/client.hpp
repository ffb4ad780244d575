#pragma once

// What the data commands share: where they work (a running server via
// --url, or a data dir), how they call the HTTP API, and how they print.

#include "core/result.hpp"
#include "persistence/data_dir_lock.hpp"
#include "persistence/sqlite_store.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::tools {

struct target_options {
  std::string url;        // empty: work on the data dir
  std::string token_file; // else env SWITCHBOARD_TOKEN
  std::string data_dir = "./var";
  bool json = false;
};

/// Adds --url, --token-file and --json; with `data_dir_mode` also
/// --data-dir (used when no --url is given), else --url is required.
void add_target_options(CLI::App* sub, target_options& o, bool data_dir_mode);

/// --user-id / --session-key of search and history (scoped reads).
struct scope_options {
  std::optional<std::string> user_id;
  std::optional<std::string> session_key;
};
void add_scope_options(CLI::App* sub, scope_options& o);
/// "&user_id=...&session_key=..." for the options that are set.
std::string scope_query(const scope_options& o);

/// Calls `path` ("/v1/...") on the server. A 2xx reply gives its JSON body;
/// anything else an error carrying the server's message and status.
core::result<nlohmann::json>
call_api(const target_options& o, const std::string& method,
         const std::string& path,
         const std::optional<nlohmann::json>& body = std::nullopt);

/// The write connection of a data dir with its lock (SPEC 15): the lock is
/// released after the connection is closed.
struct locked_writer {
  persistence::data_dir_lock lock;
  std::unique_ptr<persistence::sqlite_writer> writer;
  persistence::sqlite_writer* operator->() { return writer.get(); }
};

/// Read-only store on `<data_dir>/state.db`: takes no lock, so it works
/// beside a running server.
core::result<std::unique_ptr<persistence::sqlite_reader>>
open_data_reader(const target_options& o);
/// Read-write store on `<data_dir>/state.db`, after locking the data dir
/// (conflict "data dir DIR is in use by pid N" when another process has it).
core::result<locked_writer> open_data_writer(const target_options& o);

/// True for a session key (they all start with "agent:"), false for an id.
bool looks_like_key(std::string_view text);

/// Prints "switchboard: <message>" on stderr; returns exit code 1.
int fail(const core::error& e);
/// Prints a usage problem on stderr; returns exit code 2.
int usage_error(const std::string& message);

/// Pretty JSON on stdout.
void print_json(const nlohmann::json& j);

/// Text of one JSON value for a table cell: strings as they are, null as "",
/// numbers and the rest as JSON; newlines become spaces.
std::string cell(const nlohmann::json& v);
/// Like cell() but keeps newlines (message bodies).
std::string cell_text(const nlohmann::json& v);
/// "a,b,c".
std::string join_csv(const std::vector<std::string>& items);
/// An epoch-seconds number as ISO-8601 UTC ("" when null).
std::string epoch_cell(const nlohmann::json& v);

/// Prints rows under headers, columns padded to their widest cell (cells cut
/// at `max_width` code points).
void print_table(const std::vector<std::string>& headers,
                 const std::vector<std::vector<std::string>>& rows,
                 std::size_t max_width = 60);

/// One routing entry as FIELD/VALUE lines (tools/entry_output.cpp).
void print_entry(const nlohmann::json& entry);

} // namespace switchboard::tools
