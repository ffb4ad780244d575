#pragma once

// The subcommands of the `switchboard` binary. Each command registers its
// CLI11 subcommand and a runner that returns the process exit code.

#include <CLI/CLI.hpp>

#include <functional>
#include <vector>

namespace switchboard::tools {

struct command {
  CLI::App* sub = nullptr;
  std::function<int()> run;
};

using command_list = std::vector<command>;

/// Adds every subcommand to `app` and their runners to `out`.
void register_commands(CLI::App& app, command_list& out);

/// Runs the parsed subcommand; 2 when none was selected.
int run_selected(const command_list& commands);

// One registration function per command family (tools/<family>.cpp).
void register_key_command(CLI::App& app, command_list& out);
void register_serve_command(CLI::App& app, command_list& out);

} // namespace switchboard::tools
