// `switchboard usage [--from DAY] [--to DAY] [--group-by day|platform|model]
// [--json]`: token and cost totals from the daily usage rollups (SPEC 14),
// from a server (--url) or directly from the data dir (read-only).

#include "core/usage.hpp"
#include "tools/client.hpp"
#include "tools/commands.hpp"
#include "tools/http_client.hpp"

#include <fmt/format.h>

namespace switchboard::tools {

namespace {

struct usage_args {
  target_options target;
  std::string from;
  std::string to;
  std::string group_by = "day";
};

core::result<core::usage_query> query_of(const usage_args& a) {
  core::usage_query q;
  if (!a.from.empty())
    q.from = a.from;
  if (!a.to.empty())
    q.to = a.to;
  auto g = core::parse_usage_group(a.group_by);
  if (!g)
    return core::bad_request("--group-by must be day, platform or model");
  q.group_by = *g;
  if (auto st = core::check_usage_query(q, "--from", "--to"); !st)
    return st.err();
  return q;
}

core::result<nlohmann::json> remote_usage(const usage_args& a,
                                          const core::usage_query& q) {
  std::string path =
    "/v1/usage?group_by=" + std::string{core::to_string(q.group_by)};
  if (q.from)
    path += "&from=" + percent_encode(*q.from);
  if (q.to)
    path += "&to=" + percent_encode(*q.to);
  return call_api(a.target, "GET", path);
}

core::result<nlohmann::json> local_usage(const usage_args& a,
                                         const core::usage_query& q) {
  auto reader = open_data_reader(a.target);
  if (!reader)
    return reader.err();
  auto rows = (*reader)->usage(q);
  if (!rows)
    return rows.err();
  return core::usage_json(*rows, q.group_by);
}

std::string cost_cell(const nlohmann::json& v) {
  return v.is_number() ? fmt::format("{:.4f}", v.get<double>()) : cell(v);
}

void print_usage(const nlohmann::json& reply, core::usage_group g) {
  auto group = std::string{core::to_string(g)};
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : reply.value("rows", nlohmann::json::array()))
    rows.push_back({cell(r[group]), cell(r["input_tokens"]),
                    cell(r["output_tokens"]), cell(r["cache_read_tokens"]),
                    cell(r["cache_write_tokens"]),
                    cost_cell(r["estimated_cost_usd"]), cell(r["updates"])});
  std::string header = group;
  for (auto& c : header)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  print_table({header, "INPUT", "OUTPUT", "CACHE READ", "CACHE WRITE",
               "COST USD", "UPDATES"},
              rows);
}

int run_usage(const usage_args& a) {
  auto q = query_of(a);
  if (!q)
    return usage_error(q.err().message);
  auto reply = a.target.url.empty() ? local_usage(a, *q) : remote_usage(a, *q);
  if (!reply)
    return fail(reply.err());
  if (a.target.json)
    print_json(*reply);
  else
    print_usage(*reply, q->group_by);
  return 0;
}

} // namespace

void register_usage_command(CLI::App& app, command_list& out) {
  auto a = std::make_shared<usage_args>();
  auto* sub = app.add_subcommand("usage", "Token and cost totals from the "
                                          "daily usage rollups");
  add_target_options(sub, a->target, true);
  sub->add_option("--from", a->from, "First day, YYYY-MM-DD (inclusive)");
  sub->add_option("--to", a->to, "Last day, YYYY-MM-DD (inclusive)");
  sub->add_option("--group-by", a->group_by, "day, platform or model")
    ->capture_default_str();
  out.push_back({sub, [a] {
                   return run_usage(*a);
                 }});
}

} // namespace switchboard::tools
