// `switchboard resume KEY TITLE_OR_ID`: points a key at an earlier session,
// found by id (or unique prefix) first, else by title (SPEC 6
// resolve_by_title on the server).

#include "tools/client.hpp"
#include "tools/commands.hpp"
#include "tools/http_client.hpp"

namespace switchboard::tools {

namespace {

struct resume_args {
  target_options target;
  std::string key;
  std::string title_or_id;
};

/// {"session_id": id} when the server knows the id, else {"title": text}.
nlohmann::json switch_body(const resume_args& a) {
  auto row = call_api(a.target, "GET",
                      "/v1/session-ids/" + percent_encode(a.title_or_id));
  if (row && row->is_object() && row->contains("id"))
    return {{"session_id", (*row)["id"]}};
  return {{"title", a.title_or_id}};
}

int run_resume(const resume_args& a) {
  auto reply = call_api(a.target, "POST",
                        "/v1/sessions/" + percent_encode(a.key) + "/switch",
                        switch_body(a));
  if (!reply)
    return fail(reply.err());
  if (a.target.json)
    print_json(*reply);
  else
    print_entry(*reply);
  return 0;
}

} // namespace

void register_resume_command(CLI::App& app, command_list& out) {
  auto a = std::make_shared<resume_args>();
  auto* sub = app.add_subcommand("resume", "Switch a key to an earlier "
                                           "session (by id or title)");
  sub->add_option("KEY", a->key, "The session key")->required();
  sub
    ->add_option("TITLE_OR_ID", a->title_or_id,
                 "A session id (or unique prefix) or a title")
    ->required();
  add_target_options(sub, a->target, false);
  out.push_back({sub, [a] {
                   return run_resume(*a);
                 }});
}

} // namespace switchboard::tools
