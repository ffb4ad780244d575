#pragma once

// The caller's end of forwarding (docs/CLUSTER_STATUS.md "Phase 3c"): a
// call on partition p is a NATS request on sb.rpc.NN, answered by p's
// owner (rpc_server). One client (one inbox subscription) serves every
// partition of a node.
//
// Contract:
// - call() never blocks: it publishes and returns; `done` runs exactly
//   once, on nats.c's delivery thread or on the client's timer thread
//   (it must not block).
// - A call goes to the owner set_owner() named for its partition, or to
//   any node serving it when none is named.
// - Every call carries an id ("<client>.<n>"), the same on every attempt,
//   so an owner that sees a retry of a call it ran answers it without
//   running it again (rpc_server).
// - Retried, with exponential backoff (backoff_first doubling up to
//   backoff_max), until `deadline` after the call began: "no responders"
//   (nobody serves p now), no answer within attempt_timeout, a publish
//   refused by a disconnected connection, and an answer overloaded
//   "moved: ..." (a deposed owner). A late answer to an earlier attempt
//   counts: the first answer wins.
// - The first attempt that fails at or after the deadline ends the call
//   (so it ends within deadline + attempt_timeout): overloaded "partition
//   3: no owner answered for 10 s; retry". The last retry waits at most
//   until the deadline.
// - A request larger than the connection's max payload (1 MB by default)
//   is not sent: payload_too_large "partition 3: request of N bytes
//   exceeds the NATS max payload of M bytes" (a local engine would take
//   it: forwarding carries at most max payload per call).
// - Every other answer is `done`'s: the value ({"ok"}) or the error with
//   its code and message unchanged.
// - Destroying the client completes every pending call with overloaded
//   "partition N: the forwarding client stopped" (before it returns).
// REQUIRES: the nats_client outlives the rpc_client.

#include "cluster/nats_client.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace switchboard::cluster {

struct rpc_options {
  /// Short: a paused (SIGSTOPped) old owner keeps its queue subscription
  /// on the NATS server until the server's pings give up (minutes), and an
  /// attempt that lands there is lost. A retry of a slow call is harmless:
  /// the owner answers a repeated call id without running it again.
  std::chrono::milliseconds attempt_timeout{1000};
  /// How long a call is retried; CLUSTER.md: about 10 s.
  std::chrono::milliseconds deadline{10000};
  std::chrono::milliseconds backoff_first{20};
  std::chrono::milliseconds backoff_max{500};
};

class rpc_timer;

class rpc_client {
public:
  using done_fn = std::function<void(core::result<nlohmann::json>)>;

  /// Subscribes to a fresh inbox. Errors: from nats.c.
  static core::result<std::unique_ptr<rpc_client>> start(nats_client& nats,
                                                         rpc_options opts = {});

  ~rpc_client();
  rpc_client(const rpc_client&) = delete;
  rpc_client& operator=(const rpc_client&) = delete;

  /// Runs `op` with `args` on partition p's owner (rpc_ops.hpp names the
  /// operations); `done` gets the "ok" value or the error. `timeouts`
  /// overrides the options' attempt_timeout and deadline (0: the
  /// option's), for calls known to take long (an expiry sweep).
  void call(int partition, const std::string& op, nlohmann::json args,
            done_fn done, std::chrono::milliseconds attempt_timeout = {},
            std::chrono::milliseconds deadline = {});

  const rpc_options& options() const;

  /// From now on, partition p's calls are addressed to `node`
  /// (rpc_subject(p, node)), the owner its log names; "" (the start):
  /// to whichever node serves p (sb.rpc.NN, a queue group). Each attempt
  /// reads it, so a retry follows a failover.
  void set_owner(int partition, std::string node);

  struct state;

private:
  rpc_client() = default;
  std::shared_ptr<state> state_;
  natsSubscription* sub_ = nullptr;
  std::unique_ptr<rpc_timer> timer_;
};

} // namespace switchboard::cluster
