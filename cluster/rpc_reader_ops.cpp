// The owner runs a forwarded store_reader method (contract in rpc_ops.hpp):
// one table entry per method, on the reader connection it is given.

#include "cluster/rpc_codec.hpp"
#include "cluster/rpc_ops.hpp"

#include <map>
#include <string>

namespace switchboard::cluster::rpc {

using json = nlohmann::json;

namespace {

using opt_string = std::optional<std::string>;
using handler = json (*)(core::store_reader&, const json&);

const std::map<std::string, handler, std::less<>>& reader_ops() {
  using core::store_reader;
  static const std::map<std::string, handler, std::less<>> ops{
    {"read.get_entry",
     [](store_reader& r, const json& a) {
       return to_wire(r.get_entry(field<std::string>(a, "key")));
     }},
    {"read.list_entries",
     [](store_reader& r, const json& a) {
       return to_wire(r.list_entries(field<core::entry_list_query>(a, "q")));
     }},
    {"read.count_entries",
     [](store_reader& r, const json& a) {
       return to_wire(r.count_entries(field<core::entry_list_query>(a, "q")));
     }},
    {"read.scan_expiry_candidates",
     [](store_reader& r, const json& a) {
       return to_wire(
         r.scan_expiry_candidates(field<core::time_point>(a, "updated_before"),
                                  field<std::int64_t>(a, "limit")));
     }},
    {"read.entry_count",
     [](store_reader& r, const json&) {
       return to_wire(r.entry_count());
     }},
    {"read.scan_deferred_candidates",
     [](store_reader& r, const json& a) {
       return to_wire(r.scan_deferred_candidates(
         field<core::time_point>(a, "updated_before"),
         field<std::int64_t>(a, "limit")));
     }},
    {"read.get_session",
     [](store_reader& r, const json& a) {
       return to_wire(r.get_session(field<std::string>(a, "id")));
     }},
    {"read.resolve_session_id",
     [](store_reader& r, const json& a) {
       return to_wire(r.resolve_session_id(field<std::string>(a, "prefix")));
     }},
    {"read.resolve_title",
     [](store_reader& r, const json& a) {
       return to_wire(r.resolve_title(field<std::string>(a, "title")));
     }},
    {"read.next_title",
     [](store_reader& r, const json& a) {
       return to_wire(r.next_title(field<std::string>(a, "title")));
     }},
    {"read.compression_tip",
     [](store_reader& r, const json& a) {
       return to_wire(r.compression_tip(field<std::string>(a, "id")));
     }},
    {"read.history",
     [](store_reader& r, const json& a) {
       return to_wire(r.history(field<core::history_query>(a, "q")));
     }},
    {"read.session_count",
     [](store_reader& r, const json& a) {
       return to_wire(r.session_count(field<opt_string>(a, "source")));
     }},
    {"read.select_prunable",
     [](store_reader& r, const json& a) {
       return to_wire(r.select_prunable(field<core::prune_rule>(a, "rule")));
     }},
    {"read.usage",
     [](store_reader& r, const json& a) {
       return to_wire(r.usage(field<core::usage_query>(a, "q")));
     }},
    {"read.transcript",
     [](store_reader& r, const json& a) {
       return to_wire(
         r.transcript(field<std::string>(a, "id"), field<bool>(a, "stitch")));
     }},
    {"read.search",
     [](store_reader& r, const json& a) {
       return to_wire(r.search(field<core::search_query>(a, "q")));
     }},
    {"read.export_session",
     [](store_reader& r, const json& a) {
       return to_wire(r.export_session(field<std::string>(a, "id")));
     }},
    {"read.export_session_all",
     [](store_reader& r, const json& a) {
       return to_wire(r.export_session_all(field<std::string>(a, "id")));
     }},
    {"read.export_all",
     [](store_reader& r, const json& a) {
       std::vector<json> rows;
       auto s = r.export_all(field<opt_string>(a, "source"),
                             [&rows](const json& j) { rows.push_back(j); });
       if (!s)
         return to_wire(s);
       return json{{"ok", to_wire(rows)}};
     }},
    {"read.message_count",
     [](store_reader& r, const json& a) {
       return to_wire(r.message_count(field<opt_string>(a, "session_id")));
     }},
  };
  return ops;
}

} // namespace

bool is_reader_op(std::string_view op) {
  return op.starts_with("read.");
}

json run_reader_op(core::store_reader& r, std::string_view op,
                   const json& args) {
  auto it = reader_ops().find(op);
  if (it == reader_ops().end())
    return to_wire(core::status(core::internal_error(
      "rpc: unknown operation '" + std::string(op) + "'")));
  try {
    return it->second(r, args);
  } catch (const std::exception& e) {
    return to_wire(core::status(
      malformed("arguments of '" + std::string(op) + "'", e.what())));
  }
}

} // namespace switchboard::cluster::rpc
