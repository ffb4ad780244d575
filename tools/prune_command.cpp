// `switchboard prune --older-than-days N [--source S] [--dry-run]`: deletes
// ended sessions started more than N days ago (SPEC 11; N = 0: every ended
// session) that no routing entry points at, on a server or directly on the
// data dir. --dry-run lists what a real run would delete and deletes nothing
// (the same selection: store_writer::prune with dry_run).

#include "actors/retention.hpp"
#include "core/clock.hpp"
#include "tools/client.hpp"
#include "tools/commands.hpp"
#include "tools/progress.hpp"

#include <chrono>
#include <cmath>
#include <iostream>

namespace switchboard::tools {

namespace {

struct prune_args {
  target_options target;
  double older_than_days = -1; // -1: not given
  std::optional<std::string> source;
  bool dry_run = false;
};

core::result<actors::prune_report> report_of(const nlohmann::json& reply) {
  actors::prune_report r;
  r.pruned = reply.value("pruned", std::int64_t{0});
  r.dry_run = reply.value("dry_run", false);
  for (const auto& id : reply.value("session_ids", nlohmann::json::array()))
    if (id.is_string())
      r.session_ids.push_back(id.get<std::string>());
  return r;
}

core::result<actors::prune_report> remote_prune(const prune_args& a) {
  nlohmann::json body = {
    {"older_than_days", a.older_than_days},
    {"source", a.source ? nlohmann::json(*a.source) : nlohmann::json(nullptr)},
    {"dry_run", a.dry_run}};
  auto reply = call_api(a.target, "POST", "/v1/admin/prune", body);
  if (!reply)
    return reply.err();
  return report_of(*reply);
}

core::result<actors::prune_report> local_prune(const prune_args& a) {
  auto writer = open_data_writer(a.target);
  if (!writer)
    return writer.err();
  actors::prune_request req{a.older_than_days, a.source, a.dry_run};
  auto rule = actors::prune_rule_of(req, core::system_clock{}.now());
  auto ids = (*writer)->prune(rule, a.dry_run);
  if (!ids)
    return ids.err();
  actors::prune_report r;
  r.dry_run = a.dry_run;
  r.pruned = static_cast<std::int64_t>(ids->size());
  r.session_ids = std::move(*ids);
  return r;
}

void print_report(const actors::prune_report& r, bool json) {
  if (json) {
    print_json({{"pruned", r.pruned},
                {"dry_run", r.dry_run},
                {"session_ids", r.session_ids}});
    return;
  }
  if (!r.dry_run) {
    std::cout << "pruned " << r.pruned << " sessions\n";
    return;
  }
  std::cout << "would prune " << r.pruned << " sessions\n";
  for (const auto& id : r.session_ids)
    std::cout << id << "\n";
}

int run_prune(const prune_args& a) {
  if (a.older_than_days < 0 || !std::isfinite(a.older_than_days))
    return usage_error("--older-than-days must be 0 or more");
  progress_bar bar(a.dry_run ? "selecting" : "pruning", std::nullopt,
                   !a.target.json);
  bar.update(0);
  auto report = a.target.url.empty() ? local_prune(a) : remote_prune(a);
  bar.finish();
  if (!report)
    return fail(report.err());
  print_report(*report, a.target.json);
  return 0;
}

} // namespace

void register_prune_command(CLI::App& app, command_list& out) {
  auto a = std::make_shared<prune_args>();
  auto* sub = app.add_subcommand("prune", "Delete ended sessions older than "
                                          "N days");
  // Checked by run_prune: CLI11's range text is not a sentence (API.md).
  sub
    ->add_option("--older-than-days", a->older_than_days,
                 "Age in days (started before now - N days); 0 means every "
                 "ended session")
    ->required();
  sub->add_option("--source", a->source, "Only sessions of this platform");
  sub->add_flag("--dry-run", a->dry_run,
                "List what would be deleted; delete nothing");
  add_target_options(sub, a->target, true);
  out.push_back({sub, [a] {
                   return run_prune(*a);
                 }});
}

} // namespace switchboard::tools
