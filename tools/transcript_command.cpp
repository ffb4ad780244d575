// `switchboard transcript KEY_OR_ID`: the active messages of a session, by
// session key (its current session) or by session id (or unique prefix).

#include "tools/client.hpp"
#include "tools/commands.hpp"
#include "tools/http_client.hpp"

#include <iostream>

namespace switchboard::tools {

namespace {

struct transcript_args {
  target_options target;
  std::string key_or_id;
  bool stitch = false;
};

core::result<nlohmann::json> remote_transcript(const transcript_args& a) {
  if (looks_like_key(a.key_or_id))
    return call_api(a.target, "GET",
                    "/v1/sessions/" + percent_encode(a.key_or_id) +
                      "/transcript");
  auto id =
    call_api(a.target, "GET", "/v1/session-ids/" + percent_encode(a.key_or_id));
  if (!id)
    return id.err();
  auto session_id = id->value("id", a.key_or_id);
  auto messages =
    call_api(a.target, "GET",
             "/v1/session-ids/" + percent_encode(session_id) +
               "/messages?stitch=" + (a.stitch ? "true" : "false"));
  if (!messages)
    return messages.err();
  auto list =
    messages->is_object() ? messages->value("messages", *messages) : *messages;
  return nlohmann::json{{"session_id", session_id}, {"messages", list}};
}

core::result<std::string> local_session_id(persistence::sqlite_reader& r,
                                           const std::string& key_or_id) {
  if (!looks_like_key(key_or_id))
    return r.resolve_session_id(key_or_id);
  auto entry = r.get_entry(key_or_id);
  if (!entry)
    return entry.err();
  if (!*entry)
    return core::not_found("no session for key '" + key_or_id + "'");
  return (*entry)->session_id;
}

core::result<nlohmann::json> local_transcript(const transcript_args& a) {
  auto reader = open_data_reader(a.target);
  if (!reader)
    return reader.err();
  auto id = local_session_id(**reader, a.key_or_id);
  if (!id)
    return id.err();
  auto messages = (*reader)->transcript(*id, a.stitch);
  if (!messages)
    return messages.err();
  return nlohmann::json{{"session_id", *id}, {"messages", *messages}};
}

void print_transcript(const nlohmann::json& reply) {
  std::cout << "session " << cell(reply["session_id"]) << "\n";
  for (const auto& m : reply.value("messages", nlohmann::json::array())) {
    std::string who = cell(m["role"]);
    if (m.contains("tool_name") && !m["tool_name"].is_null())
      who += " (" + cell(m["tool_name"]) + ")";
    std::cout << "\n[" << who << "]\n" << cell_text(m["content"]) << "\n";
  }
}

int run_transcript(const transcript_args& a) {
  auto reply =
    a.target.url.empty() ? local_transcript(a) : remote_transcript(a);
  if (!reply)
    return fail(reply.err());
  if (a.target.json)
    print_json(*reply);
  else
    print_transcript(*reply);
  return 0;
}

} // namespace

void register_transcript_command(CLI::App& app, command_list& out) {
  auto a = std::make_shared<transcript_args>();
  auto* sub = app.add_subcommand("transcript",
                                 "Print a session's messages (by key or id)");
  sub
    ->add_option("KEY_OR_ID", a->key_or_id,
                 "A session key (agent:...) or a session id or its prefix")
    ->required();
  add_target_options(sub, a->target, true);
  sub->add_flag("--stitch", a->stitch,
                "By id: the whole compression chain ending at it");
  out.push_back({sub, [a] {
                   return run_transcript(*a);
                 }});
}

} // namespace switchboard::tools
