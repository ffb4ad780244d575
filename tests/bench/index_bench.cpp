// index_bench: what the per-session message index costs the writer, and what
// two other index shapes would cost, in raw SQL (no switchboard code).
//
// Each shape inserts the same messages (200-byte texts, with their FTS5 rows)
// in transactions of 1000, WAL, synchronous=NORMAL, a 16 MiB page cache and a
// passive checkpoint every 4 transactions, into `sessions` sessions that
// already hold one message each; each message goes to a random session with
// an id shaped like the engine's (24 chars, scattered order):
//   inline  today's schema: idx_messages_session(session_id, timestamp) on
//           messages, so every message lands on a random leaf of a large
//           index;
//   tail    a small WITHOUT ROWID table message_tail(session_id, id) takes
//           each message's index entry; every `every` transactions its rows
//           move in one sorted INSERT ... SELECT into the large
//           message_index(session_id, id) and are deleted. Reads would look
//           in both tables, each indexed;
//   none    no session index at all (the upper bound; reads would scan).
// Prints messages/s of each shape from one run, and each as a ratio of inline.
//
// Usage: index_bench [--json] [messages=200000] [sessions=100000] [every=20]
//                    [dir=/tmp]

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

constexpr int batch = 1000;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "index_bench: %s\n", what.c_str());
  std::exit(1);
}

class db {
public:
  explicit db(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK)
      die("open " + path);
  }
  ~db() {
    for (auto* s : stmts_)
      sqlite3_finalize(s);
    sqlite3_close(db_);
  }
  db(const db&) = delete;
  db& operator=(const db&) = delete;

  void exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
      die(std::string(sql) + ": " + sqlite3_errmsg(db_));
  }
  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK)
      die(std::string(sql) + ": " + sqlite3_errmsg(db_));
    stmts_.push_back(s);
    return s;
  }
  void step(sqlite3_stmt* s) {
    if (sqlite3_step(s) != SQLITE_DONE)
      die(std::string("step: ") + sqlite3_errmsg(db_));
    sqlite3_reset(s);
  }
  sqlite3_int64 last_id() const { return sqlite3_last_insert_rowid(db_); }

private:
  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> stmts_;
};

std::string session_id(std::uint32_t i) {
  char b[32];
  std::snprintf(b, sizeof b, "20261130_083412_%08x", i * 2654435761u);
  return b;
}

std::vector<std::string> make_texts(int n) {
  static const char* const words[] = {"the",   "deploy",  "server", "please",
                                      "check", "config",  "docker", "restart",
                                      "error", "message", "user",   "thanks"};
  std::mt19937 rng(42);
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    std::string s;
    while (s.size() < 200)
      s += std::string(words[rng() % std::size(words)]) + " ";
    s.resize(200);
    out.push_back(std::move(s));
  }
  return out;
}

void create_schema(db& d, const std::string& shape) {
  d.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
         "PRAGMA cache_size=-16384;"
         "CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT,"
         " session_id TEXT NOT NULL, role TEXT NOT NULL, content TEXT,"
         " timestamp REAL NOT NULL);"
         "CREATE VIRTUAL TABLE messages_fts USING fts5(content,"
         " content=messages, content_rowid=id);");
  if (shape == "inline")
    d.exec("CREATE INDEX idx_messages_session ON messages(session_id,"
           " timestamp)");
  if (shape == "tail")
    d.exec("CREATE TABLE message_index (session_id TEXT NOT NULL,"
           " id INTEGER NOT NULL, PRIMARY KEY (session_id, id)) WITHOUT ROWID;"
           "CREATE TABLE message_tail (session_id TEXT NOT NULL,"
           " id INTEGER NOT NULL, PRIMARY KEY (session_id, id)) WITHOUT ROWID");
}

/// One message in each session, committed and checkpointed (the sessions
/// exist before the measured run).
void fill_sessions(db& d, const std::string& shape, int sessions) {
  auto* ins = d.prepare("INSERT INTO messages (session_id, role, content,"
                        " timestamp) VALUES (?, 'user', 'hi', 1.6e9)");
  d.exec("BEGIN");
  for (int i = 0; i < sessions; ++i) {
    auto id = session_id(static_cast<std::uint32_t>(i));
    sqlite3_bind_text(ins, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    d.step(ins);
  }
  if (shape == "tail")
    d.exec("INSERT INTO message_index SELECT session_id, id FROM messages"
           " ORDER BY session_id, id");
  d.exec("COMMIT; PRAGMA wal_checkpoint(TRUNCATE)");
}

/// Messages/s of `shape` over `texts`.
double run(const std::string& path, const std::string& shape,
           const std::vector<std::string>& texts, int sessions, int every) {
  db d(path);
  create_schema(d, shape);
  fill_sessions(d, shape, sessions);
  auto* ins = d.prepare("INSERT INTO messages (session_id, role, content,"
                        " timestamp) VALUES (?, 'user', ?, ?)");
  auto* fts = d.prepare("INSERT INTO messages_fts(rowid, content) VALUES"
                        " (?, ?)");
  sqlite3_stmt* tail = nullptr;
  if (shape == "tail")
    tail = d.prepare("INSERT INTO message_tail VALUES (?, ?)");
  std::mt19937 pick(7);
  auto t0 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (i % batch == 0)
      d.exec("BEGIN");
    auto sid = session_id(pick() % static_cast<std::uint32_t>(sessions));
    sqlite3_bind_text(ins, 1, sid.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 2, texts[i].c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_double(ins, 3, 1.7e9 + static_cast<double>(i));
    d.step(ins);
    auto id = d.last_id();
    sqlite3_bind_int64(fts, 1, id);
    sqlite3_bind_text(fts, 2, texts[i].c_str(), -1, SQLITE_STATIC);
    d.step(fts);
    if (tail) {
      sqlite3_bind_text(tail, 1, sid.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(tail, 2, id);
      d.step(tail);
    }
    bool last = i + 1 == texts.size();
    if (i % batch != batch - 1 && !last)
      continue;
    auto n = static_cast<int>(i / batch);
    if (tail && (n % every == every - 1 || last))
      d.exec("INSERT INTO message_index SELECT * FROM message_tail;"
             "DELETE FROM message_tail");
    d.exec("COMMIT");
    if (n % 4 == 3)
      d.exec("PRAGMA wal_checkpoint(PASSIVE)");
  }
  std::chrono::duration<double> secs = std::chrono::steady_clock::now() - t0;
  return static_cast<double>(texts.size()) / secs.count();
}

} // namespace

int main(int argc, char** argv) {
  // The library as the engine configures it (persistence/sqlite.cpp): the
  // ceiling gets every library-wide setting the engine gets.
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  bool json = false;
  std::vector<int> pos;
  std::string dir = "/tmp";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--json")
      json = true;
    else if (pos.size() < 3)
      pos.push_back(std::atoi(a.c_str()));
    else
      dir = a;
  }
  int n = pos.size() > 0 ? pos[0] : 200000;
  int sessions = pos.size() > 1 ? pos[1] : 100000;
  int every = pos.size() > 2 ? pos[2] : 20;
  if (n <= 0 || sessions <= 0 || every <= 0)
    die("usage: index_bench [--json] [messages] [sessions] [every] [dir]");
  auto work = dir + "/index_bench_" + std::to_string(::getpid());
  std::filesystem::create_directories(work);
  auto texts = make_texts(n);
  double rate[3];
  const char* shapes[] = {"inline", "tail", "none"};
  for (int s = 0; s < 3; ++s)
    rate[s] =
      run(work + "/" + shapes[s] + ".db", shapes[s], texts, sessions, every);
  std::filesystem::remove_all(work);
  std::printf("messages: %d into %d sessions, batches of %d, tail moved every"
              " %d batches\n",
              n, sessions, batch, every);
  for (int s = 0; s < 3; ++s)
    std::printf("%-7s %10.0f messages/s  %.2f x inline\n", shapes[s], rate[s],
                rate[s] / rate[0]);
  if (json)
    std::printf("{\"inline_msgs_per_s\": %.1f, \"tail_msgs_per_s\": %.1f,"
                " \"none_msgs_per_s\": %.1f, \"messages\": %d, \"sessions\":"
                " %d, \"every\": %d}\n",
                rate[0], rate[1], rate[2], n, sessions, every);
  return 0;
}
