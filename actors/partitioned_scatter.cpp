// partitioned_engine: the operations that run on every slot (expire_now,
// prune, apply_retention) and metrics (contract in partitioned_engine.hpp).

#include "actors/partitioned_engine.hpp"

#include "actors/partitioned_merge.hpp"

#include <algorithm>

namespace switchboard::actors {

namespace {

/// Every slot's answer, by partition; the last one merges.
template <class T>
struct scatter_gather {
  std::mutex mtx;
  std::vector<std::optional<core::result<T>>> answers;
  std::size_t left = 0;
  std::function<void(std::vector<core::result<T>>)> merge;

  void put(std::size_t p, core::result<T> r) {
    std::unique_lock<std::mutex> lk(mtx);
    answers[p] = std::move(r);
    if (--left != 0)
      return;
    std::vector<core::result<T>> all;
    for (auto& a : answers)
      all.push_back(std::move(*a));
    lk.unlock();
    merge(std::move(all));
  }
};

prune_report merge_prunes(std::vector<prune_report> parts, bool dry_run) {
  prune_report out;
  out.dry_run = dry_run;
  std::vector<std::vector<std::string>> ids;
  for (auto& p : parts) {
    out.pruned += p.pruned;
    ids.push_back(std::move(p.session_ids));
  }
  // Oldest first: a session id starts with its local start time.
  out.session_ids = merge::merge_sorted(std::move(ids), std::greater<>{});
  return out;
}

core::histogram::snapshot add(core::histogram::snapshot a,
                              const core::histogram::snapshot& b) {
  if (a.counts.empty())
    return b;
  if (b.counts.size() == a.counts.size())
    for (std::size_t i = 0; i < a.counts.size(); ++i)
      a.counts[i] += b.counts[i];
  a.count += b.count;
  a.sum += b.sum;
  return a;
}

template <class T>
std::optional<T> later(std::optional<T> a, std::optional<T> b, bool max) {
  if (!a || !b)
    return a ? a : b;
  return max ? std::max(*a, *b) : std::min(*a, *b);
}

void add(metrics_snapshot& m, const metrics_snapshot& s) {
  m.messages_routed += s.messages_routed;
  m.sessions_created += s.sessions_created;
  m.sessions_reset += s.sessions_reset;
  m.sessions_expired += s.sessions_expired;
  m.resident_session_actors += s.resident_session_actors;
  m.flushes_ok += s.flushes_ok;
  m.flushes_failed += s.flushes_failed;
  m.overloaded += s.overloaded;
  m.duplicates += s.duplicates;
  m.retention_runs += s.retention_runs;
  m.sessions_pruned += s.sessions_pruned;
  m.writer_batch_size = add(m.writer_batch_size, s.writer_batch_size);
  m.writer_commit_seconds =
    add(m.writer_commit_seconds, s.writer_commit_seconds);
  m.writer_queue_depth += s.writer_queue_depth;
  m.flushes_queued += s.flushes_queued;
  m.flushes_in_flight += s.flushes_in_flight;
  m.last_sweep_at = later(m.last_sweep_at, s.last_sweep_at, true);
  m.last_sweep_seconds = std::max(m.last_sweep_seconds, s.last_sweep_seconds);
  m.last_sweep_expired += s.last_sweep_expired;
  m.next_sweep_at = later(m.next_sweep_at, s.next_sweep_at, false);
}

} // namespace

template <class T, class Call, class Merge>
void partitioned_engine::scatter(completion<T> done, Call call, Merge merge) {
  auto g = std::make_shared<scatter_gather<T>>();
  g->answers.resize(slots_.size());
  g->left = static_cast<std::size_t>(slots_.size());
  g->merge = [done = std::move(done),
              merge = std::move(merge)](std::vector<core::result<T>> all) {
    std::vector<T> values;
    for (auto& a : all) {
      if (!a)
        return done(std::move(a).err());
      values.push_back(std::move(*a));
    }
    done(merge(std::move(values)));
  };
  for (int p = 0; p < slots_.size(); ++p) {
    auto e = slots_.get(p);
    auto put = [g, p](core::result<T> r) {
      g->put(static_cast<std::size_t>(p), std::move(r));
    };
    if (!e)
      put(no_owner(p));
    else
      call(*e, completion<T>(put));
  }
}

void partitioned_engine::expire_now(completion<sweep_report> done) {
  scatter(
    std::move(done),
    [](engine& e, completion<sweep_report> d) { e.expire_now(std::move(d)); },
    [](std::vector<sweep_report> parts) {
      sweep_report out;
      for (const auto& p : parts) {
        out.expired += p.expired;
        out.flushed += p.flushed;
        out.flush_failed += p.flush_failed;
      }
      return out;
    });
}

void partitioned_engine::prune(prune_request req,
                               completion<prune_report> done) {
  bool dry = req.dry_run;
  scatter(
    std::move(done),
    [req](engine& e, completion<prune_report> d) {
      e.prune(req, std::move(d));
    },
    [dry](std::vector<prune_report> parts) {
      return merge_prunes(std::move(parts), dry);
    });
}

void partitioned_engine::apply_retention(completion<prune_report> done) {
  scatter(
    std::move(done),
    [](engine& e, completion<prune_report> d) {
      e.apply_retention(std::move(d));
    },
    [](std::vector<prune_report> parts) {
      return merge_prunes(std::move(parts), false);
    });
}

metrics_snapshot partitioned_engine::metrics() const {
  metrics_snapshot m;
  // Empty histograms with the engine's buckets (actors/runtime.hpp), so a
  // partitioned engine without slots renders as an idle one.
  m.writer_batch_size = core::histogram(1.0).read();
  m.writer_commit_seconds = core::histogram(1e-6).read();
  for (int p = 0; p < slots_.size(); ++p)
    if (auto e = slots_.get(p))
      add(m, e->metrics());
  return m;
}

} // namespace switchboard::actors
