// The owner runs a forwarded engine operation (contract in rpc_ops.hpp):
// one table entry per operation, decoding its arguments, calling the
// engine, and encoding the result from the completion.

#include "cluster/rpc_codec.hpp"
#include "cluster/rpc_ops.hpp"

#include <map>
#include <string>

namespace switchboard::cluster::rpc {

using json = nlohmann::json;

namespace {

/// A completion that encodes its result for `reply`.
template <class T>
actors::completion<T> replier(reply_fn reply) {
  return [reply = std::move(reply)](core::result<T> r) {
    reply(to_wire(r));
  };
}

using handler = void (*)(actors::engine&, const json&, reply_fn);

const std::map<std::string, handler, std::less<>>& engine_ops() {
  using actors::engine;
  using core::session_entry;
  static const std::map<std::string, handler, std::less<>> ops{
    {"route",
     [](engine& e, const json& a, reply_fn r) {
       e.route(field<actors::route_request>(a, "req"),
               replier<actors::route_reply>(std::move(r)));
     }},
    {"route_batch",
     [](engine& e, const json& a, reply_fn r) {
       e.route_batch(field<std::vector<actors::route_request>>(a, "reqs"),
                     [r = std::move(r)](auto results) {
                       r(json{{"ok", to_wire(results)}});
                     });
     }},
    {"append",
     [](engine& e, const json& a, reply_fn r) {
       e.append(field<std::string>(a, "key"), field<core::message>(a, "msg"),
                replier<actors::append_reply>(std::move(r)),
                field<std::optional<std::string>>(a, "request_id"));
     }},
    {"update_usage",
     [](engine& e, const json& a, reply_fn r) {
       e.update_usage(field<std::string>(a, "key"),
                      field<core::usage_update>(a, "usage"),
                      replier<session_entry>(std::move(r)));
     }},
    {"reset",
     [](engine& e, const json& a, reply_fn r) {
       e.reset(field<std::string>(a, "key"),
               field<std::optional<std::string>>(a, "title"),
               replier<session_entry>(std::move(r)));
     }},
    {"switch_to",
     [](engine& e, const json& a, reply_fn r) {
       e.switch_to(field<std::string>(a, "key"),
                   field<actors::switch_target>(a, "target"),
                   replier<session_entry>(std::move(r)));
     }},
    {"set_busy",
     [](engine& e, const json& a, reply_fn r) {
       e.set_busy(field<std::string>(a, "key"), field<bool>(a, "busy"),
                  field<std::optional<double>>(a, "ttl_seconds"),
                  replier<session_entry>(std::move(r)));
     }},
    {"rewrite_transcript",
     [](engine& e, const json& a, reply_fn r) {
       e.rewrite_transcript(field<std::string>(a, "key"),
                            field<std::vector<core::message>>(a, "messages"),
                            replier<actors::rewrite_reply>(std::move(r)));
     }},
    {"get_entry",
     [](engine& e, const json& a, reply_fn r) {
       e.get_entry(field<std::string>(a, "key"),
                   replier<session_entry>(std::move(r)));
     }},
    {"expire_key",
     [](engine& e, const json& a, reply_fn r) {
       e.expire_key(field<std::string>(a, "key"),
                    field<std::optional<std::string>>(a, "session_id"),
                    replier<actors::expire_reply>(std::move(r)));
     }},
    {"set_title",
     [](engine& e, const json& a, reply_fn r) {
       e.set_title(field<std::string>(a, "session_id"),
                   field<std::string>(a, "title"),
                   replier<std::optional<std::string>>(std::move(r)));
     }},
    {"delete_session",
     [](engine& e, const json& a, reply_fn r) {
       e.delete_session(field<std::string>(a, "session_id"),
                        replier<bool>(std::move(r)));
     }},
    {"expire_now",
     [](engine& e, const json&, reply_fn r) {
       e.expire_now(replier<actors::sweep_report>(std::move(r)));
     }},
    {"prune",
     [](engine& e, const json& a, reply_fn r) {
       e.prune(field<actors::prune_request>(a, "req"),
               replier<actors::prune_report>(std::move(r)));
     }},
    {"apply_retention",
     [](engine& e, const json&, reply_fn r) {
       e.apply_retention(replier<actors::prune_report>(std::move(r)));
     }},
  };
  return ops;
}

} // namespace

void run_engine_op(actors::engine& eng, std::string_view op, const json& args,
                   reply_fn reply) {
  auto it = engine_ops().find(op);
  if (it == engine_ops().end()) {
    reply(to_wire(core::status(core::internal_error("rpc: unknown operation '" +
                                                    std::string(op) + "'"))));
    return;
  }
  try {
    it->second(eng, args, reply);
  } catch (const std::exception& e) {
    // Only argument decoding throws, before the engine saw the call.
    reply(to_wire(core::status(
      malformed("arguments of '" + std::string(op) + "'", e.what()))));
  }
}

} // namespace switchboard::cluster::rpc
