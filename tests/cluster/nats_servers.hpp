#pragma once

// Real nats-server processes for the cluster tests (label `cluster`): one
// standalone JetStream server, or a JetStream cluster of N servers routed
// to each other, all on 127.0.0.1 with free ports and temporary store
// directories. Ready means a stream with N replicas can be created. The
// servers are SIGKILLed and their stores removed when the object goes.
//
// nats-server comes from $NATS_SERVER_BIN, else /usr/sbin/nats-server or
// /usr/bin/nats-server (Debian's, tools/install-deps.sh). When it is
// missing, error() says so: the tests FAIL, they never skip.

#include "tests/support/temp_dir.hpp"

#include <string>
#include <vector>

#include <sys/types.h>

namespace switchboard::testing {

class nats_servers {
public:
  /// Starts `count` servers (1: standalone, more: a cluster) and waits,
  /// for at most 30 s, until JetStream can place a stream on all of them.
  explicit nats_servers(int count);
  ~nats_servers();
  nats_servers(const nats_servers&) = delete;
  nats_servers& operator=(const nats_servers&) = delete;

  /// "" once ready, else what went wrong.
  const std::string& error() const { return error_; }
  /// "nats://127.0.0.1:P1,nats://127.0.0.1:P2,...".
  std::string urls() const;
  const std::vector<std::string>& url_list() const { return urls_; }

  /// SIGKILLs server `index` (0-based) and reaps it.
  void kill(std::size_t index);
  /// Starts server `index` again after kill(): same ports, same store
  /// (its JetStream data survive). Does not wait for it to be ready.
  void restart(std::size_t index);

private:
  void start(int count);
  bool wait_ready(int count);
  void stop_all();

  temp_dir dir_;
  std::vector<pid_t> pids_;
  std::vector<std::vector<std::string>> args_; // each server's command
  std::vector<std::string> urls_;
  std::string error_;
};

/// The nats-server binary, or "" when none is installed.
std::string nats_server_bin();

} // namespace switchboard::testing
