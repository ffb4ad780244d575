#pragma once

// Real `switchboard serve --nats` nodes for the cluster's end-to-end tests
// (shared/CLUSTER.md "Tests that prove it"): N nats-servers, nodes with
// their own data dirs and config files, and a chat load whose every
// acknowledged reply is kept in a ledger, then checked against what the
// cluster serves. Loopback only; every wait is a bounded loop.

#include "tests/cluster/nats_servers.hpp"
#include "tests/support/server_process.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace switchboard::testing {

/// A node's data dir and config file (the cluster section `cluster_json`).
/// The data dir outlives the node's processes: a restart finds its files.
class node_files {
public:
  explicit node_files(const nlohmann::json& cluster_json);
  std::vector<std::string> args(const std::string& nats,
                                const std::string& id) const;
  std::string data_dir() const { return dir_.file("data"); }

private:
  temp_dir dir_;
};

/// `nats` nats-servers and up to `nodes` switchboard nodes n1..nN, on a
/// cluster initialised with `partitions` partitions, `replicas` replicas
/// and a member TTL of 2 s; `more_config` is added to every node's
/// `cluster` config section.
class cluster_under_test {
public:
  cluster_under_test(int nats, int nodes, int partitions, int replicas,
                     const nlohmann::json& more_config = {});
  ~cluster_under_test();

  /// "" when the servers and the init worked, else what failed.
  const std::string& error() const { return error_; }
  nats_servers& servers() { return servers_; }

  /// Starts node i (0-based; id "n<i+1>") on its own data dir, told the
  /// NATS server i % nats. False (with the line it printed) on failure.
  bool start(std::size_t i);
  /// SIGKILL / SIGTERM: the node's exit status.
  int kill(std::size_t i, int sig);
  /// SIGSTOP / SIGCONT.
  void pause(std::size_t i);
  void resume(std::size_t i);
  bool running(std::size_t i) const;
  std::string url(std::size_t i) const;
  std::string id(std::size_t i) const { return "n" + std::to_string(i + 1); }
  std::size_t size() const { return files_.size(); }
  const node_files& files(std::size_t i) const { return *files_[i]; }

  /// GET /v1/cluster from node i (null when it does not answer 200).
  nlohmann::json status(std::size_t i) const;
  /// The index of the node that owns the most partitions (by node i's
  /// status).
  std::size_t busiest_owner(std::size_t asking) const;

private:
  nats_servers servers_;
  int partitions_;
  std::vector<std::unique_ptr<node_files>> files_;
  std::vector<std::unique_ptr<server_process>> procs_;
  std::string error_;
};

/// One acknowledged POST /v1/messages.
struct acked_message {
  std::string chat_id;
  std::string content;
  std::string request_id;
  std::string session_key;
  std::string session_id;
  std::chrono::steady_clock::time_point sent; // the first attempt began
  std::chrono::steady_clock::time_point at;   // the reply arrived
};

/// Chats posted from `threads` threads, each to its own `chats_per_thread`
/// chats, round robin over the URLs the test allows. A request that gets no
/// 200 is sent again with the same request_id, to the next URL, for at
/// most `request_deadline`; one still unanswered then is counted in
/// unanswered(). Every 200 goes to the ledger.
class chat_load {
public:
  struct options {
    int threads = 3;
    int chats_per_thread = 4;
    std::chrono::seconds request_deadline{40};
    std::string tag = "m"; // prefix of contents, ids and chats
  };
  chat_load(options o, std::vector<std::string> urls);
  ~chat_load();

  /// The URLs requests go to from now on (e.g. without a killed node).
  void set_urls(std::vector<std::string> urls);
  /// Starts (or restarts) the threads; a restart goes on with new ids.
  void start();
  /// Stops sending new requests; waits for those in flight.
  void stop();
  /// Blocks until `n` more replies were acknowledged (bounded by `limit`).
  bool wait_for_acks(std::size_t n, std::chrono::seconds limit) const;
  /// Blocks until every chat acknowledged before ledger entry `mark` was
  /// acknowledged again after it (bounded by `limit`).
  bool wait_for_every_chat_after(std::size_t mark,
                                 std::chrono::seconds limit) const;

  std::vector<acked_message> ledger() const;
  std::size_t acked() const;
  int unanswered() const { return unanswered_; }
  /// Replies per status (0: no response), for the note in a failure.
  std::map<long, int> statuses() const;

private:
  void run(int thread);
  bool send(const std::string& chat, const std::string& content,
            const std::string& request_id);
  std::string next_url();

  options opts_;
  mutable std::mutex mu_;
  std::vector<std::string> urls_;
  std::size_t next_ = 0;
  std::vector<acked_message> ledger_;
  std::map<long, int> statuses_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> unanswered_{0};
  std::vector<std::thread> threads_;
  std::vector<int> sent_; // per thread: requests begun, across starts
};

/// A partition file's applied log sequence and a digest of its sessions
/// and messages (read-only, while its node runs).
struct partition_state {
  std::uint64_t seq = 0;
  std::string digest;
  std::string error;
  bool operator==(const partition_state&) const = default;
};
partition_state read_partition(const std::string& data_dir, int partition);

/// What `url` serves for every chat of the ledger, checked against it:
/// each acknowledged content appears exactly once in its chat's
/// transcript, every acknowledgement of a chat named one session, and it
/// is the chat's current one. "" when all hold, else the first problems.
std::string check_ledger(const std::string& url,
                         const std::vector<acked_message>& ledger);

} // namespace switchboard::testing
