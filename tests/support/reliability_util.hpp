#pragma once

// Helpers shared by the reliability suites (crash, hostile input, overload):
// raw-socket exchanges, a read-only look into the SQLite file, and a data
// dump to compare before and after (the keep-alive HTTP client is in
// http_client.hpp). POSIX only.

#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace switchboard::testing {

/// The port of "http://HOST:PORT".
int port_of(const std::string& url);

struct raw_result {
  std::string received; // everything read before close or the deadline
  bool closed = false;  // the server closed the connection
};

/// Connects to 127.0.0.1:port, writes `bytes`, then (when `half_close`)
/// shuts down the write side, and reads until the server closes or
/// `read_budget` passes without any data (bounded poll, not a sleep).
raw_result raw_exchange(
  int port, const std::string& bytes, bool half_close,
  std::chrono::milliseconds read_budget = std::chrono::milliseconds{3000});

/// The status codes of every HTTP response in `raw` ("HTTP/1.1 NNN").
std::vector<int> response_statuses(const std::string& raw);

/// The first result row of `sql` as text, opened read-only on `db_path`;
/// "<error: ...>" on failure.
std::string sqlite_scalar(const std::string& db_path, const std::string& sql);

/// Every row of `sql` (read-only on `db_path`) as a JSON array of arrays;
/// {"error": ...} on failure.
nlohmann::json sqlite_rows(const std::string& db_path, const std::string& sql);

/// A dump of all user data tables of state.db (sessions, messages,
/// session_entries, transcript_rewrites), every row as JSON, ordered.
nlohmann::json dump_tables(const std::string& db_path);

/// Writes `text` to `path`.
void write_file(const std::string& path, const std::string& text);

/// VmRSS of `pid` in KiB (0 when unreadable).
std::int64_t rss_kib(int pid);

/// "/v1/sessions/agent%3Amain%3Atelegram%3Adm%3A<chat>".
std::string key_path(const std::string& chat);

/// True when `r` is {"error": {"code": string, "message": string}}.
bool has_error_shape(const std::string& body);

} // namespace switchboard::testing
