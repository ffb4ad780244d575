// `switchboard prune --older-than-days N [--source S]`: deletes ended
// sessions started more than N days ago (SPEC 11), on a server or directly
// on the data dir.

#include "core/clock.hpp"
#include "tools/client.hpp"
#include "tools/commands.hpp"
#include "tools/progress.hpp"

#include <chrono>
#include <iostream>

namespace switchboard::tools {

namespace {

struct prune_args {
  target_options target;
  double older_than_days = 0;
  std::optional<std::string> source;
};

core::result<std::int64_t> remote_prune(const prune_args& a) {
  nlohmann::json body = {{"older_than_days", a.older_than_days},
                         {"source", a.source ? nlohmann::json(*a.source)
                                             : nlohmann::json(nullptr)}};
  auto reply = call_api(a.target, "POST", "/v1/admin/prune", body);
  if (!reply)
    return reply.err();
  return reply->value("pruned", std::int64_t{0});
}

core::result<std::int64_t> local_prune(const prune_args& a) {
  auto writer = open_data_writer(a.target);
  if (!writer)
    return writer.err();
  auto cutoff = core::system_clock{}.now() -
                std::chrono::duration_cast<core::duration>(
                  std::chrono::duration<double>(a.older_than_days * 86400.0));
  if (auto st = (*writer)->begin(); !st)
    return st.err();
  auto pruned = (*writer)->prune_sessions(cutoff, a.source);
  if (!pruned) {
    (*writer)->rollback();
    return pruned.err();
  }
  if (auto st = (*writer)->commit(); !st)
    return st.err();
  return *pruned;
}

int run_prune(const prune_args& a) {
  progress_bar bar("pruning", std::nullopt, !a.target.json);
  bar.update(0);
  auto pruned = a.target.url.empty() ? local_prune(a) : remote_prune(a);
  bar.finish();
  if (!pruned)
    return fail(pruned.err());
  if (a.target.json)
    print_json({{"pruned", *pruned}});
  else
    std::cout << "pruned " << *pruned << " sessions\n";
  return 0;
}

} // namespace

void register_prune_command(CLI::App& app, command_list& out) {
  auto a = std::make_shared<prune_args>();
  auto* sub = app.add_subcommand("prune", "Delete ended sessions older than "
                                          "N days");
  sub->add_option("--older-than-days", a->older_than_days,
                  "Age in days (started before now - N days)")
    ->required()
    ->check(CLI::PositiveNumber);
  sub->add_option("--source", a->source, "Only sessions of this platform");
  add_target_options(sub, a->target, true);
  out.push_back({sub, [a] { return run_prune(*a); }});
}

} // namespace switchboard::tools
