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
void register_send_command(CLI::App& app, command_list& out);
void register_sessions_command(CLI::App& app, command_list& out);
void register_history_command(CLI::App& app, command_list& out);
void register_search_command(CLI::App& app, command_list& out);
void register_transcript_command(CLI::App& app, command_list& out);
void register_title_command(CLI::App& app, command_list& out);
void register_reset_command(CLI::App& app, command_list& out);
void register_resume_command(CLI::App& app, command_list& out);
void register_expire_command(CLI::App& app, command_list& out);
void register_prune_command(CLI::App& app, command_list& out);
void register_usage_command(CLI::App& app, command_list& out);
void register_export_command(CLI::App& app, command_list& out);
void register_import_command(CLI::App& app, command_list& out);
void register_loadgen_command(CLI::App& app, command_list& out);
void register_cluster_command(CLI::App& app, command_list& out);

} // namespace switchboard::tools
