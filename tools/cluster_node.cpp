#include "tools/cluster_node.hpp"

#include <spdlog/spdlog.h>

namespace switchboard::tools {

core::result<std::unique_ptr<cluster::node>>
connect_node(const core::settings& s) {
  if (!s.cluster.enabled())
    return std::unique_ptr<cluster::node>{};
  cluster::node_options o;
  o.nats_urls = s.cluster.nats_urls;
  o.node_id = s.cluster.node_id.value_or("");
  o.expected = {s.cluster.partitions, s.cluster.replicas,
                s.cluster.member_ttl_seconds};
  o.log = [id = o.node_id](const std::string& line) {
    spdlog::warn("cluster {}: {}", id, line);
  };
  return cluster::node::connect(o);
}

core::status join_cluster(cluster::node* n, const std::string& url) {
  if (!n)
    return {};
  auto s = n->join(url);
  if (s)
    spdlog::info("serve: joined the cluster as {} ({})", n->id(), url);
  return s;
}

void leave_cluster(cluster::node* n) {
  if (!n)
    return;
  if (auto s = n->leave(); !s)
    spdlog::warn("serve: leaving the cluster: {} (the member key expires "
                 "after {} s)",
                 s.err().message, n->config().member_ttl_seconds);
}

core::result<std::unique_ptr<data_path>>
data_path::start(const core::settings& cfg, std::shared_ptr<core::clock> clk,
                 cluster::node& n) {
  std::unique_ptr<data_path> d(new data_path());
  auto c = cluster::nats_client::connect(cfg.cluster.nats_urls);
  if (!c)
    return c.err();
  d->nats_ = std::move(*c);
  auto rpc = cluster::rpc_client::start(*d->nats_);
  if (!rpc)
    return rpc.err();
  d->rpc_ = std::move(*rpc);
  // The ownership loop reads the cluster's state on its own connection
  // with a short timeout: while NATS elects new leaders (a server died),
  // a pass fails fast and the next one, a second later, sees them.
  auto loop_nats = cluster::nats_client::connect(cfg.cluster.nats_urls,
                                                 std::chrono::seconds(2));
  if (!loop_nats)
    return loop_nats.err();
  d->loop_nats_ = std::move(*loop_nats);
  auto members = cluster::membership::open(*d->loop_nats_);
  if (!members)
    return members.err();
  d->members_.emplace(std::move(*members));
  int partitions = n.config().partitions;
  d->front_ =
    std::make_shared<actors::partitioned_engine>(cfg, clk, partitions);
  auto log = [id = n.id()](const std::string& line) {
    spdlog::info("cluster {}: {}", id, line);
  };
  d->host_ = std::make_unique<cluster::node_partitions>(
    cluster::node_partitions_options{cfg, clk, d->nats_, d->rpc_, n.id(), log},
    *d->front_);
  cluster::ownership_options o;
  o.node_id = n.id();
  o.partitions = partitions;
  o.publish_applied = [&n](std::map<int, std::uint64_t> applied) {
    n.set_applied(std::move(applied));
  };
  o.log = [id = n.id()](const std::string& line) {
    spdlog::warn("cluster {}: {}", id, line);
  };
  d->loop_ = std::make_unique<cluster::ownership_loop>(
    *d->loop_nats_, *d->members_, *d->host_, std::move(o));
  // Snapshots have a connection of their own: their 512 KiB chunks must not
  // queue in front of the writers' appends.
  auto snap_nats = cluster::nats_client::connect(cfg.cluster.nats_urls);
  if (!snap_nats)
    return snap_nats.err();
  cluster::snapshotter_options so;
  so.nats = std::move(*snap_nats);
  so.node_id = n.id();
  so.partitions = partitions;
  so.replicas = n.config().replicas;
  so.policy = {static_cast<std::uint64_t>(cfg.cluster.snapshot_every_records),
               static_cast<std::uint64_t>(cfg.cluster.log_keep_records)};
  so.serves = [host = d->host_.get()](int p) {
    return host->serves(p);
  };
  so.file_of = [host = d->host_.get()](int p) {
    return host->file_of(p);
  };
  so.log = log;
  d->snapshots_ = std::make_unique<cluster::snapshotter>(std::move(so));
  return d;
}

data_path::~data_path() {
  stop();
}

void data_path::hand_off() {
  snapshots_->stop();
  loop_->stop();
  host_->hand_off_all();
}

void data_path::stop() {
  if (snapshots_)
    snapshots_->stop();
  loop_->stop();
  host_->stop_all();
  front_->stop();
}

api::cluster_status_fn status_source(cluster::node& n) {
  return [&n](api::cluster_status_done done) {
    n.status(std::move(done));
  };
}

} // namespace switchboard::tools
