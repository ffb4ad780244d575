// `switchboard import-hermes --hermes-home DIR [--data-dir DIR]`: imports a
// Hermes home (state.db, legacy sessions/<id>.jsonl transcripts and
// sessions.json) into the data dir. Works on the
// data dir only: the HTTP API has no import call. Safe to rerun (already
// imported sessions and keys are skipped).

#include "core/zone.hpp"
#include "persistence/data_dir_lock.hpp"
#include "persistence/hermes_import.hpp"
#include "tools/client.hpp"
#include "tools/commands.hpp"
#include "tools/progress.hpp"

#include <filesystem>
#include <iostream>
#include <memory>

namespace switchboard::tools {

namespace {

struct import_args {
  std::string hermes_home;
  std::string data_dir = "./var";
  std::string timezone = "local";
  bool json = false;
};

nlohmann::json counts_json(const persistence::import_counts& c) {
  return {{"sessions_imported", c.sessions_imported},
          {"sessions_skipped", c.sessions_skipped},
          {"messages_imported", c.messages_imported},
          {"titles_dropped", c.titles_dropped},
          {"parents_linked", c.parents_linked},
          {"entries_imported", c.entries_imported},
          {"entries_skipped", c.entries_skipped},
          {"entries_invalid", c.entries_invalid},
          {"jsonl_sessions_imported", c.jsonl_sessions_imported},
          {"jsonl_sessions_created", c.jsonl_sessions_created},
          {"jsonl_messages_imported", c.jsonl_messages_imported},
          {"jsonl_files_skipped", c.jsonl_files_skipped},
          {"jsonl_lines_skipped", c.jsonl_lines_skipped}};
}

void print_counts(const nlohmann::json& counts) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, value] : counts.items())
    rows.push_back({name, cell(value)});
  print_table({"WHAT", "COUNT"}, rows);
}

core::result<persistence::import_counts> import(const import_args& a) {
  auto zone = core::zone::make(a.timezone);
  if (!zone)
    return zone.err();
  std::error_code ec;
  std::filesystem::create_directories(a.data_dir, ec);
  auto lock = persistence::data_dir_lock::acquire(a.data_dir); // SPEC 15
  if (!lock)
    return lock.err();
  auto writer = persistence::open_writer(
    (std::filesystem::path(a.data_dir) / "state.db").string());
  if (!writer)
    return writer.err();
  std::unique_ptr<progress_bar> bar;
  std::string phase;
  return persistence::import_hermes_home(
    a.hermes_home, **writer, *zone, [&](const persistence::import_progress& p) {
      if (!bar || phase != p.phase) {
        phase = std::string{p.phase};
        bar = std::make_unique<progress_bar>("importing " + phase, p.total,
                                             !a.json);
      }
      bar->update(p.done);
    });
}

int run_import(const import_args& a) {
  auto counts = import(a);
  if (!counts)
    return fail(counts.err());
  auto j = counts_json(*counts);
  if (a.json)
    print_json(j);
  else
    print_counts(j);
  return 0;
}

} // namespace

void register_import_command(CLI::App& app, command_list& out) {
  auto a = std::make_shared<import_args>();
  auto* sub =
    app.add_subcommand("import-hermes", "Import a Hermes home "
                                        "(state.db, JSONL transcripts, "
                                        "sessions.json) "
                                        "into the data dir");
  sub
    ->add_option("--hermes-home", a->hermes_home,
                 "The Hermes home, e.g. "
                 "~/.hermes")
    ->required()
    ->check(CLI::ExistingDirectory);
  sub->add_option("--data-dir", a->data_dir, "Data dir to import into")
    ->capture_default_str();
  sub
    ->add_option("--timezone", a->timezone,
                 "Zone of sessions.json's naive times")
    ->capture_default_str();
  sub->add_flag("--json", a->json, "Machine-readable JSON output");
  out.push_back({sub, [a] {
                   return run_import(*a);
                 }});
}

} // namespace switchboard::tools
