#pragma once

// Verification of a load run: every acknowledged message is in the store,
// each key has one session plus one per auto reset, and the counts add up.

#include "loadgen/ledger.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::loadgen {

/// What verification reads from the store.
struct store_view {
  /// The `sessions` row of an id (nullopt when absent).
  std::function<core::result<std::optional<nlohmann::json>>(
    const std::string& id)>
    session;
  /// Active messages of a session (a session created before the run may
  /// hold more than were acknowledged).
  std::function<core::result<std::int64_t>(const std::string& id)> count;
  /// Totals over the whole store; unset when the store held other data.
  std::function<core::result<std::int64_t>()> total_messages;
  std::function<core::result<std::int64_t>()> total_sessions;
};

/// The problems found (empty: all good), at most `limit` of them.
std::vector<std::string> verify_run(const ledger& acked, const store_view& v,
                                    std::size_t limit = 20);

/// A view on a data dir's state.db (a read-only connection, open while the
/// view lives). `fresh`: the store held nothing before the run.
core::result<store_view> data_dir_view(const std::string& data_dir, bool fresh);
/// A view over a server's HTTP API (per session only).
store_view http_view(const std::string& url,
                     const std::optional<std::string>& token);

/// Test seam (--test-drop-ack N): deletes the N-th acknowledged message
/// (in id order, modulo their number) from the data dir's store.
core::status drop_acked_message(const std::string& data_dir,
                                const ledger& acked, std::int64_t n);

} // namespace switchboard::loadgen
