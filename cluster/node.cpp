#include "cluster/node.hpp"

#include "core/zone.hpp"

#include <algorithm>

namespace switchboard::cluster {

namespace {

std::string now_iso() {
  return core::format_iso_utc(std::chrono::time_point_cast<core::duration>(
    std::chrono::system_clock::now()));
}

void add_mismatch(std::string& out, std::string_view field, int mine,
                  int stored) {
  if (mine == stored)
    return;
  out += (out.empty() ? "" : "; ") + std::string{field} + " is " +
         std::to_string(mine) +
         " in this node's settings, but the cluster was initialised with " +
         std::to_string(stored);
}

core::error duplicate_error(const member& live, int ttl_seconds) {
  return core::conflict(
    "node id " + live.node_id + " is already a live member of the cluster at " +
    live.url + " (last seen " + live.last_seen +
    "): another node uses this id, or an earlier run of this node ended "
    "without leaving less than " +
    std::to_string(ttl_seconds) +
    " s ago; choose another --node-id or wait for its key to expire");
}

} // namespace

core::status check_matches_stored(const cluster_config& mine,
                                  const cluster_config& stored) {
  std::string diff;
  add_mismatch(diff, "cluster.partitions", mine.partitions, stored.partitions);
  add_mismatch(diff, "cluster.replicas", mine.replicas, stored.replicas);
  add_mismatch(diff, "cluster.member_ttl_seconds", mine.member_ttl_seconds,
               stored.member_ttl_seconds);
  if (diff.empty())
    return {};
  return core::conflict(diff +
                        " (fixed by cluster init): set the same values in the "
                        "node's cluster settings");
}

std::chrono::milliseconds heartbeat_period(int member_ttl_seconds) {
  return std::min(std::chrono::milliseconds{1000},
                  std::chrono::milliseconds{member_ttl_seconds * 1000 / 3});
}

core::result<std::unique_ptr<node>> node::connect(const node_options& o) {
  if (auto s = check_node_id(o.node_id, "cluster.node_id"); !s)
    return s.err();
  auto c = nats_client::connect(o.nats_urls);
  if (!c)
    return c.err();
  auto stored = read_config(**c);
  if (!stored)
    return stored.err();
  if (auto s = check_matches_stored(o.expected, *stored); !s)
    return s.err();
  auto m = membership::open(**c);
  if (!m)
    return m.err();
  return std::unique_ptr<node>(
    new node(std::move(*c), std::move(*m), o, *stored));
}

node::node(std::unique_ptr<nats_client> c, membership m, node_options o,
           cluster_config stored)
  : client_(std::move(c)), members_(std::move(m)), id_(std::move(o.node_id)),
    config_(stored), log_(std::move(o.log)) {}

node::~node() {
  // serve calls leave() itself and logs its error; here it is a fallback.
  (void)leave();
  status_jobs_.stop();
}

core::status node::join(const std::string& url) {
  member self{id_, url, now_iso(), {}};
  {
    std::lock_guard lock{self_mtx_};
    self_ = self;
  }
  auto created = members_.create(self);
  if (!created)
    return created.err();
  if (!*created) {
    auto live = members_.find(id_);
    if (!live)
      return live.err();
    if (*live && (*live)->url != url)
      return duplicate_error(**live, config_.member_ttl_seconds);
    if (auto s = members_.put(self); !s) // our own earlier run's key
      return s;
  }
  std::lock_guard lock{leave_mtx_};
  joined_ = true;
  heartbeat_ = std::make_unique<periodic_thread>(
    heartbeat_period(config_.member_ttl_seconds), [this] { beat(); });
  return {};
}

void node::set_applied(std::map<int, std::uint64_t> applied) {
  std::lock_guard lock{self_mtx_};
  self_.applied = std::move(applied);
}

void node::beat() {
  member self;
  {
    std::lock_guard lock{self_mtx_};
    self_.last_seen = now_iso();
    self = self_;
  }
  auto s = members_.put(self);
  if (!s && !beat_failing_ && log_)
    log_("member heartbeat failed (the key expires after " +
         std::to_string(config_.member_ttl_seconds) +
         " s without one): " + s.err().message);
  if (s && beat_failing_ && log_)
    log_("member heartbeat works again");
  beat_failing_ = !s;
}

void node::status(status_callback done) {
  auto job = [this, done] {
    std::map<int, std::uint64_t> applied;
    {
      std::lock_guard lock{self_mtx_};
      applied = self_.applied;
    }
    done(cluster_status(*client_, id_, &applied));
  };
  if (!status_jobs_.post(job))
    done(core::overloaded("too many GET /v1/cluster requests are waiting for "
                          "NATS; retry later"));
}

core::status node::leave() {
  std::lock_guard lock{leave_mtx_};
  if (!joined_)
    return {};
  joined_ = false;
  heartbeat_->stop();
  return members_.remove(id_);
}

} // namespace switchboard::cluster
