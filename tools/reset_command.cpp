// `switchboard reset KEY [--title T]`: starts a new session for a key on a
// running server.

#include "tools/client.hpp"
#include "tools/commands.hpp"
#include "tools/http_client.hpp"

namespace switchboard::tools {

namespace {

struct reset_args {
  target_options target;
  std::string key;
  std::optional<std::string> title;
};

int run_reset(const reset_args& a) {
  nlohmann::json body = nlohmann::json::object();
  if (a.title)
    body["title"] = *a.title;
  auto reply = call_api(
    a.target, "POST", "/v1/sessions/" + percent_encode(a.key) + "/reset", body);
  if (!reply)
    return fail(reply.err());
  if (a.target.json)
    print_json(*reply);
  else
    print_entry(*reply);
  return 0;
}

} // namespace

void register_reset_command(CLI::App& app, command_list& out) {
  auto a = std::make_shared<reset_args>();
  auto* sub = app.add_subcommand("reset", "Start a new session for a key");
  sub->add_option("KEY", a->key, "The session key")->required();
  sub->add_option("--title", a->title, "Title of the new session");
  add_target_options(sub, a->target, false);
  out.push_back({sub, [a] {
                   return run_reset(*a);
                 }});
}

} // namespace switchboard::tools
