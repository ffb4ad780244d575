#pragma once

// Shared helpers for the persistence tests: a temporary directory removed at
// the end of each test, seed-layout databases built by hand, and shortcuts.

#include "core/store.hpp"
#include "persistence/sqlite.hpp"
#include "persistence/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace switchboard::persistence::test {

/// A fresh directory under /tmp, removed with everything in it on scope exit.
class temp_dir {
public:
  temp_dir() {
    std::string tmpl = "/tmp/sb_persistence_XXXXXX";
    char* p = ::mkdtemp(tmpl.data());
    EXPECT_NE(p, nullptr);
    path_ = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

private:
  std::string path_;
};

/// Whether the schema has a table, index or trigger of that name.
inline bool has_object(connection& db, const std::string& name) {
  auto s =
    db.prepare("SELECT 1 FROM sqlite_master WHERE name = '" + name + "'");
  return s.ok() && *s->step();
}

inline core::time_point at_seconds(double s) {
  return core::from_epoch_seconds(s);
}

inline core::session_row_init
row(std::string id, std::string source = "telegram", double started = 1000) {
  core::session_row_init r;
  r.id = std::move(id);
  r.source = std::move(source);
  r.started_at = at_seconds(started);
  return r;
}

inline core::message msg(std::string role, std::optional<std::string> content) {
  core::message m;
  m.role = std::move(role);
  m.content = std::move(content);
  return m;
}

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Runs SQL on a raw connection, failing the test on error.
inline void exec(connection& db, const std::string& sql) {
  auto st = db.exec(sql);
  ASSERT_TRUE(st.ok()) << st.err().message;
}

inline std::unique_ptr<connection> raw_open(const std::string& path) {
  auto db = connection::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  EXPECT_TRUE(db.ok());
  return std::move(*db);
}

/// Builds a database in the seed's layout of `version` (1-6) by hand, with
/// the FTS table and triggers, and a little data: two sessions (s1 parent of
/// s2), three messages.
void make_seed_db(const std::string& path, int version);

/// Opens a writer or fails the test.
inline std::unique_ptr<sqlite_writer>
must_open_writer(const std::string& path) {
  auto w = open_writer(path);
  EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.err().message);
  return w.ok() ? std::move(*w) : nullptr;
}

} // namespace switchboard::persistence::test
