// `switchboard send --url URL SOURCE_JSON TEXT`: routes one user message
// through a running server and prints its JSON reply.

#include "tools/client.hpp"
#include "tools/commands.hpp"

namespace switchboard::tools {

namespace {

struct send_args {
  target_options target;
  std::string source_json;
  std::string text;
  bool force_new = false;
};

int run_send(const send_args& a) {
  auto source = nlohmann::json::parse(a.source_json, nullptr, false);
  if (source.is_discarded() || !source.is_object())
    return fail(core::bad_request("source: malformed JSON"));
  nlohmann::json body = {{"source", source},
                         {"message", {{"role", "user"}, {"content", a.text}}},
                         {"force_new", a.force_new}};
  auto reply = call_api(a.target, "POST", "/v1/messages", body);
  if (!reply)
    return fail(reply.err());
  print_json(*reply);
  return 0;
}

} // namespace

void register_send_command(CLI::App& app, command_list& out) {
  auto a = std::make_shared<send_args>();
  auto* sub = app.add_subcommand("send", "Route one message through a "
                                         "running server");
  sub
    ->add_option("SOURCE_JSON", a->source_json,
                 "The source, e.g. {\"platform\":\"telegram\",...}")
    ->required();
  sub->add_option("TEXT", a->text, "The user message")->required();
  sub->add_flag("--force-new", a->force_new, "Start a new session first");
  add_target_options(sub, a->target, false);
  out.push_back({sub, [a] {
                   return run_send(*a);
                 }});
}

} // namespace switchboard::tools
