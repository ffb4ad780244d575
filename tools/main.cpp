// switchboard: one binary, many subcommands (shared/API.md "Command line").
// Exit codes: 0 success, 1 a failed operation (message on stderr), 2 bad usage.

#include "tools/commands.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"switchboard: routes chat gateway messages to their sessions"};
  app.set_version_flag("--version",
                       std::string{"switchboard "} + SWITCHBOARD_VERSION);
  app.require_subcommand(1);
  switchboard::tools::command_list commands;
  switchboard::tools::register_commands(app, commands);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return switchboard::tools::run_selected(commands);
}
