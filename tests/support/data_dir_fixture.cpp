#include "tests/support/data_dir_fixture.hpp"

#include "persistence/schema.hpp"
#include "persistence/sqlite.hpp"
#include "persistence/sqlite_store.hpp"

namespace switchboard::testing {

namespace {

core::session_row_init row(std::string id, std::string source, double at,
                           std::optional<std::string> title) {
  core::session_row_init r;
  r.id = std::move(id);
  r.source = std::move(source);
  r.title = std::move(title);
  r.started_at = core::from_epoch_seconds(at);
  return r;
}

core::message text(std::string role, std::string content) {
  core::message m;
  m.role = std::move(role);
  m.content = std::move(content);
  return m;
}

core::session_entry discord_entry() {
  core::session_entry e;
  e.session_key = "agent:main:discord:dm:7";
  e.session_id = "20260102_000000_bbbb2222";
  e.created_at = core::from_epoch_seconds(2000);
  e.updated_at = core::from_epoch_seconds(2001);
  e.platform = "discord";
  return e;
}

core::status fill(persistence::sqlite_writer& w) {
  const std::string a = "20260101_000000_aaaa1111",
                    b = "20260102_000000_bbbb2222";
  for (auto st :
       {w.begin(), w.create_session(row(a, "telegram", 1000, "alpha")),
        w.create_session(row(b, "discord", 2000, std::nullopt))})
    if (!st)
      return st;
  auto at = core::from_epoch_seconds(1001);
  for (const auto& [id, m] :
       {std::pair{a, text("user", "hello kangaroo world")},
        std::pair{a, text("assistant", "hi there")},
        std::pair{b, text("user", "second session text")}})
    if (auto r = w.append_message(id, m, at); !r)
      return r.err();
  if (auto st = w.end_session(a, "user_exit", at); !st)
    return st;
  if (auto st = w.upsert_entry(discord_entry()); !st)
    return st;
  return w.commit();
}

core::status fill_lineage(persistence::sqlite_writer& w) {
  if (auto st = w.begin(); !st)
    return st;
  if (auto st = w.create_session(
        row("20260301_000000_aaaa0001", "telegram", 3000, "plan"));
      !st)
    return st;
  auto child = w.create_compression_child(
    "20260301_000000_aaaa0001",
    row("20260301_010000_bbbb0002", "telegram", 3600, std::nullopt));
  if (!child)
    return child.err();
  if (auto st = w.create_session(
        row("20260301_020000_cccc0003", "telegram", 7200, std::nullopt));
      !st)
    return st;
  return w.commit();
}

/// Opens DIR/state.db for writing and runs `fill` on it; "" or the error.
std::string write_data_dir(const std::string& dir,
                           core::status (*fill)(persistence::sqlite_writer&)) {
  auto w = persistence::open_writer(dir + "/state.db");
  if (!w)
    return w.err().message;
  auto st = fill(**w);
  return st ? "" : st.err().message;
}

} // namespace

std::string fill_lineage_data_dir(const std::string& dir) {
  return write_data_dir(dir, fill_lineage);
}

std::string fill_data_dir(const std::string& dir) {
  return write_data_dir(dir, fill);
}

std::string make_hermes_home(const std::string& home) {
  auto db = persistence::connection::open(
    home + "/state.db", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!db)
    return db.err().message;
  for (const char* sql :
       {persistence::seed_v6_schema_sql,
        "INSERT INTO schema_version(version) VALUES (6);"
        "INSERT INTO sessions(id, source, started_at, message_count) VALUES "
        "('20250505_050505_cccc3333', 'cli', 500.0, 1);"
        "INSERT INTO messages(session_id, role, content, timestamp) VALUES "
        "('20250505_050505_cccc3333', 'user', 'imported platypus', 501.0);"})
    if (auto st = (*db)->exec(sql); !st)
      return st.err().message;
  return "";
}

} // namespace switchboard::testing
