// `switchboard search QUERY`: full-text search over messages (SPEC 10), from
// a server or the data dir.

#include "tools/client.hpp"
#include "tools/commands.hpp"
#include "tools/http_client.hpp"

namespace switchboard::tools {

namespace {

struct search_args {
  target_options target;
  std::string query;
  std::vector<std::string> sources;
  std::vector<std::string> exclude_sources;
  std::vector<std::string> roles;
  std::int64_t limit = 20;
  std::int64_t offset = 0;
  std::string sort = "relevance";
  scope_options scope;
};

void add_list(std::string& path, const char* name,
              const std::vector<std::string>& items) {
  if (!items.empty())
    path += std::string{"&"} + name + "=" + percent_encode(join_csv(items));
}

core::result<nlohmann::json> remote_search(const search_args& a) {
  std::string path = "/v1/search?q=" + percent_encode(a.query) +
                     "&limit=" + std::to_string(a.limit) +
                     "&offset=" + std::to_string(a.offset) + "&sort=" + a.sort;
  add_list(path, "sources", a.sources);
  add_list(path, "exclude_sources", a.exclude_sources);
  add_list(path, "roles", a.roles);
  path += scope_query(a.scope);
  return call_api(a.target, "GET", path);
}

core::search_order order_of(const std::string& sort) {
  if (sort == "newest")
    return core::search_order::newest;
  if (sort == "oldest")
    return core::search_order::oldest;
  return core::search_order::relevance;
}

core::result<nlohmann::json> local_search(const search_args& a) {
  auto reader = open_data_reader(a.target);
  if (!reader)
    return reader.err();
  core::search_query q{a.query,          a.sources,       a.exclude_sources,
                       a.roles,          a.limit,         a.offset,
                       order_of(a.sort), a.scope.user_id, a.scope.session_key};
  auto hits = (*reader)->search(q);
  if (!hits)
    return hits.err();
  return nlohmann::json{{"results", std::move(*hits)}};
}

void print_results(const nlohmann::json& reply) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : reply.value("results", nlohmann::json::array()))
    rows.push_back({cell(r["session_id"]), cell(r["role"]), cell(r["source"]),
                    epoch_cell(r["timestamp"]), cell(r["snippet"])});
  print_table({"SESSION", "ROLE", "SOURCE", "TIME", "SNIPPET"}, rows, 80);
}

int run_search(const search_args& a) {
  auto reply = a.target.url.empty() ? local_search(a) : remote_search(a);
  if (!reply)
    return fail(reply.err());
  if (a.target.json)
    print_json(*reply);
  else
    print_results(*reply);
  return 0;
}

} // namespace

void register_search_command(CLI::App& app, command_list& out) {
  auto a = std::make_shared<search_args>();
  auto* sub = app.add_subcommand("search", "Full-text search over messages");
  sub->add_option("QUERY", a->query, "Words, \"phrases\", prefix*")->required();
  add_target_options(sub, a->target, true);
  sub->add_option("--sources", a->sources, "Only these platforms")
    ->delimiter(',');
  sub
    ->add_option("--exclude-sources", a->exclude_sources,
                 "Leave out these platforms")
    ->delimiter(',');
  sub->add_option("--roles", a->roles, "Only these roles")->delimiter(',');
  sub->add_option("--limit", a->limit, "At most this many")
    ->check(CLI::Range(std::int64_t{1}, std::int64_t{100000}));
  sub->add_option("--offset", a->offset, "Skip this many")
    ->check(CLI::NonNegativeNumber);
  sub->add_option("--sort", a->sort, "relevance, newest or oldest")
    ->check(CLI::IsMember({"relevance", "newest", "oldest"}));
  add_scope_options(sub, a->scope);
  out.push_back({sub, [a] {
                   return run_search(*a);
                 }});
}

} // namespace switchboard::tools
