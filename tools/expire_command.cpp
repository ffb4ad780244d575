// `switchboard expire [KEY] [--session-id ID]`: runs an expiry sweep on a
// running server now, or, with KEY, expires that key's current session now
// (POST /v1/sessions/KEY/expire).

#include "tools/client.hpp"
#include "tools/commands.hpp"
#include "tools/http_client.hpp"

#include <iostream>

namespace switchboard::tools {

namespace {

struct expire_args {
  target_options target;
  std::optional<std::string> key;
  std::optional<std::string> session_id;
};

int run_sweep(const target_options& t) {
  auto reply =
    call_api(t, "POST", "/v1/admin/expire", nlohmann::json::object());
  if (!reply)
    return fail(reply.err());
  if (t.json) {
    print_json(*reply);
    return 0;
  }
  std::cout << "expired " << cell((*reply)["expired"]) << ", flushed "
            << cell((*reply)["flushed"]) << ", flush failed "
            << cell((*reply)["flush_failed"]) << "\n";
  return 0;
}

int run_expire_key(const expire_args& a) {
  nlohmann::json body = nlohmann::json::object();
  if (a.session_id)
    body["session_id"] = *a.session_id;
  auto reply =
    call_api(a.target, "POST",
             "/v1/sessions/" + percent_encode(*a.key) + "/expire", body);
  if (!reply)
    return fail(reply.err());
  if (a.target.json) {
    print_json(*reply);
    return 0;
  }
  const auto& r = *reply;
  std::cout << "expired " << cell(r["session_id"]) << " of " << *a.key << " ("
            << cell(r["reason"]) << ")"
            << (r["flushed"] == true        ? ", memory flushed"
                : r["flush_failed"] == true ? ", memory flush failed"
                                            : "")
            << "\n";
  return 0;
}

} // namespace

void register_expire_command(CLI::App& app, command_list& out) {
  auto a = std::make_shared<expire_args>();
  auto* sub = app.add_subcommand(
    "expire", "Run an expiry sweep now, or expire one key's session now");
  sub->add_option("KEY", a->key,
                  "Expire this key's current session now, due or not");
  sub
    ->add_option("--session-id", a->session_id,
                 "With KEY: refuse unless the key still points at this "
                 "session")
    ->needs(sub->get_option("KEY"));
  add_target_options(sub, a->target, false);
  out.push_back({sub, [a] {
                   return a->key ? run_expire_key(*a) : run_sweep(a->target);
                 }});
}

} // namespace switchboard::tools
