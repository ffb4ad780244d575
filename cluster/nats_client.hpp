#pragma once

// A small RAII wrapper over nats.c (libnats 3.4.1): one connection to a
// NATS cluster and its JetStream context. Every nats.c call of the cluster
// library goes through the handles and error mapping here, so no C handle
// leaks and every failure becomes a core::error with a sentence.
//
// Errors (the code says what the caller may do):
// - overloaded: NATS is unavailable right now (no server reachable, a
//   timeout, no responders, no JetStream quorum); retrying later may work.
//   After a timeout on a publish the outcome is UNKNOWN: the record may be
//   in the stream. Re-read the stream before deciding anything.
// - conflict: a conditional write was refused (wrong last sequence).
// - internal: anything else (a configuration the server refuses, ...).
//
// Thread safety: a nats_client may be used from several threads at once
// (nats.c connections and JetStream contexts are thread-safe); destroying
// it while another thread uses it is not allowed.

#include "core/cluster_rules.hpp"
#include "core/result.hpp"

#include <nats/nats.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::cluster {

/// Deleter calling a nats.c destroy function (they all accept NULL).
template <auto Destroy>
struct nats_deleter {
  template <class T>
  void operator()(T* p) const {
    Destroy(p);
  }
};

template <class T, auto Destroy>
using nats_ptr = std::unique_ptr<T, nats_deleter<Destroy>>;

using stream_info_ptr = nats_ptr<jsStreamInfo, jsStreamInfo_Destroy>;
using pub_ack_ptr = nats_ptr<jsPubAck, jsPubAck_Destroy>;
using msg_ptr = nats_ptr<natsMsg, natsMsg_Destroy>;
using kv_store_ptr = nats_ptr<kvStore, kvStore_Destroy>;
using kv_entry_ptr = nats_ptr<kvEntry, kvEntry_Destroy>;
using kv_watcher_ptr = nats_ptr<kvWatcher, kvWatcher_Destroy>;

/// The --nats URL list rule (core/cluster_rules.hpp).
using core::parse_nats_urls;

/// The error for a failed nats.c call: "<what>: <nats.c's text>", with the
/// code described above. `js_code` is the JetStream error code, 0 if none.
core::error nats_error(std::string_view what, natsStatus s,
                       jsErrCode js_code = static_cast<jsErrCode>(0));

/// True when `e` came from a refused conditional write (conflict).
bool is_conflict(const core::error& e);

class nats_client {
public:
  /// Connects to the first reachable server of `urls` (the client learns
  /// the others from the cluster) with `timeout` for the connection and
  /// every JetStream request. Errors: overloaded "cannot connect to NATS at
  /// <urls>: ..." when none answers.
  static core::result<std::unique_ptr<nats_client>>
  connect(const std::vector<std::string>& urls,
          std::chrono::milliseconds timeout = std::chrono::seconds(5));

  ~nats_client();
  nats_client(const nats_client&) = delete;
  nats_client& operator=(const nats_client&) = delete;

  natsConnection* connection() const { return nc_; }
  jsCtx* js() const { return js_; }
  std::chrono::milliseconds timeout() const { return timeout_; }

private:
  nats_client() = default;
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
  std::chrono::milliseconds timeout_{};
};

} // namespace switchboard::cluster
