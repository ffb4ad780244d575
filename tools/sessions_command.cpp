// `switchboard sessions [--active-minutes N]`: lists routing entries, newest
// first, from a server or the data dir.

#include "core/clock.hpp"
#include "core/session_entry.hpp"
#include "tools/client.hpp"
#include "tools/commands.hpp"

#include <chrono>

namespace switchboard::tools {

namespace {

struct sessions_args {
  target_options target;
  std::optional<std::int64_t> active_minutes;
  std::int64_t limit = 100;
  std::int64_t offset = 0;
};

core::result<nlohmann::json> remote_sessions(const sessions_args& a) {
  std::string path = "/v1/sessions?limit=" + std::to_string(a.limit) +
                     "&offset=" + std::to_string(a.offset);
  if (a.active_minutes)
    path += "&active_minutes=" + std::to_string(*a.active_minutes);
  return call_api(a.target, "GET", path);
}

core::result<nlohmann::json> local_sessions(const sessions_args& a) {
  auto reader = open_data_reader(a.target);
  if (!reader)
    return reader.err();
  core::entry_list_query q;
  q.limit = a.limit;
  q.offset = a.offset;
  if (a.active_minutes)
    q.active_since =
      core::system_clock{}.now() - std::chrono::minutes(*a.active_minutes);
  auto entries = (*reader)->list_entries(q);
  if (!entries)
    return entries.err();
  nlohmann::json out = {{"sessions", nlohmann::json::array()}};
  for (const auto& e : *entries)
    out["sessions"].push_back(core::to_api_json(e));
  return out;
}

std::string short_time(const nlohmann::json& v) {
  auto s = cell(v);
  return s.size() > 19 ? s.substr(0, 19) + "Z" : s;
}

void print_sessions(const nlohmann::json& reply) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : reply.value("sessions", nlohmann::json::array()))
    rows.push_back({cell(e["session_key"]), cell(e["session_id"]),
                    short_time(e["updated_at"]), cell(e["platform"]),
                    cell(e["chat_type"]), cell(e["total_tokens"])});
  print_table({"KEY", "SESSION ID", "UPDATED", "PLATFORM", "TYPE", "TOKENS"},
              rows, 80);
}

int run_sessions(const sessions_args& a) {
  auto reply = a.target.url.empty() ? local_sessions(a) : remote_sessions(a);
  if (!reply)
    return fail(reply.err());
  if (a.target.json)
    print_json(*reply);
  else
    print_sessions(*reply);
  return 0;
}

} // namespace

void register_sessions_command(CLI::App& app, command_list& out) {
  auto a = std::make_shared<sessions_args>();
  auto* sub = app.add_subcommand("sessions", "List routing entries, newest "
                                             "first");
  add_target_options(sub, a->target, true);
  sub
    ->add_option("--active-minutes", a->active_minutes,
                 "Only entries active in the last N minutes")
    ->check(CLI::PositiveNumber);
  sub->add_option("--limit", a->limit, "At most this many")
    ->check(CLI::Range(std::int64_t{1}, std::int64_t{100000}));
  sub->add_option("--offset", a->offset, "Skip this many")
    ->check(CLI::NonNegativeNumber);
  out.push_back({sub, [a] {
                   return run_sessions(*a);
                 }});
}

} // namespace switchboard::tools
