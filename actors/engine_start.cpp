// The engine's start-up wiring: engine_impl::init (data dir, time zone, the
// store writer with its background checkpoints and rollup zone, the
// sessions.json mirror, the reader and flush hook pools, thread and shard
// counts, the actor system and its writer, shards and supervisor) and the
// entry points start_with / engine::start. With start_options::replicate
// (cluster mode) the file is opened without the recovery fold and the
// writer is the wrapper's, which may refuse the start.
//
// Contract: init either fails before spawning any actor or leaves the
// writer, every shard and the supervisor running (started_ set); the
// destructor's stop() then stops only what exists.

#include "actors/engine_impl.hpp"

#include "actors/flush_hook.hpp"
#include "actors/mirror.hpp"
#include "persistence/sqlite_store.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <thread>

namespace switchboard::actors {

namespace {

constexpr int reader_threads = 2;
// The router shards' entry lookups: 256 KiB holds the upper levels of the
// entries' B-tree; leaves come from the OS page cache.
constexpr int lookup_cache_kib = 256;

int thread_count(const core::settings& cfg) {
  if (cfg.actors.threads > 0)
    return cfg.actors.threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

} // namespace

core::status engine_impl::init(engine_options opts) {
  // spdlog's registry is a function-local static built on first use, inside
  // the (uninstrumented) library: build it here, before any actor thread
  // logs, so two engines' first log lines cannot race to construct it
  // (TSan saw that in PartitionedEngineTest).
  (void)spdlog::default_logger_raw();
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
  auto& replicate = opts.start.replicate;
  auto opened =
    persistence::open_writer(path, rt_.cfg.writer.mode,
                             replicate ? persistence::open_fold::deferred
                                       : persistence::open_fold::at_open);
  if (!opened)
    return opened.err();
  if (auto st = (*opened)->checkpoint_in_background(path); !st)
    return st;
  (*opened)->set_rollup_zone(rt_.zone); // usage rollup days (SPEC 14)
  std::unique_ptr<core::store_writer> w;
  if (replicate) {
    auto wrapped = replicate(std::move(*opened));
    if (!wrapped)
      return wrapped.err();
    w = std::move(*wrapped);
  } else {
    w = std::move(*opened);
  }
  if (opts.wrap_writer)
    w = opts.wrap_writer(std::move(w));
  auto reader_with_cache = [path](int cache_kib) {
    return
      [path, cache_kib]() -> core::result<std::unique_ptr<core::store_reader>> {
        auto r = persistence::open_reader(path, cache_kib);
        if (!r)
          return r.err();
        return std::unique_ptr<core::store_reader>(std::move(*r));
      };
  };
  rt_.open_reader = reader_with_cache(0);
  rt_.open_lookup_reader = reader_with_cache(lookup_cache_kib);
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
  // CAF 0.17's actor_system constructor makes its logger the constructing
  // thread's current logger (a thread-local strong reference), and its
  // destructor waits until that logger is destroyed. So an engine started on
  // one thread and stopped on another waited in stop() for as long as the
  // first thread lived (cluster mode: engines a node starts in its first
  // ownership pass on the main thread and stops later on its loop thread).
  caf::logger::set_current_actor_system(nullptr);
  started_ = true;
  return {};
}

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
  return start(cfg, std::move(clk), start_options{});
}

core::result<std::unique_ptr<engine>>
engine::start(const core::settings& cfg, std::shared_ptr<core::clock> clk,
              start_options opts) {
  engine_options all;
  all.start = std::move(opts);
  auto e = start_with(cfg, std::move(clk), std::move(all));
  if (!e)
    return e.err();
  return std::unique_ptr<engine>(std::move(*e));
}

} // namespace switchboard::actors
