#include "tests/cluster/cluster_nodes.hpp"

#include "cluster/admin.hpp"

#include "tests/cluster/cluster_test_util.hpp"

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>

#include <sqlite3.h>

namespace switchboard::testing {

using namespace std::chrono_literals;

node_files::node_files(const nlohmann::json& cluster_json) {
  std::ofstream(dir_.file("config.json"))
    << nlohmann::json{{"cluster", cluster_json}}.dump();
}

std::vector<std::string> node_files::args(const std::string& nats,
                                          const std::string& id) const {
  return {"--data-dir", data_dir(), "--config",  dir_.file("config.json"),
          "--nats",     nats,       "--node-id", id};
}

cluster_under_test::cluster_under_test(int nats, int nodes, int partitions,
                                       int replicas,
                                       const nlohmann::json& more_config)
  : servers_(nats), partitions_(partitions) {
  if (!servers_.error().empty()) {
    error_ = servers_.error();
    return;
  }
  auto c = connect_or_fail(servers_.url_list());
  if (!c) {
    error_ = "cannot connect to the NATS servers";
    return;
  }
  if (auto s = cluster::init_cluster(*c, {partitions, replicas, 2}); !s) {
    error_ = "cluster init: " + s.err().message;
    return;
  }
  nlohmann::json section{{"partitions", partitions},
                         {"replicas", replicas},
                         {"member_ttl_seconds", 2}};
  if (more_config.is_object())
    section.update(more_config);
  for (int i = 0; i < nodes; ++i) {
    files_.push_back(std::make_unique<node_files>(section));
    procs_.emplace_back();
  }
}

cluster_under_test::~cluster_under_test() {
  for (auto& p : procs_)
    p.reset(); // SIGKILL before the NATS servers go
}

bool cluster_under_test::start(std::size_t i) {
  const auto& nats = servers_.url_list()[i % servers_.url_list().size()];
  procs_[i].reset();
  procs_[i] = std::make_unique<server_process>(files_[i]->args(nats, id(i)));
  if (procs_[i]->url().empty()) {
    ADD_FAILURE() << id(i) << " did not start: " << procs_[i]->line();
    return false;
  }
  return true;
}

int cluster_under_test::kill(std::size_t i, int sig) {
  int status = procs_[i] ? procs_[i]->stop(sig) : -1;
  procs_[i].reset();
  return status;
}

void cluster_under_test::pause(std::size_t i) {
  ::kill(procs_[i]->pid(), SIGSTOP);
}

void cluster_under_test::resume(std::size_t i) {
  ::kill(procs_[i]->pid(), SIGCONT);
}

bool cluster_under_test::running(std::size_t i) const {
  return procs_[i] != nullptr;
}

std::string cluster_under_test::url(std::size_t i) const {
  return procs_[i] ? procs_[i]->url() : "";
}

nlohmann::json cluster_under_test::status(std::size_t i) const {
  auto r = http("GET", url(i) + "/v1/cluster", "", {}, 10);
  return r.status == 200 ? r.json() : nlohmann::json();
}

std::size_t cluster_under_test::busiest_owner(std::size_t asking) const {
  std::map<std::string, int> owned;
  auto s = status(asking);
  for (const auto& p : s.value("partitions", nlohmann::json::array()))
    if (p["owner"].is_string())
      ++owned[p["owner"].get<std::string>()];
  std::size_t best = asking;
  int most = -1;
  for (std::size_t i = 0; i < size(); ++i)
    if (owned[id(i)] > most) {
      most = owned[id(i)];
      best = i;
    }
  return best;
}

chat_load::chat_load(options o, std::vector<std::string> urls)
  : opts_(std::move(o)), urls_(std::move(urls)) {}

chat_load::~chat_load() {
  stop();
}

void chat_load::set_urls(std::vector<std::string> urls) {
  std::lock_guard lock(mu_);
  urls_ = std::move(urls);
}

void chat_load::start() {
  stopping_ = false;
  sent_.resize(opts_.threads);
  for (int t = 0; t < opts_.threads; ++t)
    threads_.emplace_back([this, t] { run(t); });
}

void chat_load::stop() {
  stopping_ = true;
  for (auto& t : threads_)
    t.join();
  threads_.clear();
}

bool chat_load::wait_for_acks(std::size_t n, std::chrono::seconds limit) const {
  auto want = acked() + n;
  auto until = std::chrono::steady_clock::now() + limit;
  while (acked() < want) {
    if (std::chrono::steady_clock::now() > until)
      return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

bool chat_load::wait_for_every_chat_after(std::size_t mark,
                                          std::chrono::seconds limit) const {
  auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      std::set<std::string> before, after;
      for (std::size_t i = 0; i < ledger_.size(); ++i)
        (i < mark ? before : after).insert(ledger_[i].chat_id);
      if (std::includes(after.begin(), after.end(), before.begin(),
                        before.end()))
        return true;
    }
    if (std::chrono::steady_clock::now() > until)
      return false;
    std::this_thread::sleep_for(20ms);
  }
}

std::vector<acked_message> chat_load::ledger() const {
  std::lock_guard lock(mu_);
  return ledger_;
}

std::size_t chat_load::acked() const {
  std::lock_guard lock(mu_);
  return ledger_.size();
}

std::map<long, int> chat_load::statuses() const {
  std::lock_guard lock(mu_);
  return statuses_;
}

void chat_load::run(int thread) {
  for (int& i = sent_[thread]; !stopping_; ++i) {
    auto chat = opts_.tag + "-t" + std::to_string(thread) + "-c" +
                std::to_string(i % opts_.chats_per_thread);
    auto n =
      opts_.tag + "-t" + std::to_string(thread) + "-" + std::to_string(i);
    if (!send(chat, "content " + n, "req-" + n))
      ++unanswered_;
  }
}

std::string chat_load::next_url() {
  std::lock_guard lock(mu_);
  return urls_[next_++ % urls_.size()];
}

bool chat_load::send(const std::string& chat, const std::string& content,
                     const std::string& request_id) {
  nlohmann::json body{{"source",
                       {{"platform", "telegram"},
                        {"chat_id", chat},
                        {"chat_type", "dm"},
                        {"user_id", "u-" + chat}}},
                      {"message", {{"role", "user"}, {"content", content}}},
                      {"request_id", request_id}};
  auto began = std::chrono::steady_clock::now();
  auto until = began + opts_.request_deadline;
  while (std::chrono::steady_clock::now() < until) {
    // 5 s per attempt: a node that stopped answering (SIGSTOP) must not
    // hold the chat longer than a failover takes.
    auto r = http("POST", next_url() + "/v1/messages", body.dump(), {}, 5);
    {
      std::lock_guard lock(mu_);
      ++statuses_[r.status];
      if (r.status == 200) {
        auto j = r.json();
        ledger_.push_back(
          {chat, content, request_id, j.value("session_key", ""),
           j.value("session_id", ""), began, std::chrono::steady_clock::now()});
        return true;
      }
    }
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

namespace {

/// Each row of `sql` as text, one line per row.
std::string rows_of(sqlite3* db, const char* sql, std::string& error) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) {
    error = sqlite3_errmsg(db);
    return "";
  }
  std::string out;
  int rc = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    for (int c = 0; c < sqlite3_column_count(st); ++c) {
      auto text = sqlite3_column_text(st, c);
      out += text ? reinterpret_cast<const char*>(text) : "null";
      out += '|';
    }
    out += '\n';
  }
  if (rc != SQLITE_DONE)
    error = sqlite3_errmsg(db);
  sqlite3_finalize(st);
  return out;
}

} // namespace

partition_state read_partition(const std::string& data_dir, int partition) {
  char nn[8];
  std::snprintf(nn, sizeof nn, "%02d", partition);
  auto file = std::filesystem::path(data_dir) / "partitions" / nn / "state.db";
  partition_state s;
  if (!std::filesystem::exists(file)) {
    s.error = file.string() + ": missing";
    return s;
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) !=
      SQLITE_OK) {
    s.error = file.string() + ": " + sqlite3_errmsg(db);
    sqlite3_close(db);
    return s;
  }
  sqlite3_busy_timeout(db, 5000);
  // One read transaction: the sequence and the rows of the same commit.
  std::string error;
  rows_of(db, "BEGIN", error);
  auto seq = rows_of(db, "SELECT seq FROM cluster_applied", error);
  auto rows = rows_of(db,
                      "SELECT id, session_id, role, content FROM messages "
                      "ORDER BY id",
                      error) +
              rows_of(db,
                      "SELECT id, source, message_count, ended_at FROM "
                      "sessions ORDER BY id",
                      error);
  rows_of(db, "COMMIT", error);
  sqlite3_close(db);
  s.error = error;
  s.seq = seq.empty() ? 0 : std::stoull(seq);
  s.digest = std::to_string(rows.size()) + ":" +
             std::to_string(std::hash<std::string>{}(rows));
  return s;
}

namespace {

std::string encode_key(const std::string& key) {
  std::string out;
  for (char c : key)
    out += c == ':' ? std::string("%3A") : std::string(1, c);
  return out;
}

/// One chat's acknowledgements against its transcript on `url`.
void check_chat(const std::string& url, const std::string& key,
                const std::vector<const acked_message*>& acks,
                std::string& problems) {
  auto r = http("GET", url + "/v1/sessions/" + encode_key(key) + "/transcript",
                "", {}, 30);
  if (r.status != 200) {
    problems += key + ": transcript answered " + std::to_string(r.status) +
                " " + r.body + "\n";
    return;
  }
  auto t = r.json();
  std::map<std::string, int> seen;
  for (const auto& m : t["messages"])
    if (m.contains("content") && m["content"].is_string())
      ++seen[m["content"].get<std::string>()];
  std::set<std::string> sessions;
  for (const auto* a : acks) {
    sessions.insert(a->session_id);
    if (seen[a->content] != 1)
      problems += key + ": acknowledged \"" + a->content + "\" appears " +
                  std::to_string(seen[a->content]) + " times\n";
  }
  if (sessions.size() != 1 || *sessions.begin() != t["session_id"])
    problems += key + ": acknowledged under " +
                std::to_string(sessions.size()) + " session ids, current is " +
                t["session_id"].dump() + "\n";
}

} // namespace

std::string check_ledger(const std::string& url,
                         const std::vector<acked_message>& ledger) {
  std::map<std::string, std::vector<const acked_message*>> by_key;
  for (const auto& a : ledger)
    by_key[a.session_key].push_back(&a);
  std::string problems;
  for (const auto& [key, acks] : by_key) {
    check_chat(url, key, acks, problems);
    if (problems.size() > 4000)
      break;
  }
  return problems;
}

} // namespace switchboard::testing
