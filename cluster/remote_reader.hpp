#pragma once

// A core::store_reader whose every method is a blocking forwarded call
// (read.<method>, rpc_ops.hpp) to partition p's owner, which runs it on a
// reader connection of its engine. For remote_engine::read: it blocks the
// calling thread for up to the rpc deadline, so it runs only on the remote
// engine's reader threads.
//
// Each method returns what the owner's store returned (value, or error
// with code and message), or overloaded when no owner answered (rpc_client).
// Consecutive calls may reach different owners (a failover between two
// calls): unlike a local reader, two reads are not one snapshot.
// export_all calls `sink` for each session of one reply (the whole export
// must fit the NATS max payload, else payload_too_large).
// With `refuse` set, every method returns that error at once (no RPC).

#include "cluster/rpc_client.hpp"
#include "core/store.hpp"

#include <optional>

namespace switchboard::cluster {

class remote_reader final : public core::store_reader {
public:
  remote_reader(rpc_client& client, int partition,
                std::optional<core::error> refuse = std::nullopt)
    : client_(client), partition_(partition), refuse_(std::move(refuse)) {}

  core::result<std::optional<core::session_entry>>
  get_entry(std::string_view session_key) override;
  core::result<std::vector<core::session_entry>>
  list_entries(const core::entry_list_query& q) override;
  core::result<core::entry_counts>
  count_entries(const core::entry_list_query& q) override;
  core::result<std::vector<core::expiry_candidate>>
  scan_expiry_candidates(core::time_point updated_before,
                         std::int64_t limit) override;
  core::result<std::int64_t> entry_count() override;
  core::result<std::vector<core::expiry_candidate>>
  scan_deferred_candidates(core::time_point updated_before,
                           std::int64_t limit) override;
  core::result<std::optional<nlohmann::json>>
  get_session(std::string_view id) override;
  core::result<std::string>
  resolve_session_id(std::string_view prefix) override;
  core::result<std::optional<std::string>>
  resolve_title(std::string_view title) override;
  core::result<std::string> next_title(std::string_view title) override;
  core::result<std::string> compression_tip(std::string_view id) override;
  core::result<nlohmann::json> history(const core::history_query& q) override;
  core::result<std::int64_t>
  session_count(std::optional<std::string> source) override;
  core::result<std::vector<std::string>>
  select_prunable(const core::prune_rule& rule) override;
  core::result<std::vector<core::usage_row>>
  usage(const core::usage_query& q) override;
  core::result<nlohmann::json> transcript(std::string_view id,
                                          bool stitch) override;
  core::result<nlohmann::json> search(const core::search_query& q) override;
  core::result<std::optional<nlohmann::json>>
  export_session(std::string_view id) override;
  core::result<std::optional<nlohmann::json>>
  export_session_all(std::string_view id) override;
  core::status
  export_all(std::optional<std::string> source,
             const std::function<void(const nlohmann::json&)>& sink) override;
  core::result<std::int64_t>
  message_count(std::optional<std::string> session_id) override;

private:
  /// The blocking call: the owner's result decoded as T.
  template <class T>
  core::result<T> call(const char* op, nlohmann::json args);

  rpc_client& client_;
  int partition_;
  std::optional<core::error> refuse_;
};

} // namespace switchboard::cluster
