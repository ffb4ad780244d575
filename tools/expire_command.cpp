// `switchboard expire`: runs an expiry sweep on a running server now.

#include "tools/client.hpp"
#include "tools/commands.hpp"

#include <iostream>

namespace switchboard::tools {

namespace {

int run_expire(const target_options& t) {
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

} // namespace

void register_expire_command(CLI::App& app, command_list& out) {
  auto t = std::make_shared<target_options>();
  auto* sub = app.add_subcommand("expire", "Run an expiry sweep now");
  add_target_options(sub, *t, false);
  out.push_back({sub, [t] {
                   return run_expire(*t);
                 }});
}

} // namespace switchboard::tools
