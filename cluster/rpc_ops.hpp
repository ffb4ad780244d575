#pragma once

// The owner's side of a forwarded call: runs one named operation of
// actors::engine or of core::store_reader from its wire form (rpc_codec)
// and produces the wire form of its result. No NATS here: rpc_server moves
// the bytes.
//
// Operations and their arguments ({"op": name, "args": {...}}; optional
// arguments absent when unset), results as rpc_codec encodes them:
//   route {req} -> route_reply; route_batch {reqs} -> [result<route_reply>]
//   append {key, msg, request_id?} -> append_reply
//   update_usage {key, usage} / reset {key, title?} / switch_to {key,
//     target} / set_busy {key, busy, ttl_seconds?} / get_entry {key}
//     -> session_entry
//   rewrite_transcript {key, messages} -> rewrite_reply
//   expire_key {key, session_id?} -> expire_reply
//   set_title {session_id, title} -> optional<string>
//   delete_session {session_id} -> bool
//   expire_now {} -> sweep_report; prune {req} / apply_retention {}
//     -> prune_report
//   read.<method> {the method's arguments by name}: a store_reader method
//     (read.export_all {source?} -> [session json], the sink's calls).
// A result is {"ok": value} or {"error": {code, message}}.

#include "actors/engine.hpp"
#include "core/store.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <string_view>

namespace switchboard::cluster::rpc {

/// Receives the encoded result of an operation, exactly once.
using reply_fn = std::function<void(nlohmann::json)>;

/// Starts `op` on `eng`; `reply` runs from the engine's completion (or at
/// once with internal "rpc: unknown operation 'x'" / "rpc: malformed
/// arguments of 'x': ..."). REQUIRES: !is_reader_op(op).
void run_engine_op(actors::engine& eng, std::string_view op,
                   const nlohmann::json& args, reply_fn reply);

/// True for "read.<method>".
bool is_reader_op(std::string_view op);

/// Runs the reader method `op` names on `r` (a blocking read on the
/// caller's thread) and returns its encoded result. REQUIRES:
/// is_reader_op(op).
nlohmann::json run_reader_op(core::store_reader& r, std::string_view op,
                             const nlohmann::json& args);

} // namespace switchboard::cluster::rpc
