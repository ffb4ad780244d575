#pragma once

// The owner's end of forwarding (docs/CLUSTER_STATUS.md "Phase 3c"): while
// an rpc_server lives, partition p's calls on sb.rpc.NN are run on the local
// engine and answered, and (with publish_events) the engine's events are
// published on sb.events.NN. The owner creates it when it takes p and
// destroys it when it loses p.
//
// Contract:
// - A request is {"id", "op", "args"} (rpc_ops.hpp) with a reply subject;
//   the reply is {"id", "ok": value} or {"id", "error": {code, message}}.
//   A request without a reply subject is ignored; an unreadable one is
//   answered with internal "rpc: malformed request: ...".
// - Servers of p subscribe in the queue group "sb.rpc": when two serve p
//   at once (an owner that does not know yet it was deposed), each request
//   goes to one of them; the deposed one answers "moved: ..." (its fenced
//   write fails) and the caller retries.
// - nats.c's delivery thread never waits on the engine: it decodes, starts
//   the operation and returns; the reply is published from the engine's
//   completion (reader methods run on the engine's reader threads).
// - Repeats: a request whose id was seen recently (the last
//   max_remembered ids) is not run again. Still running: the repeat is
//   answered when it completes; done: with the remembered reply. A
//   client's retry after a timeout that reaches the same owner is
//   therefore applied at most once.
// - A reply larger than the connection's max payload is replaced by
//   payload_too_large "reply of N bytes exceeds the NATS max payload of M
//   bytes".
// - After the destructor returns nothing is answered or published:
//   operations still running complete unanswered (their callers time out
//   and retry, reaching the next owner).
// - The server does not keep the engine alive: once the engine is gone,
//   requests are not answered.
// REQUIRES: the nats_client outlives the server.

#include "actors/engine.hpp"
#include "cluster/nats_client.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace switchboard::cluster {

struct rpc_server_options {
  /// Publish the engine's events on sb.events.NN.
  bool publish_events = true;
  /// Ids remembered for repeats (oldest forgotten first).
  std::size_t max_remembered = 8192;
  /// This node's id: also answers on sb.rpc.NN.<node_id>, where callers
  /// that know the log's owner address it. "": sb.rpc.NN only.
  std::string node_id;
};

class rpc_server {
public:
  /// Subscribes to sb.rpc.NN (and sb.rpc.NN.<node_id>). Errors:
  /// overloaded/internal from nats.c (the subscription was refused); nothing is
  /// served then.
  static core::result<std::unique_ptr<rpc_server>>
  start(nats_client& nats, int partition, std::shared_ptr<actors::engine> eng,
        rpc_server_options opts = {});

  ~rpc_server();
  rpc_server(const rpc_server&) = delete;
  rpc_server& operator=(const rpc_server&) = delete;

  struct state;

private:
  rpc_server() = default;
  std::shared_ptr<state> state_;
  std::vector<natsSubscription*> subs_;
  std::shared_ptr<actors::subscription> events_;
};

} // namespace switchboard::cluster
