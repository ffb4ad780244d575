// `switchboard cluster init|status --nats URL[,URL...]` (shared/CLUSTER.md
// "Contract"): creates the cluster's JetStream assets, or prints what the
// cluster looks like. Bad flags are refused (exit 2) before NATS is
// contacted, so they change nothing.
//
// init takes --partitions, --replicas and --member-ttl-seconds (the member
// bucket's TTL, which every node's cluster.member_ttl_seconds must equal).
// init prints the config it stored or found (JSON); status prints
// {"node_id": null, "members": [...], "partitions": [...]}: node_id is null
// because the CLI is no node, and applied_seq is each stream's last
// sequence (a node's GET /v1/cluster will report its own).

#include "cluster/admin.hpp"
#include "cluster/nats_client.hpp"
#include "core/cluster_rules.hpp"
#include "tools/client.hpp"
#include "tools/commands.hpp"

#include <memory>
#include <variant>

namespace switchboard::tools {

namespace {

struct cluster_args {
  std::string nats;
  int partitions = cluster::default_partitions;
  int replicas = cluster::default_replicas;
  int member_ttl_seconds = cluster::default_member_ttl_seconds;
};

/// The connection for --nats, or the exit code (2: bad usage, 1: failure).
std::variant<std::unique_ptr<cluster::nats_client>, int>
connect_to(const std::string& nats) {
  auto urls = cluster::parse_nats_urls(nats, "--nats");
  if (!urls)
    return usage_error(urls.err().message);
  auto c = cluster::nats_client::connect(*urls);
  if (!c)
    return fail(c.err());
  return std::move(*c);
}

int run_init(const cluster_args& a) {
  if (auto s = cluster::check_partitions(a.partitions, "--partitions"); !s)
    return usage_error(s.err().message);
  if (auto s = cluster::check_replicas(a.replicas, "--replicas"); !s)
    return usage_error(s.err().message);
  if (a.member_ttl_seconds < 1 ||
      a.member_ttl_seconds > core::max_member_ttl_seconds)
    return usage_error("--member-ttl-seconds must be between 1 and " +
                       std::to_string(core::max_member_ttl_seconds));
  auto c = connect_to(a.nats);
  if (auto* code = std::get_if<int>(&c))
    return *code;
  auto& client = *std::get<0>(c);
  cluster::cluster_config cfg;
  cfg.partitions = a.partitions;
  cfg.replicas = a.replicas;
  cfg.member_ttl_seconds = a.member_ttl_seconds;
  auto report = cluster::init_cluster(client, cfg);
  if (!report)
    return fail(report.err());
  auto out = cluster::to_json(report->config);
  out["created"] = report->created;
  print_json(out);
  return 0;
}

int run_status(const cluster_args& a) {
  auto c = connect_to(a.nats);
  if (auto* code = std::get_if<int>(&c))
    return *code;
  auto status = cluster::cluster_status(*std::get<0>(c), std::nullopt);
  if (!status)
    return fail(status.err());
  print_json(*status);
  return 0;
}

void add_nats_option(CLI::App* sub, cluster_args& a) {
  sub
    ->add_option("--nats", a.nats,
                 "NATS server URLs, comma-separated (nats://HOST:PORT)")
    ->required();
}

} // namespace

void register_cluster_command(CLI::App& app, command_list& out) {
  auto* cluster = app.add_subcommand("cluster", "Cluster mode on NATS "
                                                "JetStream: init, status");
  cluster->require_subcommand(1);
  auto a = std::make_shared<cluster_args>();
  auto* init = cluster->add_subcommand(
    "init", "Create the member bucket and the partition streams "
            "(idempotent; partitions, replicas and the member TTL are fixed "
            "at the first init)");
  add_nats_option(init, *a);
  // Checked by run_init: CLI11's range text is not a sentence (API.md).
  init->add_option("--partitions", a->partitions,
                   "Number of partitions, 1-100 (default 16)");
  init->add_option("--replicas", a->replicas,
                   "Replicas of every stream and bucket, 1-5 (default 3)");
  init->add_option("--member-ttl-seconds", a->member_ttl_seconds,
                   "Seconds a member stays listed after its last heartbeat, "
                   "1-3600 (default 5); every node's "
                   "cluster.member_ttl_seconds must equal it");
  out.push_back({init, [a] {
                   return run_init(*a);
                 }});
  auto* status = cluster->add_subcommand(
    "status", "Print the live members and each partition's owner, standby "
              "and last sequence (JSON)");
  add_nats_option(status, *a);
  out.push_back({status, [a] {
                   return run_status(*a);
                 }});
}

} // namespace switchboard::tools
