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
// Each tick also drops request_ids older than idempotency.window_hours
// (SPEC 12): one chunk of at most forget_chunk rows per writer job (the
// index on the time makes each cheap and keeps the writer's batches short),
// the next chunk only after the previous one committed, until a chunk
// comes back short.
// A sweep asks the index for entries not finalized and last active before
// the latest instant any configured policy could expire at `now` (one
// indexed query when nothing is due), evaluates each with its own policy and
// sends the due ones through their keys' shards, at most
// flush.concurrency at once.

#include "actors/messages.hpp"

#include "core/reset_policy.hpp"

#include <chrono>
#include <deque>

namespace switchboard::actors {

namespace {

std::int64_t micros(core::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(
           t.time_since_epoch())
    .count();
}

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
      raise(core::daily_boundary(now, p.at_hour, rt.zone));
  };
  const auto& t = rt.cfg.reset.policies;
  consider(t.default_policy);
  for (const auto* m : {&t.by_platform_type, &t.by_platform, &t.by_type})
    for (const auto& [name, p] : *m)
      consider(p);
  return best;
}

/// Expired request_ids dropped per writer job.
constexpr std::int64_t forget_chunk = 5000;

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

private:
  void forget_requests();
  void begin();
  void scan();
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
  std::unique_ptr<core::store_reader> reader_;
  std::vector<std::function<void(sweep_report)>> next_;
  std::vector<std::function<void(sweep_report)>> current_;
  std::deque<keyed_job> todo_;
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
  if (!cands)
    return;
  for (auto& c : *cands) {
    const auto& e = c.entry;
    auto reason = core::evaluate(policy_for(rt_->cfg, e), e.updated_at, now,
                                 e.busy_until, rt_->zone);
    if (reason == core::reset_reason::none)
      continue;
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
      caf::anon_send(me, run_closure{[this, o] { on_outcome(o); }});
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
  auto dones = std::move(current_);
  current_.clear();
  for (auto& d : dones)
    if (d)
      d(report_);
  if (!next_.empty())
    begin();
}

} // namespace

caf::behavior supervisor_actor(caf::event_based_actor* self, runtime* rt,
                               std::vector<caf::actor> shards,
                               caf::actor writer) {
  auto st = std::make_shared<supervisor_state>(self, rt, std::move(shards),
                                               std::move(writer));
  st->arm();
  return {
    [st](tick_atom) { st->on_tick(); },
    [st](const sweep_request& r) { st->on_request(r); },
    [st](run_closure& m) { m.fn(); },
  };
}

} // namespace switchboard::actors
