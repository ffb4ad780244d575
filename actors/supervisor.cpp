// The supervisor (SPEC 8).
//
// Protocol:
//   tick_atom     -> its timer (expiry.interval_seconds, real time): an expiry
//                    sweep unless one runs, and an idle sweep of every shard
//                    (passivation on the engine clock); re-arms itself.
//   sweep_request -> an expiry sweep now (engine::expire_now); answered with
//                    the sweep's report. Requests during a sweep share the
//                    next one.
//   run_closure   -> an expiry op finished (sent back by its key's shard),
//                    or a chunk of expired request_ids was dropped.
//   retain_atom   -> its retention timer (only armed when retention is on,
//                    every retention.interval_seconds / 4, at most 60 s, real
//                    time): a retention run when one is due on the engine
//                    clock (interval_seconds since the last one; the first is
//                    due at start); re-arms itself.
//   retention_request -> a retention run now (POST /v1/admin/retention), or,
//                    `scheduled`, what the timer does (tests, manual clock).
// Each tick also drops request_ids older than idempotency.window_hours
// (SPEC 12): one chunk of at most forget_chunk rows per writer job (the
// index on the time makes each cheap and keeps the writer's batches short),
// the next chunk only after the previous one committed, until a chunk
// comes back short.
// A sweep asks the index for entries not finalized and last active before
// the latest instant any configured policy could expire at `now` (one
// indexed query when nothing is due), plus the entries owing a deferred
// daily reset (SPEC 4.6) whose quiet gap may have passed (a second indexed
// query over those only), evaluates each with its own policy and sends the
// due ones through their keys' shards, at most flush.concurrency at once.
// A retention run is one write job (store_writer::prune), logged and
// counted by record_prune when it has committed.

#include "actors/messages.hpp"
#include "actors/retention.hpp"

#include "core/reset_policy.hpp"

#include <chrono>
#include <deque>
#include <unordered_set>

namespace switchboard::actors {

namespace {

std::int64_t micros(core::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(
           t.time_since_epoch())
    .count();
}

template <class F>
void for_each_policy(const runtime& rt, F fn) {
  const auto& t = rt.cfg.reset.policies;
  fn(t.default_policy);
  for (const auto* m : {&t.by_platform_type, &t.by_platform, &t.by_type})
    for (const auto& [name, p] : *m)
      fn(p);
}

core::time_point quiet_since(const core::reset_policy& p, core::time_point now);

/// The latest updated_at that some non-`none` policy expires at `now`;
/// nullopt when every policy is `none`.
std::optional<core::time_point> expiry_cutoff(const runtime& rt,
                                              core::time_point now) {
  std::optional<core::time_point> best;
  auto raise = [&](core::time_point t) {
    if (!best || t > *best)
      best = t;
  };
  auto consider = [&](const core::reset_policy& p) {
    using core::reset_mode;
    if (p.mode == reset_mode::idle || p.mode == reset_mode::both)
      raise(now - std::chrono::minutes(p.idle_minutes));
    if (p.mode == reset_mode::daily || p.mode == reset_mode::both)
      // With a grace, an entry active after now - defer is not due yet.
      raise(std::min(core::daily_boundary(now, p.at_hour, rt.zone),
                     quiet_since(p, now)));
  };
  for_each_policy(rt, consider);
  return best;
}

/// Expired request_ids dropped per writer job.
constexpr std::int64_t forget_chunk = 5000;
/// The latest updated_at whose quiet gap under `p` has passed at `now`
/// (inclusive), as an exclusive bound.
core::time_point quiet_since(const core::reset_policy& p,
                             core::time_point now) {
  return now - std::chrono::minutes(p.defer_daily_minutes) + core::duration{1};
}

/// The latest updated_at (exclusive) at which an entry owing a deferred daily
/// reset may be due at `now`: the shortest grace of the daily policies. When
/// no daily policy has a grace (any more), every owing entry is due.
core::time_point deferred_cutoff(const runtime& rt, core::time_point now) {
  std::optional<core::time_point> best;
  for_each_policy(rt, [&](const core::reset_policy& p) {
    using core::reset_mode;
    bool daily = p.mode == reset_mode::daily || p.mode == reset_mode::both;
    if (daily && p.defer_daily_minutes > 0 &&
        (!best || quiet_since(p, now) > *best))
      best = quiet_since(p, now);
  });
  return best.value_or(now + core::duration{1});
}

struct keyed_job {
  std::string key;
  expiry_job job;
};

class supervisor_state {
public:
  supervisor_state(caf::event_based_actor* self, runtime* rt,
                   std::vector<caf::actor> shards, caf::actor writer)
    : self_(self), rt_(rt), shards_(std::move(shards)),
      writer_(std::move(writer)) {}

  void on_tick() {
    if (!sweeping_)
      begin();
    if (!forgetting_)
      forget_requests();
    for (auto& s : shards_)
      self_->send(s, idle_sweep{rt_->now(), nullptr});
    arm();
  }

  void on_request(const sweep_request& r) {
    next_.push_back(r.done);
    if (!sweeping_)
      begin();
  }

  void arm() {
    auto d = std::chrono::duration<double>(
      std::max(0.01, rt_->cfg.expiry_interval_seconds));
    rt_->stats.next_sweep_at_us =
      micros(rt_->now()) + static_cast<std::int64_t>(d.count() * 1e6);
    self_->delayed_send(self_, std::chrono::duration_cast<caf::timespan>(d),
                        tick_atom::value);
  }

  void on_retain_timer() {
    on_retention({true, nullptr});
    arm_retention();
  }

  void arm_retention() {
    if (!rt_->cfg.retention.enabled())
      return;
    auto d = std::chrono::duration<double>(
      std::clamp(rt_->cfg.retention.interval_seconds / 4, 0.01, 60.0));
    self_->delayed_send(self_, std::chrono::duration_cast<caf::timespan>(d),
                        retain_atom::value);
  }

  void on_retention(const retention_request& r);

private:
  void forget_requests();
  void begin();
  void scan();
  void add_due(std::vector<core::expiry_candidate>& cands,
               core::time_point now);
  void dispatch();
  void on_outcome(const expiry_outcome& o);
  void end();
  /// Publishes the queue lengths to the runtime counters (GET /v1/stats).
  void publish_queue() {
    rt_->stats.flushes_queued = static_cast<std::int64_t>(todo_.size());
    rt_->stats.flushes_in_flight = running_;
  }

  caf::event_based_actor* self_;
  runtime* rt_;
  std::vector<caf::actor> shards_;
  caf::actor writer_;
  bool forgetting_ = false;
  std::optional<core::time_point> next_retention_; // unset: due now
  std::unique_ptr<core::store_reader> reader_;
  std::vector<std::function<void(sweep_report)>> next_;
  std::vector<std::function<void(sweep_report)>> current_;
  std::deque<keyed_job> todo_;
  std::unordered_set<std::string> queued_; // keys in this sweep
  int running_ = 0;
  bool sweeping_ = false;
  sweep_report report_;
  std::chrono::steady_clock::time_point started_;
};

void supervisor_state::forget_requests() {
  forgetting_ = true;
  using hours = std::chrono::duration<double, std::ratio<3600>>;
  auto cutoff = rt_->now() - std::chrono::duration_cast<core::duration>(
                               hours(rt_->cfg.idempotency.window_hours));
  auto dropped = std::make_shared<std::int64_t>(0);
  auto fn = [cutoff, dropped](core::store_writer& w) -> core::status {
    auto n = w.forget_requests(cutoff, forget_chunk);
    if (!n)
      return n.err();
    *dropped = *n;
    return {};
  };
  auto me = caf::actor_cast<caf::actor>(self_);
  auto done = [me, this, dropped](core::status st) {
    caf::anon_send(me, run_closure{[this, st, dropped] {
                     forgetting_ = false;
                     if (st && *dropped == forget_chunk)
                       forget_requests();
                   }});
  };
  rt_->writer_queue.fetch_add(1, std::memory_order_relaxed);
  self_->send(writer_, write_job{std::move(fn), std::move(done), {}});
}

void supervisor_state::begin() {
  sweeping_ = true;
  current_ = std::move(next_);
  next_.clear();
  report_ = sweep_report{};
  started_ = std::chrono::steady_clock::now();
  scan();
  dispatch();
}

void supervisor_state::scan() {
  auto now = rt_->now();
  auto cutoff = expiry_cutoff(*rt_, now);
  if (!cutoff)
    return;
  if (!reader_) {
    auto r = rt_->open_reader();
    if (!r)
      return;
    reader_ = std::move(*r);
  }
  auto cands = reader_->scan_expiry_candidates(*cutoff, 1000000);
  if (cands)
    add_due(*cands, now);
  auto owing =
    reader_->scan_deferred_candidates(deferred_cutoff(*rt_, now), 1000000);
  if (owing)
    add_due(*owing, now);
}

void supervisor_state::add_due(std::vector<core::expiry_candidate>& cands,
                               core::time_point now) {
  for (auto& c : cands) {
    const auto& e = c.entry;
    auto reason = core::evaluate_deferred(policy_for(rt_->cfg, e),
                                          reset_state_of(e), now, rt_->zone)
                    .reason;
    if (reason == core::reset_reason::none)
      continue;
    if (!queued_.insert(e.session_key).second)
      continue; // found by both scans
    todo_.push_back({e.session_key, {e.session_id, reason, c.message_count}});
  }
}

void supervisor_state::dispatch() {
  auto limit = std::max(1, rt_->cfg.flush.concurrency);
  while (running_ < limit && !todo_.empty()) {
    auto kj = std::move(todo_.front());
    todo_.pop_front();
    ++running_;
    auto me = caf::actor_cast<caf::actor>(self_);
    auto done = [me, this](expiry_outcome o) {
      caf::anon_send(me, run_closure{[this, o] {
                       on_outcome(o);
                     }});
    };
    send_to_shard(shards_, kj.key, make_expire_op(kj.job, done));
  }
  publish_queue();
  if (running_ == 0)
    end();
}

void supervisor_state::on_outcome(const expiry_outcome& o) {
  --running_;
  report_.expired += o.expired ? 1 : 0;
  report_.flushed += o.flushed ? 1 : 0;
  report_.flush_failed += o.flush_failed ? 1 : 0;
  dispatch();
}

void supervisor_state::end() {
  sweeping_ = false;
  auto& s = rt_->stats;
  s.last_sweep_us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - started_)
                      .count();
  s.last_sweep_expired = report_.expired;
  s.last_sweep_at_us = micros(rt_->now());
  queued_.clear();
  auto dones = std::move(current_);
  current_.clear();
  for (auto& d : dones)
    if (d)
      d(report_);
  if (!next_.empty())
    begin();
}

void supervisor_state::on_retention(const retention_request& r) {
  auto now = rt_->now();
  const auto& cfg = rt_->cfg.retention;
  if (r.scheduled) {
    if (!cfg.enabled() || (next_retention_ && now < *next_retention_)) {
      if (r.done)
        r.done(std::optional<prune_report>{});
      return;
    }
    next_retention_ =
      now + std::chrono::duration_cast<core::duration>(
              std::chrono::duration<double>(cfg.interval_seconds));
  }
  auto out = std::make_shared<prune_report>();
  auto* rt = rt_;
  auto done = r.done;
  rt_->writer_queue.fetch_add(1, std::memory_order_relaxed);
  self_->send(writer_,
              write_job{prune_job(retention_rule(cfg, now), false, out),
                        [rt, out, done](core::status st) {
                          if (st)
                            record_prune(*rt, "retention", *out);
                          else
                            record_prune_failure("retention", st.err());
                          if (!done)
                            return;
                          if (st)
                            done(std::optional<prune_report>{*out});
                          else
                            done(st.err());
                        },
                        {}});
}

} // namespace

caf::behavior supervisor_actor(caf::event_based_actor* self, runtime* rt,
                               std::vector<caf::actor> shards,
                               caf::actor writer) {
  auto st = std::make_shared<supervisor_state>(self, rt, std::move(shards),
                                               std::move(writer));
  st->arm();
  st->arm_retention();
  return {
    [st](tick_atom) { st->on_tick(); },
    [st](const sweep_request& r) { st->on_request(r); },
    [st](run_closure& m) { m.fn(); },
    [st](retain_atom) { st->on_retain_timer(); },
    [st](const retention_request& r) { st->on_retention(r); },
  };
}

} // namespace switchboard::actors
