// The store reader over forwarding (contract in remote_reader.hpp): each
// method names its operation and arguments; call() waits for the answer.

#include "cluster/remote_reader.hpp"

#include "cluster/rpc_codec.hpp"

#include <future>

namespace switchboard::cluster {

using json = nlohmann::json;

namespace {

/// {name: value} with optional arguments left out when unset.
template <class T>
json with(json args, const char* name, const T& v) {
  rpc::put_field(args, name, v);
  return args;
}

json one(const char* name, std::string_view v) {
  return json{{name, std::string(v)}};
}

} // namespace

template <class T>
core::result<T> remote_reader::call(const char* op, json args) {
  if (refuse_)
    return *refuse_;
  std::promise<core::result<json>> p;
  auto f = p.get_future();
  client_.call(partition_, op, std::move(args),
               [&p](core::result<json> r) { p.set_value(std::move(r)); });
  auto r = f.get();
  if (!r)
    return r.err();
  return rpc::decode<T>(*r, op);
}

core::result<std::optional<core::session_entry>>
remote_reader::get_entry(std::string_view session_key) {
  return call<std::optional<core::session_entry>>("read.get_entry",
                                                  one("key", session_key));
}

core::result<std::vector<core::session_entry>>
remote_reader::list_entries(const core::entry_list_query& q) {
  return call<std::vector<core::session_entry>>("read.list_entries",
                                                with(json::object(), "q", q));
}

core::result<core::entry_counts>
remote_reader::count_entries(const core::entry_list_query& q) {
  return call<core::entry_counts>("read.count_entries",
                                  with(json::object(), "q", q));
}

core::result<std::vector<core::expiry_candidate>>
remote_reader::scan_expiry_candidates(core::time_point updated_before,
                                      std::int64_t limit) {
  return call<std::vector<core::expiry_candidate>>(
    "read.scan_expiry_candidates",
    with(with(json::object(), "updated_before", updated_before), "limit",
         limit));
}

core::result<std::int64_t> remote_reader::entry_count() {
  return call<std::int64_t>("read.entry_count", json::object());
}

core::result<std::vector<core::expiry_candidate>>
remote_reader::scan_deferred_candidates(core::time_point updated_before,
                                        std::int64_t limit) {
  return call<std::vector<core::expiry_candidate>>(
    "read.scan_deferred_candidates",
    with(with(json::object(), "updated_before", updated_before), "limit",
         limit));
}

core::result<std::optional<json>>
remote_reader::get_session(std::string_view id) {
  return call<std::optional<json>>("read.get_session", one("id", id));
}

core::result<std::string>
remote_reader::resolve_session_id(std::string_view prefix) {
  return call<std::string>("read.resolve_session_id", one("prefix", prefix));
}

core::result<std::optional<std::string>>
remote_reader::resolve_title(std::string_view title) {
  return call<std::optional<std::string>>("read.resolve_title",
                                          one("title", title));
}

core::result<std::string> remote_reader::next_title(std::string_view title) {
  return call<std::string>("read.next_title", one("title", title));
}

core::result<std::string> remote_reader::compression_tip(std::string_view id) {
  return call<std::string>("read.compression_tip", one("id", id));
}

core::result<json> remote_reader::history(const core::history_query& q) {
  return call<json>("read.history", with(json::object(), "q", q));
}

core::result<std::int64_t>
remote_reader::session_count(std::optional<std::string> source) {
  return call<std::int64_t>("read.session_count",
                            with(json::object(), "source", source));
}

core::result<std::vector<std::string>>
remote_reader::select_prunable(const core::prune_rule& rule) {
  return call<std::vector<std::string>>("read.select_prunable",
                                        with(json::object(), "rule", rule));
}

core::result<std::vector<core::usage_row>>
remote_reader::usage(const core::usage_query& q) {
  return call<std::vector<core::usage_row>>("read.usage",
                                            with(json::object(), "q", q));
}

core::result<json> remote_reader::transcript(std::string_view id, bool stitch) {
  return call<json>("read.transcript", with(one("id", id), "stitch", stitch));
}

core::result<json> remote_reader::search(const core::search_query& q) {
  return call<json>("read.search", with(json::object(), "q", q));
}

core::result<std::optional<json>>
remote_reader::export_session(std::string_view id) {
  return call<std::optional<json>>("read.export_session", one("id", id));
}

core::result<std::optional<json>>
remote_reader::export_session_all(std::string_view id) {
  return call<std::optional<json>>("read.export_session_all", one("id", id));
}

core::status
remote_reader::export_all(std::optional<std::string> source,
                          const std::function<void(const json&)>& sink) {
  auto rows = call<std::vector<json>>("read.export_all",
                                      with(json::object(), "source", source));
  if (!rows)
    return rows.err();
  for (const auto& row : *rows)
    sink(row);
  return {};
}

core::result<std::int64_t>
remote_reader::message_count(std::optional<std::string> session_id) {
  return call<std::int64_t>("read.message_count",
                            with(json::object(), "session_id", session_id));
}

} // namespace switchboard::cluster
