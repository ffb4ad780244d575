// `switchboard history`: recent sessions with preview and last activity
// (SPEC 11), from a server or the data dir.

#include "tools/client.hpp"
#include "tools/commands.hpp"
#include "tools/http_client.hpp"

namespace switchboard::tools {

namespace {

struct history_args {
  target_options target;
  std::string source;
  std::vector<std::string> exclude_sources;
  std::int64_t limit = 20;
  std::int64_t offset = 0;
  scope_options scope;
};

core::result<nlohmann::json> remote_history(const history_args& a) {
  std::string path = "/v1/history?limit=" + std::to_string(a.limit) +
                     "&offset=" + std::to_string(a.offset);
  if (!a.source.empty())
    path += "&source=" + percent_encode(a.source);
  if (!a.exclude_sources.empty())
    path += "&exclude_sources=" + percent_encode(join_csv(a.exclude_sources));
  path += scope_query(a.scope);
  return call_api(a.target, "GET", path);
}

core::result<nlohmann::json> local_history(const history_args& a) {
  auto reader = open_data_reader(a.target);
  if (!reader)
    return reader.err();
  core::history_query q;
  if (!a.source.empty())
    q.source = a.source;
  q.exclude_sources = a.exclude_sources;
  q.limit = a.limit;
  q.offset = a.offset;
  q.user_id = a.scope.user_id;
  q.session_key = a.scope.session_key;
  auto rows = (*reader)->history(q);
  if (!rows)
    return rows.err();
  return nlohmann::json{{"sessions", std::move(*rows)}};
}

void print_history(const nlohmann::json& reply) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : reply.value("sessions", nlohmann::json::array()))
    rows.push_back({cell(s["id"]), cell(s["source"]), cell(s["display_title"]),
                    epoch_cell(s["last_active"]), cell(s["message_count"]),
                    cell(s["preview"])});
  print_table({"ID", "SOURCE", "TITLE", "LAST ACTIVE", "MESSAGES", "PREVIEW"},
              rows, 40);
}

int run_history(const history_args& a) {
  auto reply = a.target.url.empty() ? local_history(a) : remote_history(a);
  if (!reply)
    return fail(reply.err());
  if (a.target.json)
    print_json(*reply);
  else
    print_history(*reply);
  return 0;
}

} // namespace

void register_history_command(CLI::App& app, command_list& out) {
  auto a = std::make_shared<history_args>();
  auto* sub = app.add_subcommand("history", "Recent sessions with a preview");
  add_target_options(sub, a->target, true);
  sub->add_option("--source", a->source, "Only this platform");
  sub
    ->add_option("--exclude-sources", a->exclude_sources,
                 "Leave out these platforms (comma-separated)")
    ->delimiter(',');
  sub->add_option("--limit", a->limit, "At most this many")
    ->check(CLI::Range(std::int64_t{1}, std::int64_t{100000}));
  sub->add_option("--offset", a->offset, "Skip this many")
    ->check(CLI::NonNegativeNumber);
  add_scope_options(sub, a->scope);
  out.push_back({sub, [a] {
                   return run_history(*a);
                 }});
}

} // namespace switchboard::tools
