// The engine facade (engine.hpp): engine_impl's operations. Per-key
// requests are admitted (admission control: one in-flight slot each,
// overloaded when stopping, at api.max_in_flight or with a full writer
// queue) and sent as session ops to their key's router shard; requests by
// session id go straight to the writer or a reader; stop() drains what was
// accepted. Start-up (init, start_with, engine::start) is in
// engine_start.cpp; the class itself in engine_impl.hpp.

#include "actors/engine.hpp"

// GCC 12 reports a false maybe-uninitialized on moving result<T> (a
// std::variant) inside the completion wrappers below. Clang has no such
// warning (and -Werror rejects an unknown one), hence GCC only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "actors/engine_impl.hpp"
#include "actors/retention.hpp"

namespace switchboard::actors {

namespace {

std::optional<core::time_point> from_micros(std::int64_t us) {
  if (us == 0)
    return std::nullopt;
  return core::time_point{std::chrono::microseconds{us}};
}

/// The writer queue and the supervisor's sweep state (runtime counters).
void add_sweep_metrics(const runtime& rt, metrics_snapshot& m) {
  const auto& s = rt.stats;
  m.writer_queue_depth = rt.writer_queue.load();
  m.flushes_queued = s.flushes_queued.load();
  m.flushes_in_flight = s.flushes_in_flight.load();
  m.last_sweep_at = from_micros(s.last_sweep_at_us.load());
  m.last_sweep_seconds = static_cast<double>(s.last_sweep_us.load()) / 1e6;
  m.last_sweep_expired = s.last_sweep_expired.load();
  m.next_sweep_at = from_micros(s.next_sweep_at_us.load());
}

} // namespace

template <class T>
bool engine_impl::admit(completion<T>& done) {
  rt_.in_flight.fetch_add(1);
  std::optional<core::error> refuse;
  if (stopping_.load())
    refuse = core::overloaded("engine is stopping");
  else if (rt_.in_flight.load() > rt_.cfg.api.max_in_flight)
    refuse = core::overloaded("too many requests in flight");
  else if (rt_.writer_queue.load(std::memory_order_relaxed) >=
           rt_.cfg.writer.max_queue)
    refuse = core::overloaded("writer queue is full");
  if (!refuse)
    return true;
  rt_.stats.overloaded.fetch_add(1, std::memory_order_relaxed);
  release();
  done(std::move(*refuse));
  return false;
}

template <class T>
completion<T> engine_impl::tracked(completion<T> done) {
  // The slot frees before the caller hears back, so a caller that issues
  // its next request from the completion is not refused. stop() still joins
  // the thread running this completion (actor system, reader pool).
  return [this, done = std::move(done)](core::result<T> r) {
    release();
    done(std::move(r));
  };
}

void engine_impl::release() {
  if (rt_.in_flight.fetch_sub(1) == 1) {
    std::lock_guard<std::mutex> lk(stop_mtx_);
    drained_.notify_all();
  }
}

void engine_impl::stop() {
  {
    std::unique_lock<std::mutex> lk(stop_mtx_);
    if (stopped_)
      return;
    stopped_ = true;
    stopping_.store(true);
    // Every request accepted before stop() is answered (and durable) first.
    drained_.wait(lk, [this] { return rt_.in_flight.load() == 0; });
  }
  if (started_) {
    caf::anon_send_exit(supervisor_, caf::exit_reason::user_shutdown);
    for (auto& s : shards_)
      caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(writer_, caf::exit_reason::user_shutdown);
    supervisor_ = nullptr;
    writer_ = nullptr;
    shards_.clear();
    system_->await_all_actors_done();
  }
  if (hooks_)
    hooks_->stop();
  if (readers_)
    readers_->stop();
  system_.reset();
}

void engine_impl::route_batch(
  std::vector<route_request> reqs,
  std::function<void(std::vector<core::result<route_reply>>)> done) {
  struct gather {
    std::mutex mtx;
    std::vector<core::result<route_reply>> results;
    std::size_t remaining;
    std::function<void(std::vector<core::result<route_reply>>)> done;
  };
  auto g = std::make_shared<gather>();
  g->results.assign(reqs.size(), core::internal_error("not routed"));
  g->remaining = reqs.size();
  g->done = std::move(done);
  if (reqs.empty())
    return g->done({});
  // One message per shard with its items in order (not one per item), so
  // the shard hands the writer its writes as one group.
  std::vector<keyed_ops> per_shard(shards_.size());
  for (std::size_t i = 0; i < reqs.size(); ++i) {
    completion<route_reply> one = [g, i](core::result<route_reply> r) {
      std::unique_lock<std::mutex> lk(g->mtx);
      g->results[i] = std::move(r);
      if (--g->remaining != 0)
        return;
      auto out = std::move(g->results);
      lk.unlock();
      g->done(std::move(out));
    };
    if (!admit(one))
      continue;
    auto key = core::build_session_key(reqs[i].origin, rt_.cfg.keys);
    auto& to = per_shard[shard_of(shards_, key)];
    to.ops.push_back(
      {std::move(key), make_route_op(std::move(reqs[i]), tracked(one))});
  }
  for (std::size_t s = 0; s < shards_.size(); ++s)
    if (!per_shard[s].ops.empty())
      caf::anon_send(shards_[s], std::move(per_shard[s]));
}

void engine_impl::set_title(std::string session_id, std::string title,
                            completion<std::optional<std::string>> done) {
  if (!admit(done))
    return;
  auto out = std::make_shared<std::optional<std::string>>();
  auto d = tracked(std::move(done));
  direct_write(
    [session_id, title, out](core::store_writer& w) -> core::status {
      auto r = w.set_title(session_id, title);
      if (!r)
        return r.err();
      *out = *r;
      return {};
    },
    [out, d](core::status st) {
      d(st ? core::result<std::optional<std::string>>(*out)
           : core::result<std::optional<std::string>>(st.err()));
    });
}

void engine_impl::delete_session(std::string session_id,
                                 completion<bool> done) {
  if (!admit(done))
    return;
  auto d = tracked(std::move(done));
  // Through the key's shard when the row names one, so a key in memory
  // forgets an entry pointing at the deleted session.
  auto job = [this, session_id, d](core::store_reader& r) {
    auto row = r.get_session(session_id);
    if (!row)
      return d(row.err());
    if (!*row)
      return d(core::not_found("no session '" + session_id + "'"));
    auto key = (**row).value("session_key", nlohmann::json()).is_string()
                 ? (**row)["session_key"].get<std::string>()
                 : std::string();
    if (!key.empty())
      return send_to_shard(shards_, key, make_delete_op(session_id, d));
    direct_write(
      [session_id](core::store_writer& w) {
        return w.delete_session(session_id);
      },
      [d](core::status st) {
        d(st ? core::result<bool>(true) : core::result<bool>(st.err()));
      });
  };
  if (!readers_->post(job))
    d(core::overloaded("engine is stopping"));
}

void engine_impl::expire_now(completion<sweep_report> done) {
  if (!admit(done))
    return;
  auto d = tracked(std::move(done));
  caf::anon_send(supervisor_, sweep_request{[d](sweep_report r) {
                   d(std::move(r));
                 }});
}

void engine_impl::expire_key(std::string key,
                             std::optional<std::string> session_id,
                             completion<expire_reply> done) {
  submit(std::move(key), std::move(done), [&](auto d) {
    return make_expire_key_op(std::move(session_id), std::move(d));
  });
}

void engine_impl::prune(prune_request req, completion<prune_report> done) {
  if (!admit(done))
    return;
  auto out = std::make_shared<prune_report>();
  auto d = tracked(std::move(done));
  auto* rt = &rt_;
  direct_write(prune_job(prune_rule_of(req, rt_.now()), req.dry_run, out),
               [rt, out, d](core::status st) {
                 if (!st) {
                   record_prune_failure("prune", st.err());
                   return d(st.err());
                 }
                 record_prune(*rt, "prune", *out);
                 d(*out);
               });
}

void engine_impl::apply_retention(completion<prune_report> done) {
  if (!admit(done))
    return;
  auto d = tracked(std::move(done));
  caf::anon_send(
    supervisor_,
    retention_request{false, [d](core::result<std::optional<prune_report>> r) {
                        if (!r)
                          return d(r.err());
                        d(r->value_or(prune_report{}));
                      }});
}

void engine_impl::retention_tick(completion<std::optional<prune_report>> done) {
  if (!admit(done))
    return;
  caf::anon_send(supervisor_,
                 retention_request{true, tracked(std::move(done))});
}

void engine_impl::read(std::function<void(core::store_reader&)> fn) {
  if (stopping_.load())
    return;
  rt_.in_flight.fetch_add(1);
  auto job = [this, fn = std::move(fn)](core::store_reader& r) {
    fn(r);
    release();
  };
  if (!readers_->post(job))
    release();
}

void engine_impl::passivate_idle(completion<std::int64_t> done) {
  if (!admit(done))
    return;
  struct gather {
    std::atomic<std::int64_t> remaining;
    std::atomic<std::int64_t> total{0};
    completion<std::int64_t> done;
  };
  auto g = std::make_shared<gather>();
  g->remaining = static_cast<std::int64_t>(shards_.size());
  g->done = tracked(std::move(done));
  auto now = rt_.now();
  for (auto& s : shards_)
    caf::anon_send(s, idle_sweep{now, [g](std::int64_t n) {
                                   g->total += n;
                                   if (--g->remaining == 0)
                                     g->done(g->total.load());
                                 }});
}

metrics_snapshot engine_impl::metrics() const {
  const auto& s = rt_.stats;
  metrics_snapshot m;
  m.messages_routed = s.messages_routed.load();
  m.sessions_created = s.sessions_created.load();
  m.sessions_reset = s.sessions_reset.load();
  m.sessions_expired = s.sessions_expired.load();
  m.resident_session_actors = s.resident.load();
  m.flushes_ok = s.flushes_ok.load();
  m.flushes_failed = s.flushes_failed.load();
  m.overloaded = s.overloaded.load();
  m.duplicates = s.duplicates.load();
  m.retention_runs = s.retention_runs.load();
  m.sessions_pruned = s.sessions_pruned.load();
  m.writer_batch_size = rt_.batch_sizes.read();
  m.writer_commit_seconds = rt_.commit_seconds.read();
  add_sweep_metrics(rt_, m);
  return m;
}

} // namespace switchboard::actors
