#include "cluster/ownership_loop.hpp"

#include "cluster/partition_log.hpp"

#include <algorithm>

namespace switchboard::cluster {

namespace {

std::vector<std::string> ids_of(const std::vector<member>& live) {
  std::vector<std::string> ids;
  ids.reserve(live.size());
  for (const auto& m : live)
    ids.push_back(m.node_id);
  return ids;
}

/// The live members whose applied sequence of `partition` is at least
/// last_seq - lag.
std::vector<std::string> caught_up(const std::vector<member>& live,
                                   int partition, std::uint64_t last_seq,
                                   std::uint64_t lag) {
  std::vector<std::string> out;
  for (const auto& m : live) {
    auto it = m.applied.find(partition);
    if (it != m.applied.end() && it->second + lag >= last_seq)
      out.push_back(m.node_id);
  }
  return out;
}

} // namespace

core::result<partition_facts> read_facts(nats_client& c, int partition,
                                         const std::vector<member>& live,
                                         std::uint64_t handoff_lag) {
  auto last = last_sequence(c, partition);
  if (!last)
    return last.err();
  partition_facts out;
  out.last_seq = *last;
  out.facts.partition = partition;
  out.facts.live = ids_of(live);
  if (*last > 0) { // an empty stream (no genesis yet) is unowned too
    auto r = read_record(c, partition, *last);
    if (!r)
      return r.err();
    out.facts.tail = {r->kind, r->node};
  }
  out.facts.caught_up = caught_up(live, partition, *last, handoff_lag);
  return out;
}

ownership_loop::ownership_loop(nats_client& c, membership& members,
                               partition_host& host, ownership_options o)
  : client_(c), members_(members), host_(host), opts_(std::move(o)) {
  thread_ =
    std::make_unique<periodic_thread>(opts_.period, [this] { run_pass(); });
}

ownership_loop::~ownership_loop() {
  stop();
}

void ownership_loop::stop() {
  thread_->stop();
}

void ownership_loop::run_pass() {
  std::lock_guard lock{pass_mtx_};
  std::optional<core::error> failure;
  auto live = members_.list();
  if (!live)
    failure = live.err();
  for (int p = 0; live && p < opts_.partitions; ++p) {
    auto f = read_facts(client_, p, *live, opts_.handoff_lag);
    if (!f) {
      failure = f.err();
      continue;
    }
    auto& recent = recent_last_[p];
    recent.push_back(f->last_seq);
    if (recent.size() > opts_.handoff_passes + 1)
      recent.pop_front();
    if (recent.size() > opts_.handoff_passes) {
      auto by_lag = f->last_seq - std::min(f->last_seq, opts_.handoff_lag);
      f->facts.caught_up =
        caught_up(*live, p, std::min(by_lag, recent.front()), 0);
    }
    auto action = decide(opts_.node_id, f->facts);
    if (auto seq = host_.apply(p, action, f->last_seq))
      applied_[p] = *seq;
    else
      applied_.erase(p);
  }
  if (live && opts_.publish_applied)
    opts_.publish_applied(applied_);
  if (failure && !failing_ && opts_.log)
    opts_.log("ownership pass could not read the cluster's state (retried "
              "every pass): " +
              failure->message);
  if (!failure && failing_ && opts_.log)
    opts_.log("ownership pass reads the cluster's state again");
  failing_ = failure.has_value();
}

} // namespace switchboard::cluster
