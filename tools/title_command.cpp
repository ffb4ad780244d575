// `switchboard title ID TEXT`: sets a session's title on a running server.

#include "tools/client.hpp"
#include "tools/commands.hpp"
#include "tools/http_client.hpp"

#include <iostream>

namespace switchboard::tools {

namespace {

struct title_args {
  target_options target;
  std::string id;
  std::string text;
};

int run_title(const title_args& a) {
  auto reply = call_api(a.target, "PUT",
                        "/v1/session-ids/" + percent_encode(a.id) + "/title",
                        nlohmann::json{{"title", a.text}});
  if (!reply)
    return fail(reply.err());
  if (a.target.json)
    print_json(*reply);
  else
    std::cout << "title: " << cell((*reply)["title"]) << "\n";
  return 0;
}

} // namespace

void register_title_command(CLI::App& app, command_list& out) {
  auto a = std::make_shared<title_args>();
  auto* sub = app.add_subcommand("title", "Set a session's title (empty "
                                          "clears it)");
  sub->add_option("ID", a->id, "Session id or unique prefix")->required();
  sub->add_option("TEXT", a->text, "The title")->required();
  add_target_options(sub, a->target, false);
  out.push_back({sub, [a] {
                   return run_title(*a);
                 }});
}

} // namespace switchboard::tools
