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
  o.log = [](const std::string& line) {
    spdlog::warn("cluster: {}", line);
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

api::cluster_status_fn status_source(cluster::node& n) {
  return [&n](api::cluster_status_done done) {
    n.status(std::move(done));
  };
}

} // namespace switchboard::tools
