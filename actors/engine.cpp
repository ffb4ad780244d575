#include "actors/engine.hpp"

// GCC 12 reports a false maybe-uninitialized on moving result<T> (a
// std::variant) inside the completion wrappers below. Clang has no such
// warning (and -Werror rejects an unknown one), hence GCC only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "actors/engine_testing.hpp"
#include "actors/flush_hook.hpp"
#include "actors/messages.hpp"
#include "actors/mirror.hpp"
#include "actors/pools.hpp"
#include "actors/retention.hpp"
#include "persistence/sqlite_store.hpp"

#include <condition_variable>
#include <filesystem>
#include <thread>

namespace switchboard::actors {

namespace {

constexpr int reader_threads = 2;

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

int thread_count(const core::settings& cfg) {
  if (cfg.actors.threads > 0)
    return cfg.actors.threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

class engine_impl final : public testable_engine {
public:
  engine_impl(const core::settings& cfg, std::shared_ptr<core::clock> clk) {
    rt_.cfg = cfg;
    rt_.clk = std::move(clk);
  }
  ~engine_impl() override { stop(); }

  core::status init(engine_options opts);
  void stop() override;

  void route(route_request req, completion<route_reply> done) override {
    auto key = core::build_session_key(req.origin, rt_.cfg.keys);
    submit(std::move(key), std::move(done),
           [&](auto d) { return make_route_op(std::move(req), std::move(d)); });
  }

  void route_batch(
    std::vector<route_request> reqs,
    std::function<void(std::vector<core::result<route_reply>>)> done) override;

  using engine::append;
  void append(std::string key, core::message msg, completion<append_reply> done,
              std::optional<std::string> request_id) override {
    submit(std::move(key), std::move(done), [&](auto d) {
      return make_append_op(std::move(msg), std::move(request_id),
                            std::move(d));
    });
  }
  void update_usage(std::string key, core::usage_update u,
                    completion<core::session_entry> done) override {
    submit(std::move(key), std::move(done),
           [&](auto d) { return make_usage_op(std::move(u), std::move(d)); });
  }
  void reset(std::string key, std::optional<std::string> title,
             completion<core::session_entry> done) override {
    submit(std::move(key), std::move(done), [&](auto d) {
      return make_reset_op(std::move(title), std::move(d));
    });
  }
  void switch_to(std::string key, switch_target target,
                 completion<core::session_entry> done) override {
    submit(std::move(key), std::move(done), [&](auto d) {
      return make_switch_op(std::move(target), std::move(d));
    });
  }
  void set_busy(std::string key, bool busy, std::optional<double> ttl,
                completion<core::session_entry> done) override {
    submit(std::move(key), std::move(done),
           [&](auto d) { return make_busy_op(busy, ttl, std::move(d)); });
  }
  void rewrite_transcript(std::string key, std::vector<core::message> msgs,
                          completion<rewrite_reply> done) override {
    submit(std::move(key), std::move(done), [&](auto d) {
      return make_rewrite_op(std::move(msgs), std::move(d));
    });
  }
  void get_entry(std::string key,
                 completion<core::session_entry> done) override {
    submit(std::move(key), std::move(done),
           [&](auto d) { return make_get_op(std::move(d)); });
  }

  void set_title(std::string session_id, std::string title,
                 completion<std::optional<std::string>> done) override;
  void delete_session(std::string session_id, completion<bool> done) override;
  void expire_now(completion<sweep_report> done) override;
  void expire_key(std::string key, std::optional<std::string> session_id,
                  completion<expire_reply> done) override;
  void prune(prune_request req, completion<prune_report> done) override;
  void apply_retention(completion<prune_report> done) override;
  void retention_tick(completion<std::optional<prune_report>> done) override;
  void read(std::function<void(core::store_reader&)> fn) override;
  void passivate_idle(completion<std::int64_t> done) override;

  std::shared_ptr<subscription> subscribe(std::size_t capacity) override {
    auto s = std::make_shared<subscription>(capacity);
    rt_.events.add(s);
    return s;
  }
  metrics_snapshot metrics() const override;
  const core::settings& config() const override { return rt_.cfg; }
  const core::clock& now_source() const override { return *rt_.clk; }

private:
  /// Admission control: false (and `done` answered with overloaded) when
  /// stopping, at max_in_flight, or when the writer queue is full.
  template <class T>
  bool admit(completion<T>& done);
  /// Wraps `done` so that in-flight drops when it runs.
  template <class T>
  completion<T> tracked(completion<T> done);
  void release();

  template <class T, class Make>
  void submit(std::string key, completion<T> done, Make make) {
    if (!admit(done))
      return;
    send_to_shard(shards_, std::move(key), make(tracked(std::move(done))));
  }

  /// A write by session id, straight to the writer.
  void direct_write(write_fn fn, std::function<void(core::status)> done) {
    rt_.writer_queue.fetch_add(1, std::memory_order_relaxed);
    caf::anon_send(writer_, write_job{std::move(fn), std::move(done), {}});
  }

  runtime rt_;
  std::unique_ptr<reader_pool> readers_;
  std::unique_ptr<worker_pool> hooks_;
  std::unique_ptr<caf::actor_system_config> caf_cfg_;
  std::unique_ptr<caf::actor_system> system_;
  caf::actor writer_;
  caf::actor supervisor_;
  std::vector<caf::actor> shards_;
  std::atomic<std::int64_t> in_flight_{0};
  std::atomic<bool> stopping_{false};
  std::mutex stop_mtx_;
  std::condition_variable drained_;
  bool stopped_ = false;
  bool started_ = false;
};

template <class T>
bool engine_impl::admit(completion<T>& done) {
  in_flight_.fetch_add(1);
  std::optional<core::error> refuse;
  if (stopping_.load())
    refuse = core::overloaded("engine is stopping");
  else if (in_flight_.load() > rt_.cfg.api.max_in_flight)
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
  if (in_flight_.fetch_sub(1) == 1) {
    std::lock_guard<std::mutex> lk(stop_mtx_);
    drained_.notify_all();
  }
}

core::status engine_impl::init(engine_options opts) {
  std::error_code ec;
  std::filesystem::create_directories(rt_.cfg.data_dir, ec);
  if (ec)
    return core::bad_request("data_dir '" + rt_.cfg.data_dir +
                             "': " + ec.message());
  auto zone = core::zone::make(rt_.cfg.reset.timezone);
  if (!zone)
    return zone.err();
  rt_.zone = *zone;
  auto path = (std::filesystem::path(rt_.cfg.data_dir) / "state.db").string();
  auto opened = persistence::open_writer(path, rt_.cfg.writer.mode);
  if (!opened)
    return opened.err();
  if (auto st = (*opened)->checkpoint_in_background(path); !st)
    return st;
  (*opened)->set_rollup_zone(rt_.zone); // usage rollup days (SPEC 14)
  std::unique_ptr<core::store_writer> w = std::move(*opened);
  if (opts.wrap_writer)
    w = opts.wrap_writer(std::move(w));
  rt_.open_reader =
    [path]() -> core::result<std::unique_ptr<core::store_reader>> {
    auto r = persistence::open_reader(path);
    if (!r)
      return r.err();
    return std::unique_ptr<core::store_reader>(std::move(*r));
  };
  if (rt_.cfg.index.sessions_json_mirror) {
    auto mr = rt_.open_reader();
    if (!mr)
      return mr.err();
    std::shared_ptr<core::store_reader> reader(std::move(*mr));
    auto out =
      (std::filesystem::path(rt_.cfg.data_dir) / "sessions.json").string();
    auto z = rt_.zone;
    rt_.write_mirror = [reader, out, z] {
      return write_sessions_mirror(*reader, out, z);
    };
  }
  auto readers = reader_pool::open(rt_.open_reader, reader_threads);
  if (!readers)
    return readers.err();
  readers_ = std::move(*readers);
  hooks_ =
    std::make_unique<worker_pool>(std::max(1, rt_.cfg.flush.concurrency));
  rt_.readers = readers_.get();
  rt_.hooks = hooks_.get();
  rt_.flush_hook = opts.flush_hook ? opts.flush_hook : make_flush_hook(rt_.cfg);
  rt_.random = opts.random ? opts.random : core::default_random_source();
  if (opts.flush_backoff_seconds)
    rt_.flush_backoff_seconds = *opts.flush_backoff_seconds;

  auto threads = thread_count(rt_.cfg);
  rt_.shard_count =
    rt_.cfg.actors.shards > 0 ? rt_.cfg.actors.shards : threads * 4;
  caf_cfg_ = std::make_unique<caf::actor_system_config>();
  caf_cfg_->set("scheduler.policy", caf::atom("sharing"));
  caf_cfg_->set("scheduler.max-threads", static_cast<std::size_t>(threads));
  caf_cfg_->set("scheduler.max-throughput", static_cast<std::size_t>(100));
  system_ = std::make_unique<caf::actor_system>(*caf_cfg_);
  std::shared_ptr<core::store_writer> shared_writer(std::move(w));
  shared_writer->set_write_behind(true); // the writer actor folds in bulk
  writer_ = system_->spawn<caf::detached>(writer_actor, &rt_, shared_writer);
  for (int i = 0; i < rt_.shard_count; ++i)
    shards_.push_back(system_->spawn(router_shard, &rt_, writer_));
  supervisor_ =
    system_->spawn<caf::detached>(supervisor_actor, &rt_, shards_, writer_);
  started_ = true;
  return {};
}

void engine_impl::stop() {
  {
    std::unique_lock<std::mutex> lk(stop_mtx_);
    if (stopped_)
      return;
    stopped_ = true;
    stopping_.store(true);
    // Every request accepted before stop() is answered (and durable) first.
    drained_.wait(lk, [this] { return in_flight_.load() == 0; });
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
  in_flight_.fetch_add(1);
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

} // namespace

core::result<std::unique_ptr<testable_engine>>
start_with(const core::settings& cfg, std::shared_ptr<core::clock> clk,
           engine_options opts) {
  auto e = std::make_unique<engine_impl>(cfg, std::move(clk));
  if (auto st = e->init(std::move(opts)); !st)
    return st.err();
  return std::unique_ptr<testable_engine>(std::move(e));
}

core::result<std::unique_ptr<engine>>
engine::start(const core::settings& cfg, std::shared_ptr<core::clock> clk) {
  auto e = start_with(cfg, std::move(clk), engine_options{});
  if (!e)
    return e.err();
  return std::unique_ptr<engine>(std::move(*e));
}

} // namespace switchboard::actors
