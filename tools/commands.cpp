#include "tools/commands.hpp"

namespace switchboard::tools {

void register_commands(CLI::App& app, command_list& out) {
  register_key_command(app, out);
  register_serve_command(app, out);
  register_send_command(app, out);
  register_sessions_command(app, out);
  register_history_command(app, out);
  register_search_command(app, out);
  register_transcript_command(app, out);
  register_title_command(app, out);
  register_reset_command(app, out);
  register_resume_command(app, out);
  register_expire_command(app, out);
  register_prune_command(app, out);
  register_usage_command(app, out);
  register_export_command(app, out);
  register_import_command(app, out);
  register_loadgen_command(app, out);
  register_cluster_command(app, out);
}

int run_selected(const command_list& commands) {
  for (const auto& c : commands)
    if (c.sub->parsed())
      return c.run();
  return 2;
}

} // namespace switchboard::tools
