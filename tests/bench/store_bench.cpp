// store_bench: how close the store's append_message gets to raw SQLite.
//
//   (a) the ceiling: plain sqlite3 API, WAL, synchronous=NORMAL, a messages
//       row and its FTS5 row inserted directly, 1000 per transaction;
//   (b) sqlite_writer::append_message over the same messages spread over
//       `sessions` sessions (created first), 1000 per transaction with a
//       SAVEPOINT per message, as the writer actor does.
// Messages are ~200 bytes of realistic words. One run; prints messages/s of
// both and the ratio b/a.
//
// Usage: store_bench [--json] [--reps 3] [--engine-ids] [messages=200000]
//                    [sessions=100000]
//                    [dir=/tmp]
// Runs (a) then (b) `reps` times and reports the medians.
// --engine-ids: session ids as the engine makes them (24 chars,
// "YYYYMMDD_HHMMSS_" + 8 hex digits, in an order unrelated to the
// round-robin of the messages) instead of "s<i>". With "s<i>", the i-th
// message's index entry sorts next to the (i-1)-th's, so
// idx_messages_session grows almost sequentially; real chats arrive in no
// such order, and every message then lands on a random index leaf.
// --json: also prints {"raw_msgs_per_s", "store_msgs_per_s", "ratio",
// "messages", "sessions"} as the last stdout line.

#include "persistence/sqlite_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

namespace sb = switchboard;

namespace {

constexpr int batch = 1000;

bool engine_ids = false; // --engine-ids

/// Session i's id: "s<i>", or the engine's form with --engine-ids (an odd
/// multiplier is a bijection mod 2^32: distinct, in scattered order).
std::string session_id(int i) {
  if (!engine_ids)
    return "s" + std::to_string(i);
  char b[32];
  std::snprintf(b, sizeof b, "20261130_083412_%08x",
                static_cast<unsigned>(i) * 2654435761u);
  return b;
}

const char* const words[] = {
  "the",       "deploy",  "server",     "please",   "check",    "config",
  "yesterday", "docker",  "container",  "restart",  "error",    "message",
  "user",      "account", "thanks",     "could",    "you",      "update",
  "schedule",  "meeting", "tomorrow",   "morning",  "report",   "numbers",
  "quarter",   "budget",  "review",     "draft",    "send",     "email",
  "team",      "project", "deadline",   "friday",   "weekend",  "database",
  "query",     "slow",    "index",      "cache",    "memory",   "network",
  "latency",   "timeout", "retry",      "login",    "password", "reset",
  "link",      "invoice", "payment",    "customer", "order",    "shipping",
  "delivery",  "late",    "question",   "answer",   "about",    "with",
  "from",      "this",    "that",       "when",     "where",    "why",
  "how",       "what",    "kubernetes", "python",   "build",    "test",
  "failing",   "green",   "merge",      "branch",   "release",  "notes",
  "version"};

std::vector<std::string> make_messages(int n) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<std::size_t> pick(0, std::size(words) - 1);
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    std::string s;
    while (s.size() < 200)
      s += std::string{words[pick(rng)]} + " ";
    s.resize(200);
    out.push_back(std::move(s));
  }
  return out;
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "store_bench: %s\n", what.c_str());
  std::exit(1);
}

void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    die(std::string{what} + ": " + sqlite3_errmsg(db));
}

void exec(sqlite3* db, const char* sql) {
  check(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), db, sql);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
    .count();
}

sqlite3_stmt* prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  check(sqlite3_prepare_v2(db, sql, -1, &s, nullptr), db, sql);
  return s;
}

void step_reset(sqlite3* db, sqlite3_stmt* s) {
  check(sqlite3_step(s), db, "step");
  sqlite3_reset(s);
}

void insert_raw_sessions(sqlite3* db, int sessions) {
  exec(db, "BEGIN");
  sqlite3_stmt* s = prepare(db, "INSERT INTO sessions (id, source, started_at) "
                                "VALUES (?, 'telegram', 1.7e9)");
  for (int i = 0; i < sessions; ++i) {
    std::string id = session_id(i);
    sqlite3_bind_text(s, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    step_reset(db, s);
  }
  sqlite3_finalize(s);
  exec(db, "COMMIT");
}

// (a) Raw ceiling: the message and FTS inserts only.
double raw_ceiling(const std::string& path,
                   const std::vector<std::string>& msgs, int sessions) {
  sqlite3* db = nullptr;
  check(sqlite3_open(path.c_str(), &db), db, "open");
  exec(db,
       "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
       "CREATE TABLE sessions (id TEXT PRIMARY KEY, source TEXT NOT NULL,"
       " started_at REAL NOT NULL, message_count INTEGER DEFAULT 0);"
       "CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT,"
       " session_id TEXT NOT NULL REFERENCES sessions(id), role TEXT NOT NULL,"
       " content TEXT, timestamp REAL NOT NULL);"
       "CREATE INDEX idx_messages_session ON messages(session_id, timestamp);"
       "CREATE VIRTUAL TABLE messages_fts USING fts5(content,"
       " content=messages, content_rowid=id);");
  insert_raw_sessions(db, sessions);
  sqlite3_stmt* ins =
    prepare(db, "INSERT INTO messages (session_id, role, "
                "content, timestamp) VALUES (?, 'user', ?, ?)");
  sqlite3_stmt* fts =
    prepare(db, "INSERT INTO messages_fts(rowid, content) VALUES (?, ?)");
  auto t0 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < msgs.size(); ++i) {
    if (i % batch == 0)
      exec(db, "BEGIN");
    std::string sid = session_id(static_cast<int>(i) % sessions);
    sqlite3_bind_text(ins, 1, sid.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 2, msgs[i].c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_double(ins, 3, 1.7e9 + static_cast<double>(i));
    step_reset(db, ins);
    sqlite3_bind_int64(fts, 1, sqlite3_last_insert_rowid(db));
    sqlite3_bind_text(fts, 2, msgs[i].c_str(), -1, SQLITE_STATIC);
    step_reset(db, fts);
    if (i % batch == batch - 1 || i + 1 == msgs.size())
      exec(db, "COMMIT");
  }
  double secs = seconds_since(t0);
  sqlite3_finalize(ins);
  sqlite3_finalize(fts);
  sqlite3_close(db);
  return static_cast<double>(msgs.size()) / secs;
}

void must(const sb::core::status& st, const char* what) {
  if (!st)
    die(std::string{what} + ": " + st.err().message);
}

void create_sessions(sb::persistence::sqlite_writer& w, int sessions) {
  for (int i = 0; i < sessions; ++i) {
    if (i % batch == 0)
      must(w.begin(), "begin");
    sb::core::session_row_init r;
    r.id = session_id(i);
    r.source = "telegram";
    r.started_at = sb::core::from_epoch_seconds(1.7e9);
    must(w.create_session(r), "create_session");
    if (i % batch == batch - 1 || i + 1 == sessions)
      must(w.commit(), "commit");
  }
}

// (b) The store, as the writer actor drives it.
double store_run(const std::string& path, const std::vector<std::string>& msgs,
                 int sessions) {
  auto w = sb::persistence::open_writer(path);
  if (!w)
    die(w.err().message);
  create_sessions(**w, sessions);
  sb::core::message m;
  m.role = "user";
  auto t0 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < msgs.size(); ++i) {
    if (i % batch == 0)
      must((*w)->begin(), "begin");
    m.content = msgs[i];
    must((*w)->savepoint(), "savepoint");
    auto id = (*w)->append_message(
      session_id(static_cast<int>(i) % sessions), m,
      sb::core::from_epoch_seconds(1.7e9 + static_cast<double>(i)));
    if (!id)
      die(id.err().message);
    must((*w)->release_savepoint(), "release");
    if (i % batch == batch - 1 || i + 1 == msgs.size())
      must((*w)->commit(), "commit");
  }
  return static_cast<double>(msgs.size()) / seconds_since(t0);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

} // namespace

int main(int argc, char** argv) {
  // The library as the engine configures it (persistence/sqlite.cpp): the
  // ceiling gets every library-wide setting the engine gets.
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  bool json = false;
  int reps = 3;
  std::vector<std::string> pos;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--json")
      json = true;
    else if (a == "--engine-ids")
      engine_ids = true;
    else if (a == "--reps" && i + 1 < argc)
      reps = std::max(1, std::atoi(argv[++i]));
    else
      pos.push_back(a);
  }
  int n = pos.size() > 0 ? std::atoi(pos[0].c_str()) : 200000;
  int sessions = pos.size() > 1 ? std::atoi(pos[1].c_str()) : 100000;
  std::string dir = pos.size() > 2 ? pos[2] : "/tmp";
  if (n <= 0 || sessions <= 0)
    die("usage: store_bench [--json] [--reps 3] [--engine-ids] [messages] "
        "[sessions] [dir]");
  std::string work = dir + "/store_bench_" + std::to_string(::getpid());
  std::filesystem::create_directories(work);
  auto msgs = make_messages(n);
  // Alternating repetitions: the machine is shared and noisy, so a single
  // raw-then-store pair can be skewed by whatever ran meanwhile.
  std::vector<double> raws, stores, ratios;
  for (int r = 0; r < reps; ++r) {
    auto tag = std::to_string(r);
    raws.push_back(raw_ceiling(work + "/raw" + tag + ".db", msgs, sessions));
    stores.push_back(store_run(work + "/store" + tag + ".db", msgs, sessions));
    ratios.push_back(stores.back() / raws.back());
  }
  std::filesystem::remove_all(work);
  double raw = median(raws), store = median(stores);
  std::printf("messages: %d over %d sessions, batches of %d, 200-byte texts,"
              " %d alternating repetitions (medians)\n",
              n, sessions, batch, reps);
  std::printf("(a) raw sqlite3 + FTS5 rows:      %10.0f messages/s\n", raw);
  std::printf("(b) sqlite_writer append_message: %10.0f messages/s\n", store);
  std::printf("ratio b/a: %.2f (per repetition: min %.2f, max %.2f)\n",
              store / raw, *std::min_element(ratios.begin(), ratios.end()),
              *std::max_element(ratios.begin(), ratios.end()));
  if (json)
    std::printf("{\"raw_msgs_per_s\": %.1f, \"store_msgs_per_s\": %.1f, "
                "\"ratio\": %.4f, \"messages\": %d, \"sessions\": %d}\n",
                raw, store, store / raw, n, sessions);
  return 0;
}
