// Crash safety of `switchboard serve` (issue 7, item 1): the real server on
// a temporary data dir is driven by concurrent keep-alive clients, SIGKILLed
// at a random moment (seeded RNG: a random number of acknowledgements), and
// restarted on the same data dir. Then every acknowledged write must be
// there: each routed message in its session's transcript and found by
// search, the last acknowledged transcript rewrite and title (or a later
// attempted one), one routing entry per key pointing at an existing session,
// `PRAGMA integrity_check` ok, and sessions.json (mirrored every few ms)
// absent or complete valid JSON, never torn.
//
// Each round kills on a different trigger: after N routed messages, after N
// transcript rewrites, after N title changes (all three kinds run in every
// round). Default: 3 rounds (one per trigger), well under a minute.
// The server folds its derived state every 16 writes (writer.fold_max_jobs;
// by default every 2,000 or more, which a round never reaches), so a kill
// finds folded and unfolded messages, and may fall between the slices of a
// sweep. The derived state it leaves (each slice committed whole or not at
// all) is checked before the restart folds the rest.
// Long mode: SWITCHBOARD_CRASH_ROUNDS=10 (or more) runs that many rounds;
// SWITCHBOARD_CRASH_SEED=N changes the seed (printed on failure).
// A separate test kills the server during an expiry sweep whose command
// flush hook is slow, and checks that nothing finalized is flushed twice.

#include "tests/support/process.hpp"
#include "tests/support/reliability_util.hpp"
#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

namespace switchboard::testing {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

struct acked_message {
  std::string chat;
  std::string session_id;
  std::string token;
};

enum class trigger { route, rewrite, title };

/// What the clients of one round did; guarded by `mtx`.
struct round_log {
  std::mutex mtx;
  std::condition_variable cv;
  std::vector<acked_message> messages;
  int rewrites_acked = 0; // highest acknowledged rewrite version
  int rewrites_tried = 0; // highest attempted rewrite version
  int titles_acked = 0;
  int titles_tried = 0;
  std::string rewrite_session;
  std::string title_session;
  std::atomic<bool> dead{false};

  int count(trigger t) {
    switch (t) {
      case trigger::route:
        return static_cast<int>(messages.size());
      case trigger::rewrite:
        return rewrites_acked;
      case trigger::title:
        return titles_acked;
    }
    return 0;
  }
};

json parse(const full_response& r) {
  return json::parse(r.body, nullptr, false);
}

/// Routes messages with unique tokens until the server dies.
void route_loop(const std::string& url, int round, int worker,
                std::uint64_t seed, round_log& log) {
  keep_alive_client client;
  std::mt19937_64 rng{seed};
  for (int seq = 0; !log.dead; ++seq) {
    auto chat = "r" + std::to_string(round) + "w" + std::to_string(worker) +
                "c" + std::to_string(rng() % 6);
    auto token = "tok" + std::to_string(round) + "x" + std::to_string(worker) +
                 "x" + std::to_string(seq);
    auto r = client.request("POST", url + "/v1/messages",
                            route_body(chat, "message " + token + " body"));
    if (r.status != 200)
      return; // the server is gone (no ack: may or may not be stored)
    std::lock_guard lock{log.mtx};
    log.messages.push_back(
      {chat, parse(r)["session_id"].get<std::string>(), token});
    log.cv.notify_all();
  }
}

json rewrite_body(int version) {
  auto v = std::to_string(version);
  return {
    {"messages",
     json::array({{{"role", "user"}, {"content", "rw" + v + "a"}},
                  {{"role", "assistant"}, {"content", "rw" + v + "b"}}})}};
}

/// PUTs transcript version 1, 2, ... on chat "rw" until the server dies.
void rewrite_loop(const std::string& url, round_log& log) {
  keep_alive_client client;
  auto first = client.request("POST", url + "/v1/messages",
                              route_body("rw", "seed message"));
  if (first.status != 200)
    return;
  {
    std::lock_guard lock{log.mtx};
    log.rewrite_session = parse(first)["session_id"].get<std::string>();
  }
  for (int v = 1; !log.dead; ++v) {
    {
      std::lock_guard lock{log.mtx};
      log.rewrites_tried = v;
    }
    auto r = client.request("PUT", url + key_path("rw") + "/transcript",
                            rewrite_body(v).dump());
    if (r.status != 200)
      return;
    std::lock_guard lock{log.mtx};
    log.rewrites_acked = v;
    log.cv.notify_all();
  }
}

/// Sets title "title N" (N = 1, 2, ...) on chat "ti"'s session.
void title_loop(const std::string& url, round_log& log) {
  keep_alive_client client;
  auto first = client.request("POST", url + "/v1/messages",
                              route_body("ti", "seed message"));
  if (first.status != 200)
    return;
  auto id = parse(first)["session_id"].get<std::string>();
  {
    std::lock_guard lock{log.mtx};
    log.title_session = id;
  }
  for (int v = 1; !log.dead; ++v) {
    {
      std::lock_guard lock{log.mtx};
      log.titles_tried = v;
    }
    auto r =
      client.request("PUT", url + "/v1/session-ids/" + id + "/title",
                     json{{"title", "title " + std::to_string(v)}}.dump());
    if (r.status != 200)
      return;
    std::lock_guard lock{log.mtx};
    log.titles_acked = v;
    log.cv.notify_all();
  }
}

/// The version N of "rwNa" / "title N" text; -1 when it is not one.
int version_of(const std::string& text, const std::string& prefix) {
  if (text.rfind(prefix, 0) != 0)
    return -1;
  return std::atoi(text.c_str() + prefix.size());
}

class CrashTest : public ::testing::Test {
protected:
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string write_config(const json& extra) {
    json cfg = {
      {"index",
       {{"sessions_json_mirror", true}, {"mirror_interval_seconds", 0.005}}}};
    cfg.update(extra, true);
    auto path = dir_ + "/config.json";
    write_file(path, cfg.dump());
    return path;
  }

  /// sessions.json is absent or one complete JSON object; true when present.
  bool expect_mirror_whole() {
    auto path = dir_ + "/data/sessions.json";
    if (!fs::exists(path))
      return false;
    std::ifstream in{path};
    std::stringstream text;
    text << in.rdbuf();
    auto j = json::parse(text.str(), nullptr, false);
    EXPECT_TRUE(j.is_object())
      << "torn sessions.json: " << text.str().size() << " bytes";
    return true;
  }

  void verify_messages(keep_alive_client& c, const std::string& url,
                       const std::vector<acked_message>& acked) {
    std::map<std::string, std::set<std::string>> contents; // by session id
    for (const auto& m : acked) {
      if (contents.count(m.session_id))
        continue;
      auto r =
        c.request("GET", url + "/v1/session-ids/" + m.session_id + "/messages");
      ASSERT_EQ(r.status, 200) << r.body;
      auto& set = contents[m.session_id];
      auto reply = parse(r);
      for (const auto& msg : reply["messages"])
        if (msg.contains("content") && msg["content"].is_string())
          set.insert(msg["content"].get<std::string>());
    }
    std::set<std::string> chats;
    for (const auto& m : acked) {
      if (chats.insert(m.chat).second) {
        EXPECT_EQ(c.request("GET", url + key_path(m.chat)).status, 200)
          << "no routing entry for chat " << m.chat;
      }
    }
    for (const auto& m : acked) {
      EXPECT_TRUE(contents[m.session_id].count("message " + m.token + " body"))
        << "lost acknowledged message " << m.token << " of " << m.session_id
        << " (" << contents[m.session_id].size() << " messages there)";
      auto found = c.request("GET", url + "/v1/search?q=" + m.token);
      ASSERT_EQ(found.status, 200) << found.body;
      auto results = parse(found)["results"];
      ASSERT_EQ(results.size(), 1u) << m.token << ": " << found.body;
      EXPECT_EQ(results[0]["session_id"], m.session_id);
    }
  }

  void verify_rewrite(keep_alive_client& c, const std::string& url,
                      round_log& log) {
    if (log.rewrite_session.empty())
      return;
    auto r = c.request("GET", url + key_path("rw") + "/transcript");
    ASSERT_EQ(r.status, 200) << r.body;
    auto msgs = parse(r)["messages"];
    if (log.rewrites_acked == 0 && msgs.size() == 1)
      return; // only the seed message, no rewrite acknowledged
    ASSERT_EQ(msgs.size(), 2u) << r.body;
    int v = version_of(msgs[0]["content"].get<std::string>(), "rw");
    EXPECT_GE(v, log.rewrites_acked) << "lost an acknowledged rewrite";
    EXPECT_LE(v, log.rewrites_tried);
    EXPECT_EQ(msgs[1]["content"], "rw" + std::to_string(v) + "b")
      << "half-applied rewrite";
  }

  void verify_title(keep_alive_client& c, const std::string& url,
                    round_log& log) {
    if (log.title_session.empty())
      return;
    auto r = c.request("GET", url + "/v1/session-ids/" + log.title_session);
    ASSERT_EQ(r.status, 200) << r.body;
    auto title = parse(r)["title"];
    if (log.titles_acked == 0 && !title.is_string())
      return;
    ASSERT_TRUE(title.is_string()) << r.body;
    int v = version_of(title.get<std::string>(), "title ");
    EXPECT_GE(v, log.titles_acked) << "lost an acknowledged title";
    EXPECT_LE(v, log.titles_tried);
  }

  /// Derived state (persistence/derived_state.cpp) in the file: every
  /// message is in exactly one of message_index (folded) and message_tail
  /// (unfolded); the stored counters count exactly the active rows that
  /// `folded` selects (`m` a message of session `s`: right after the kill,
  /// those in message_index; after a restart folded the rest in and a
  /// SIGTERM stopped it, all of them), and no entry is older than a folded
  /// inbound message of its session.
  void verify_derived(const std::string& folded) {
    auto db = dir_ + "/data/state.db";
    EXPECT_EQ(sqlite_scalar(db, "SELECT COUNT(*) FROM messages m WHERE "
                                "(SELECT COUNT(*) FROM message_index i WHERE "
                                "i.id = m.id) + (SELECT COUNT(*) FROM "
                                "message_tail t WHERE t.id = m.id) != 1"),
              "0")
      << "a message is not in exactly one of message_index and message_tail";
    EXPECT_EQ(sqlite_scalar(db, "SELECT COUNT(*) FROM sessions s WHERE "
                                "s.message_count != (SELECT COUNT(*) FROM "
                                "messages m WHERE m.session_id = s.id AND "
                                "m.active = 1 AND " +
                                  folded + ")"),
              "0")
      << "message_count differs from the rows that " << folded << " selects";
    EXPECT_EQ(
      sqlite_scalar(db, "SELECT COUNT(*) FROM session_entries e WHERE "
                        "e.updated_at < (SELECT CAST(ROUND(MAX(m.timestamp) * "
                        "1000000) AS INTEGER) FROM messages m WHERE "
                        "m.session_id = e.session_id AND m.role = 'user' AND " +
                          folded +
                          " AND NOT EXISTS (SELECT 1 FROM "
                          "transcript_rewrites r WHERE r.session_id = "
                          "m.session_id AND m.id BETWEEN r.first_id AND "
                          "r.last_id))"),
      "0")
      << "an entry's updated_at misses an inbound message that " << folded
      << " selects";
  }

  void verify_file() {
    auto db = dir_ + "/data/state.db";
    EXPECT_EQ(sqlite_scalar(db, "PRAGMA integrity_check"), "ok");
    verify_derived("1"); // every message
    EXPECT_EQ(sqlite_scalar(db, "SELECT COUNT(*) FROM (SELECT session_key FROM "
                                "session_entries GROUP BY session_key HAVING "
                                "COUNT(*) > 1)"),
              "0")
      << "duplicate routing entries";
    EXPECT_EQ(sqlite_scalar(db, "SELECT COUNT(*) FROM session_entries e WHERE "
                                "NOT EXISTS (SELECT 1 FROM sessions s WHERE "
                                "s.id = e.session_id)"),
              "0")
      << "routing entries pointing at missing sessions";
  }

  void run_round(int round, std::uint64_t seed, trigger t);

  std::string dir_ = make_temp_dir();
};

void CrashTest::run_round(int round, std::uint64_t seed, trigger t) {
  std::mt19937_64 rng{seed};
  const int kill_after = t == trigger::route
                           ? 20 + static_cast<int>(rng() % 300)
                           : 1 + static_cast<int>(rng() % 40);
  SCOPED_TRACE("round " + std::to_string(round) + " seed " +
               std::to_string(seed) + " kill after " +
               std::to_string(kill_after) + " acks of trigger " +
               std::to_string(static_cast<int>(t)));
  auto cfg = write_config({{"writer", {{"fold_max_jobs", 16}}}});
  std::vector<std::string> args{"--data-dir", dir_ + "/data", "--config", cfg};
  round_log log;
  {
    server_process s(args);
    ASSERT_FALSE(s.url().empty()) << s.line();
    std::vector<std::thread> clients;
    for (int w = 0; w < 3; ++w)
      clients.emplace_back(route_loop, s.url(), round, w, rng(), std::ref(log));
    clients.emplace_back(rewrite_loop, s.url(), std::ref(log));
    clients.emplace_back(title_loop, s.url(), std::ref(log));
    {
      std::unique_lock lock{log.mtx};
      log.cv.wait(lock, [&] { return log.count(t) >= kill_after; });
    }
    EXPECT_EQ(s.stop(SIGKILL), 128 + SIGKILL);
    log.dead = true;
    for (auto& c : clients)
      c.join();
  }
  verify_derived("m.id IN (SELECT id FROM message_index)");
  bool mirrored = expect_mirror_whole();
  auto folded = sqlite_scalar(dir_ + "/data/state.db",
                              "SELECT COUNT(*) FROM message_index");
  auto unfolded =
    sqlite_scalar(dir_ + "/data/state.db", "SELECT COUNT(*) FROM message_tail");
  std::printf("[ crash ] round %d: killed after %zu routed, %d rewrites, %d "
              "titles acknowledged; %s messages folded, %s not; "
              "sessions.json %s\n",
              round, log.messages.size(), log.rewrites_acked, log.titles_acked,
              folded.c_str(), unfolded.c_str(), mirrored ? "whole" : "absent");
  server_process again(args);
  ASSERT_FALSE(again.url().empty()) << again.line();
  keep_alive_client c;
  verify_messages(c, again.url(), log.messages);
  verify_rewrite(c, again.url(), log);
  verify_title(c, again.url(), log);
  EXPECT_EQ(again.stop(SIGTERM), 0);
  verify_file();
  expect_mirror_whole();
  for (const auto& f : fs::directory_iterator(dir_ + "/data"))
    EXPECT_EQ(f.path().filename().string().rfind(".sessions_", 0),
              std::string::npos)
      << "stale mirror temp file " << f.path();
}

TEST_F(CrashTest, KillAtRandomMomentsLosesNothingAcknowledged) {
  const int rounds = std::max(3, env_int("SWITCHBOARD_CRASH_ROUNDS", 3));
  const auto base =
    static_cast<std::uint64_t>(env_int("SWITCHBOARD_CRASH_SEED", 20261121));
  const trigger order[] = {trigger::route, trigger::rewrite, trigger::title};
  for (int round = 0; round < rounds && !HasFatalFailure(); ++round) {
    run_round(round, base + static_cast<std::uint64_t>(round),
              order[round % 3]);
    std::error_code ec;
    fs::remove_all(dir_ + "/data", ec);
  }
}

/// Lines of `path` (empty when absent).
std::vector<std::string> lines_of(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in{path};
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

/// Waits (bounded poll) until `path` has a line starting with `prefix`.
bool wait_for_line(const std::string& path, const std::string& prefix) {
  for (int i = 0; i < 3000; ++i) {
    for (const auto& l : lines_of(path))
      if (l.rfind(prefix, 0) == 0)
        return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  return false;
}

TEST_F(CrashTest, KillDuringExpiryFlushFlushesNothingTwice) {
  auto log_path = dir_ + "/flush.log";
  // The hook logs "start ID", works a while, logs "done ID".
  auto command = "id=$(grep -o '\"session_id\":\"[^\"]*\"' | cut -d'\"' -f4); "
                 "echo \"start $id\" >> " +
                 log_path +
                 "; sleep 0.3; "
                 "echo \"done $id\" >> " +
                 log_path;
  auto cfg = write_config({{"flush",
                            {{"hook", "command"},
                             {"command", command},
                             {"concurrency", 1},
                             {"min_messages", 1}}},
                           {"expiry", {{"interval_seconds", 3600}}}});
  std::vector<std::string> args{"--data-dir", dir_ + "/data", "--config",
                                cfg,          "--clock",      "manual"};
  std::vector<acked_message> acked;
  {
    server_process s(args);
    ASSERT_FALSE(s.url().empty()) << s.line();
    keep_alive_client c;
    for (int chat = 0; chat < 6; ++chat)
      for (int m = 0; m < 2; ++m) {
        auto token = "fl" + std::to_string(chat) + "x" + std::to_string(m);
        auto r = c.request(
          "POST", s.url() + "/v1/messages",
          route_body("f" + std::to_string(chat), "message " + token + " body"));
        ASSERT_EQ(r.status, 200) << r.body;
        acked.push_back({"f" + std::to_string(chat),
                         parse(r)["session_id"].get<std::string>(), token});
      }
    ASSERT_EQ(c.request("POST", s.url() + "/v1/admin/clock",
                        R"({"advance_seconds": 259200})")
                .status,
              200);
    std::thread sweep([url = s.url()] {
      keep_alive_client k;
      k.request("POST", url + "/v1/admin/expire", "", {}, 60);
    });
    ASSERT_TRUE(wait_for_line(log_path, "done "));
    ASSERT_TRUE(wait_for_line(log_path, "start ")); // a second one may run
    EXPECT_EQ(s.stop(SIGKILL), 128 + SIGKILL);
    sweep.join();
  }
  // What the killed server had finalized (committed) before it died.
  std::set<std::string> finalized;
  for (const auto& row :
       sqlite_rows(dir_ + "/data/state.db",
                   "SELECT session_id FROM session_entries WHERE "
                   "expiry_finalized = 1"))
    finalized.insert(row[0].get<std::string>());
  auto starts_before = lines_of(log_path).size();
  server_process again(args);
  ASSERT_FALSE(again.url().empty()) << again.line();
  keep_alive_client c;
  ASSERT_EQ(c.request("POST", again.url() + "/v1/admin/clock",
                      R"({"advance_seconds": 259200})")
              .status,
            200);
  auto sweep = c.request("POST", again.url() + "/v1/admin/expire", "", {}, 60);
  ASSERT_EQ(sweep.status, 200) << sweep.body;
  verify_messages(c, again.url(), acked);
  std::map<std::string, int> starts;
  auto all = lines_of(log_path);
  for (size_t i = 0; i < all.size(); ++i)
    if (all[i].rfind("start ", 0) == 0 && i >= starts_before)
      ++starts[all[i].substr(6)];
  for (const auto& id : finalized)
    EXPECT_EQ(starts[id], 0) << id << " was finalized, then flushed again";
  EXPECT_EQ(again.stop(SIGTERM), 0);
  EXPECT_EQ(sqlite_scalar(dir_ + "/data/state.db",
                          "SELECT COUNT(*) FROM session_entries WHERE "
                          "expiry_finalized = 0"),
            "0");
  verify_file();
}

} // namespace
} // namespace switchboard::testing
