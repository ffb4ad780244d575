// `switchboard serve`: runs the engine on a data dir.

#include "tools/commands.hpp"

#include <iostream>
#include <memory>

namespace switchboard::tools {

void register_serve_command(CLI::App& app, command_list& out) {
  auto* sub = app.add_subcommand("serve", "Run the engine and its HTTP API");
  auto data_dir = std::make_shared<std::string>("./var");
  sub->add_option("--data-dir", *data_dir, "Directory holding state.db");
  out.push_back({sub, [] {
    std::cerr << "serve: the engine is not built yet\n";
    return 1;
  }});
}

} // namespace switchboard::tools
