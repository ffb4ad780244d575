#include "tools/commands.hpp"

namespace switchboard::tools {

void register_commands(CLI::App& app, command_list& out) {
  register_key_command(app, out);
  register_serve_command(app, out);
}

int run_selected(const command_list& commands) {
  for (const auto& c : commands)
    if (c.sub->parsed())
      return c.run();
  return 2;
}

} // namespace switchboard::tools
