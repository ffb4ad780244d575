#include "cluster/ownership_loop.hpp"

#include "cluster/partition_log.hpp"

#include <algorithm>
#include <future>

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

/// This pass's live members: `listed` and, absent from it, those of the
/// previous listing. Fails when `listed` lacks `me` (an incomplete list).
core::result<std::vector<member>>
live_members(const core::result<std::vector<member>>& listed,
             const std::vector<member>& previous, const std::string& me) {
  if (!listed)
    return listed.err();
  auto has = [](const std::vector<member>& ms, const std::string& id) {
    return std::any_of(ms.begin(), ms.end(),
                       [&](const member& m) { return m.node_id == id; });
  };
  if (!has(*listed, me))
    return core::overloaded("the member bucket does not list this node's "
                            "own key " +
                            me + " (keys lost or not yet replicated)");
  auto live = *listed;
  for (const auto& m : previous)
    if (!has(live, m.node_id))
      live.push_back(m);
  return live;
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

/// Every partition's facts, read concurrently: while NATS elects new
/// stream leaders, each leaderless stream's read waits for the client's
/// timeout, and one after another they would make a pass last that many
/// timeouts (16 partitions: half a minute of decisions made on old facts).
std::vector<core::result<partition_facts>>
ownership_loop::read_all_facts(const std::vector<member>& live) {
  std::vector<std::future<core::result<partition_facts>>> reads;
  for (int p = 0; p < opts_.partitions; ++p)
    reads.push_back(std::async(std::launch::async, [this, p, &live] {
      return read_facts(client_, p, live, opts_.handoff_lag);
    }));
  std::vector<core::result<partition_facts>> out;
  for (auto& r : reads)
    out.push_back(r.get());
  return out;
}

void ownership_loop::run_pass() {
  std::lock_guard lock{pass_mtx_};
  std::optional<core::error> failure;
  auto listed = members_.list();
  auto live = live_members(listed, previous_listing_, opts_.node_id);
  if (!live)
    failure = live.err();
  else
    previous_listing_ = std::move(*listed);
  auto all_facts =
    live ? read_all_facts(*live) : std::vector<core::result<partition_facts>>{};
  for (int p = 0; p < static_cast<int>(all_facts.size()); ++p) {
    auto& f = all_facts[static_cast<std::size_t>(p)];
    if (!f) {
      failure = f.err();
      host_.facts_unknown(p);
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
    host_.log_owner_is(p, log_owner(f->facts.tail));
    auto action = decide(opts_.node_id, f->facts);
    if (auto seq = host_.apply(p, action, f->last_seq))
      applied_[p] = *seq;
    else
      applied_.erase(p);
  }
  if (live && opts_.publish_applied)
    opts_.publish_applied(applied_);
  auto now_failing = failure ? failure->message : std::string{};
  if (opts_.log && now_failing != failing_) {
    if (!now_failing.empty())
      opts_.log("ownership pass could not read the cluster's state "
                "(retried every pass): " +
                now_failing);
    else
      opts_.log("ownership pass reads the cluster's state again");
  }
  failing_ = std::move(now_failing);
}

} // namespace switchboard::cluster
