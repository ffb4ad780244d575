// In-process benchmarks of the engine (no HTTP), on a temporary data dir.
// Every mode prints human lines and, with --json, one JSON object as the
// last stdout line (parsed by `make bench`).
//
//   engine_bench [--mode route|memory|tick|daily] [--json] [options]
//
// route  (default): N messages over K keys, C requests in flight, 200-byte
//        texts; then, in the same run, "writer-only": the same SQL per
//        message (create+upsert on a key's first message; append_message,
//        derived state folded in as core/fold_pacing.hpp sizes it, checkpoints
//        on their thread; no SAVEPOINT, as the engine's writer runs jobs bare;
//        batches of writer.max_batch) driven directly on a store writer, no
//        actors. Prints both and the actor overhead 1 - engine/writer_only.
//        --keys 1000 --messages 200000 --concurrency 1000 --durability full
//        --reps N: N alternating engine/writer-only pairs, medians and the
//        median per-pair ratio; CPU us per message of both (load-proof).
//        --threads N (actors.threads); --short-ids: writer-only with the
//        old short "w<i>" session ids instead of the engine's 24-char ones;
//        --warm: one message per key first, untimed, so the timed messages
//        all go to existing sessions (ingest, not creation; the ceiling C
//        also creates its sessions untimed);
//        --request-ids: every engine request carries a unique request_id
//        (SPEC 12: a lookup and an insert per message on the writer), to
//        compare with a run without
// memory: RSS delta per resident session actor: K entries written through
//        SQL, engine started, one get_entry per key (spawns the actor, loads
//        the entry; no write). --keys 100000
// tick:  supervisor sweep time (engine::expire_now round trip; the sweep
//        runs the expiry scan) with K routing entries, none due.
//        --keys 1000000 --repeat 20
// daily: K sessions (one message each) cross the daily boundary (manual
//        clock); the flush hook sleeps --hook-ms 10 with flush.concurrency
//        --flush-concurrency 64 and flush.min_messages 1. Routing latency on
//        --load-keys 1000 other keys before the sweep vs during it.
//        --keys 100000

#include "actors/engine.hpp"
#include "actors/engine_testing.hpp"
#include "core/clock.hpp"
#include "core/fold_pacing.hpp"
#include "core/session_id.hpp"
#include "core/settings.hpp"
#include "core/zone.hpp"
#include "persistence/sqlite_store.hpp"
#include "persistence/store_util.hpp"

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

namespace sb = switchboard;
using steady = std::chrono::steady_clock;

namespace {

struct options {
  std::string mode = "route";
  long keys = -1;
  long messages = 200000;
  long concurrency = 1000;
  long repeat = 20;
  long load_keys = 1000;
  long hook_ms = 10;
  long flush_concurrency = 64;
  long threads = 0; // actors.threads (0: hardware concurrency)
  long reps = 1;    // route: engine/writer-only pairs
  bool full = false;
  bool json = false;
  bool short_ids = false;   // writer-only with the old 2-5 char session ids
  bool request_ids = false; // route: a unique request_id per message
  bool warm = false;        // route: every key created before the clock runs
};

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (k == "--json") {
      o.json = true;
      continue;
    }
    if (k == "--short-ids") {
      o.short_ids = true;
      continue;
    }
    if (k == "--request-ids") {
      o.request_ids = true;
      continue;
    }
    if (k == "--warm") {
      o.warm = true;
      continue;
    }
    if (i + 1 >= argc)
      break;
    std::string v = argv[++i];
    if (k == "--mode")
      o.mode = v;
    else if (k == "--keys")
      o.keys = std::stol(v);
    else if (k == "--messages")
      o.messages = std::stol(v);
    else if (k == "--concurrency")
      o.concurrency = std::stol(v);
    else if (k == "--repeat")
      o.repeat = std::stol(v);
    else if (k == "--load-keys")
      o.load_keys = std::stol(v);
    else if (k == "--hook-ms")
      o.hook_ms = std::stol(v);
    else if (k == "--flush-concurrency")
      o.flush_concurrency = std::stol(v);
    else if (k == "--reps")
      o.reps = std::stol(v);
    else if (k == "--threads")
      o.threads = std::stol(v);
    else if (k == "--durability")
      o.full = v == "full";
  }
  if (o.keys < 0)
    o.keys = o.mode == "tick" ? 1000000 : o.mode == "route" ? 1000 : 100000;
  return o;
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "engine_bench: %s\n", what.c_str());
  std::exit(1);
}

double secs_since(steady::time_point t0) {
  return std::chrono::duration<double>(steady::now() - t0).count();
}

/// ~200-byte texts of realistic words (as store_bench).
std::vector<std::string> make_texts(std::size_t n) {
  static const char* const words[] = {
    "the",       "deploy",  "server",    "please",   "check", "config",
    "yesterday", "docker",  "container", "restart",  "error", "message",
    "user",      "account", "thanks",    "could",    "you",   "update",
    "schedule",  "meeting", "tomorrow",  "database", "query", "slow",
    "index",     "cache",   "memory",    "network"};
  std::mt19937 rng(42);
  std::uniform_int_distribution<std::size_t> pick(0, std::size(words) - 1);
  std::vector<std::string> out(n);
  for (auto& s : out) {
    while (s.size() < 200)
      s.append(words[pick(rng)]).push_back(' ');
    s.resize(200);
  }
  return out;
}

/// A counting window of requests in flight.
class window {
public:
  explicit window(long n) : free_(n) {}
  void acquire() {
    std::unique_lock<std::mutex> lk(mtx_);
    cv_.wait(lk, [this] { return free_ > 0; });
    --free_;
  }
  void release() {
    {
      std::lock_guard<std::mutex> lk(mtx_);
      ++free_;
    }
    cv_.notify_one();
  }
  void wait_all(long n) {
    std::unique_lock<std::mutex> lk(mtx_);
    cv_.wait(lk, [&] { return free_ == n; });
  }

private:
  std::mutex mtx_;
  std::condition_variable cv_;
  long free_;
};

/// Latency percentiles (ms) of a set of samples (seconds).
nlohmann::json percentiles(std::vector<double> v) {
  if (v.empty())
    return {{"p50", 0.0}, {"p99", 0.0}, {"max", 0.0}};
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * v.size()))] *
           1e3;
  };
  return {{"p50", at(0.5)}, {"p99", at(0.99)}, {"max", v.back() * 1e3}};
}

struct temp_dir {
  std::string path;
  temp_dir() {
    char tmpl[] = "/tmp/sb-bench-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~temp_dir() { std::filesystem::remove_all(path); }
  std::string db() const { return path + "/state.db"; }
};

sb::core::settings base_settings(const std::string& dir, const options& o) {
  sb::core::settings cfg;
  cfg.data_dir = dir;
  cfg.reset.timezone = "UTC";
  cfg.api.max_in_flight = static_cast<int>(o.concurrency * 2);
  cfg.actors.threads = static_cast<int>(o.threads);
  if (o.full)
    cfg.writer.mode = sb::core::durability::full;
  return cfg;
}

std::unique_ptr<sb::actors::testable_engine>
start(const sb::core::settings& cfg, std::shared_ptr<sb::core::clock> clk,
      sb::actors::engine_options opts = {}) {
  auto eng = sb::actors::start_with(cfg, std::move(clk), std::move(opts));
  if (!eng)
    die(eng.err().message);
  return std::move(*eng);
}

sb::core::source source_for(const std::string& chat) {
  sb::core::source s;
  s.platform = "telegram";
  s.chat_id = chat;
  return s;
}

/// Routes `n` messages over `keys` (chat ids prefix+i) with `conc` in flight;
/// fills per-request latencies (seconds). Returns acked.
long drive(sb::actors::engine& eng, const std::string& prefix, long n,
           long keys, long conc, const std::vector<std::string>& texts,
           std::vector<double>& lat, long key_offset = 0,
           bool request_ids = false) {
  lat.assign(static_cast<std::size_t>(n), 0.0);
  std::atomic<long> acked{0};
  window w(conc);
  for (long i = 0; i < n; ++i) {
    w.acquire();
    sb::core::message m;
    m.role = "user";
    m.content = texts[static_cast<std::size_t>(i) % texts.size()];
    auto chat = prefix + std::to_string(key_offset + i % keys);
    auto t0 = steady::now();
    double* slot = &lat[static_cast<std::size_t>(i)];
    sb::actors::route_request req{source_for(chat), std::move(m), false};
    if (request_ids)
      req.request_id = prefix + "-" + std::to_string(i);
    eng.route(std::move(req),
              [&, t0, slot](sb::core::result<sb::actors::route_reply> r) {
                *slot = secs_since(t0);
                if (r)
                  acked.fetch_add(1);
                w.release();
              });
  }
  w.wait_all(conc);
  return acked.load();
}

void must(const sb::core::status& st, const char* what) {
  if (!st)
    die(std::string{what} + ": " + st.err().message);
}

// -- route -------------------------------------------------------------------

/// A session id as the engine makes them (24 chars; SPEC 2), or, with
/// `short_ids`, the old "w<i>" (which made writer-only ~20% faster than the
/// same SQL with real ids: smaller messages rows and idx_messages_session).
std::string writer_only_id(long i, sb::core::time_point now, bool short_ids) {
  if (short_ids)
    return "w" + std::to_string(i);
  // Distinct suffixes (an odd multiplier is a bijection mod 2^32), so no
  // collision within one second; the engine retries those instead.
  auto bits = static_cast<std::uint32_t>(i + 1) * 2654435761u;
  return sb::core::make_session_id(sb::core::zone::utc().to_local(now),
                                   [bits] { return bits; });
}

/// A key's first message: its session row and entry (SQL as the engine's).
void create_key(sb::persistence::sqlite_writer& wr, sb::core::session_entry& e,
                long key, sb::core::time_point now, bool short_ids) {
  e.session_key = "agent:main:telegram:dm:w" + std::to_string(key);
  e.session_id = writer_only_id(key, now, short_ids);
  e.created_at = e.updated_at = now;
  e.origin = source_for("w" + std::to_string(key));
  e.platform = "telegram";
  sb::core::session_row_init r;
  r.id = e.session_id;
  r.source = "telegram";
  r.session_key = e.session_key;
  r.started_at = now;
  must(wr.create_session(r), "create_session");
  must(wr.upsert_entry(e), "upsert_entry");
}

/// The engine's SQL per message, on the writer directly (no actors). With
/// `warm`, every key is created (untimed) before the clock runs.
double writer_only(const std::string& path, long n, long keys, int batch,
                   const std::vector<std::string>& texts, bool short_ids,
                   bool warm) {
  auto w = sb::persistence::open_writer(path);
  if (!w)
    die(w.err().message);
  auto& wr = **w;
  // As the engine's writer does: derived state written behind, folded in
  // its own transaction every core::fold_pacing messages (actors/writer.cpp,
  // persistence/derived_state.cpp), and
  // checkpoints off COMMIT (persistence/wal_checkpointer.hpp).
  wr.set_write_behind(true);
  must(wr.checkpoint_in_background(path), "checkpoint_in_background");
  std::vector<sb::core::session_entry> entries(static_cast<std::size_t>(keys));
  for (long k = 0; warm && k < keys; ++k) {
    if (k % batch == 0)
      must(wr.begin(), "begin");
    create_key(wr, entries[static_cast<std::size_t>(k)], k,
               sb::core::system_clock{}.now(), short_ids);
    if (k % batch == batch - 1 || k + 1 == keys)
      must(wr.commit(), "commit");
  }
  long unfolded = 0;
  const sb::core::fold_pacing pacing{};
  std::int64_t fold_every = pacing.max_jobs;
  sb::core::message m;
  m.role = "user";
  auto t0 = steady::now();
  for (long i = 0; i < n; ++i) {
    if (i % batch == 0)
      must(wr.begin(), "begin");
    auto& e = entries[static_cast<std::size_t>(i % keys)];
    auto now = sb::core::system_clock{}.now();
    if (e.session_id.empty())
      create_key(wr, e, i % keys, now, short_ids);
    else
      e.updated_at = now; // derived from the user message below
    m.content = texts[static_cast<std::size_t>(i) % texts.size()];
    if (auto id = wr.append_message(e.session_id, m, now); !id)
      die(id.err().message);
    if (i % batch == batch - 1 || i + 1 == n) {
      must(wr.commit(), "commit");
      wr.between_batches();
      unfolded += i % batch + 1;
      if (unfolded >= fold_every || i + 1 == n) { // as actors/writer.cpp
        auto f0 = steady::now();
        must(wr.begin(), "begin");
        must(wr.flush_derived(), "flush_derived");
        must(wr.commit(), "commit");
        fold_every = sb::core::next_fold_jobs(pacing, unfolded, secs_since(f0));
        unfolded = 0;
      }
    }
  }
  return static_cast<double>(n) / secs_since(t0);
}

/// Process CPU seconds (user + system) so far.
double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto tv = [](const timeval& t) {
    return t.tv_sec + t.tv_usec * 1e-6;
  };
  return tv(u.ru_utime) + tv(u.ru_stime);
}

/// One engine pass of run_route.
struct engine_pass {
  double rate = 0;
  double cpu_us = 0; // process CPU per acked message
  long acked = 0;
  double batch_p50 = 0;
  double batch_mean = 0;
  int max_batch = 0;
  nlohmann::json lat;
};

engine_pass engine_route(const options& o,
                         const std::vector<std::string>& texts) {
  engine_pass p;
  temp_dir d;
  auto cfg = base_settings(d.path, o);
  p.max_batch = cfg.writer.max_batch;
  auto eng = start(cfg, std::make_shared<sb::core::system_clock>());
  std::vector<double> v;
  if (o.warm)
    drive(*eng, "chat", o.keys, o.keys, o.concurrency, texts, v);
  auto c0 = cpu_seconds();
  auto t0 = steady::now();
  p.acked = drive(*eng, "chat", o.messages, o.keys, o.concurrency, texts, v, 0,
                  o.request_ids);
  p.rate = static_cast<double>(p.acked) / secs_since(t0);
  p.cpu_us =
    (cpu_seconds() - c0) * 1e6 / static_cast<double>(std::max(1L, p.acked));
  auto bs = eng->metrics().writer_batch_size;
  p.batch_p50 = bs.quantile(0.5);
  p.batch_mean =
    bs.sum / static_cast<double>(std::max<std::uint64_t>(1, bs.count));
  eng->stop();
  p.lat = percentiles(std::move(v));
  return p;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

/// --reps pairs (engine, then writer-only, alternating, so that a change of
/// machine load hits both); the figures are medians, the ratio the median of
/// the per-pair ratios.
nlohmann::json run_route(const options& o) {
  auto texts = make_texts(4096);
  std::vector<double> rates, wos, ratios, cpus, wo_cpus;
  engine_pass last;
  long errors = 0;
  for (long r = 0; r < std::max(1L, o.reps); ++r) {
    last = engine_route(o, texts);
    errors += o.messages - last.acked;
    temp_dir d2;
    auto c0 = cpu_seconds();
    double wo = writer_only(d2.db(), o.messages, o.keys, last.max_batch, texts,
                            o.short_ids, o.warm);
    wo_cpus.push_back((cpu_seconds() - c0) * 1e6 /
                      static_cast<double>(o.messages));
    rates.push_back(last.rate);
    cpus.push_back(last.cpu_us);
    wos.push_back(wo);
    ratios.push_back(last.rate / wo);
  }
  double ratio = median(ratios);
  double cpu_ratio = median(wo_cpus) / median(cpus);
  std::printf("route: %ld msgs over %ld keys, %ld in flight, %zu rep(s)%s%s\n",
              o.messages, o.keys, o.concurrency, ratios.size(),
              o.request_ids ? ", every request with a request_id" : "",
              o.warm ? ", keys created first (untimed)" : "");
  std::printf("  engine      %9.0f msgs/s  %.1f us CPU/msg  p50 %.1f ms  "
              "p99 %.1f ms  batch p50 <= %.0f mean %.0f (last rep)\n",
              median(rates), median(cpus), last.lat["p50"].get<double>(),
              last.lat["p99"].get<double>(), last.batch_p50, last.batch_mean);
  std::printf("  writer-only %9.0f msgs/s  %.1f us CPU/msg\n", median(wos),
              median(wo_cpus));
  std::printf("  engine/writer-only %.2f (range %.2f-%.2f; actor layer "
              "costs %.0f%%), CPU writer-only/engine %.2f\n",
              ratio, *std::min_element(ratios.begin(), ratios.end()),
              *std::max_element(ratios.begin(), ratios.end()),
              (1 - ratio) * 100, cpu_ratio);
  return {{"mode", "route"},
          {"keys", o.keys},
          {"request_ids", o.request_ids},
          {"warm", o.warm},
          {"messages", o.messages},
          {"reps", ratios.size()},
          {"acked", o.messages * static_cast<long>(ratios.size()) - errors},
          {"errors", errors},
          {"msgs_per_s", median(rates)},
          {"latency_ms", last.lat},
          {"batch_p50", last.batch_p50},
          {"batch_mean", last.batch_mean},
          {"writer_only_msgs_per_s", median(wos)},
          {"cpu_us_per_msg", median(cpus)},
          {"writer_only_cpu_us_per_msg", median(wo_cpus)},
          {"cpu_ratio", cpu_ratio},
          {"ratio", ratio},
          {"ratios", ratios},
          {"actor_overhead", 1 - ratio}};
}

// -- populating the index directly --------------------------------------------

void exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK)
    die(std::string{"sql: "} + (err ? err : "?"));
}

/// Writes `n` sessions (message_count `msgs`) and their routing entries
/// (keys agent:main:telegram:dm:p<i>, updated_at = `at`) in one statement
/// each (recursive CTE), after a writer created the schema.
void populate(const std::string& path, long n, sb::core::time_point at,
              int msgs) {
  {
    auto w = sb::persistence::open_writer(path);
    if (!w)
      die(w.err().message);
  }
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK)
    die("open");
  auto us = std::to_string(sb::persistence::detail::to_micros(at));
  auto secs = std::to_string(sb::core::to_epoch_seconds(at));
  std::string cte = "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i+1 "
                    "FROM c WHERE i < " +
                    std::to_string(n - 1) + ") ";
  exec(db, "PRAGMA cache_size=-262144; BEGIN");
  exec(db, cte +
             "INSERT INTO sessions (id, source, started_at, session_key,"
             " chat_id, chat_type, message_count) SELECT 'p'||i, "
             "'telegram', " +
             secs +
             ", 'agent:main:telegram:dm:p'||i, "
             "'p'||i, 'dm', " +
             std::to_string(msgs) + " FROM c");
  exec(db, cte +
             "INSERT INTO session_entries (session_key, session_id, "
             "created_at, updated_at, origin, platform, chat_type) SELECT "
             "'agent:main:telegram:dm:p'||i, 'p'||i, " +
             us + ", " + us +
             ", json_object('platform','telegram','chat_id','p'||i,"
             "'chat_type','dm'), 'telegram', 'dm' FROM c");
  exec(db, "COMMIT");
  sqlite3_close(db);
}

std::int64_t rss_bytes() {
  std::ifstream f("/proc/self/statm");
  std::int64_t size = 0, resident = 0;
  f >> size >> resident;
  return resident * ::sysconf(_SC_PAGESIZE);
}

// -- memory ------------------------------------------------------------------

nlohmann::json run_memory(const options& o) {
  temp_dir d;
  auto cfg = base_settings(d.path, o);
  populate(d.db(), o.keys, sb::core::system_clock{}.now(), 1);
  auto eng = start(cfg, std::make_shared<sb::core::system_clock>());
  // Warm-up: a few keys so the pools and connections exist before RSS0.
  window w(1000);
  auto touch = [&](long from, long to) {
    for (long i = from; i < to; ++i) {
      w.acquire();
      eng->get_entry(
        "agent:main:telegram:dm:p" + std::to_string(i),
        [&](sb::core::result<sb::core::session_entry>) { w.release(); });
    }
    w.wait_all(1000);
  };
  touch(0, 100);
  auto rss0 = rss_bytes();
  auto t0 = steady::now();
  touch(100, o.keys);
  double secs = secs_since(t0);
  auto rss1 = rss_bytes();
  auto resident = eng->metrics().resident_session_actors;
  double per = static_cast<double>(rss1 - rss0) /
               static_cast<double>(std::max<std::int64_t>(1, resident - 100));
  std::printf("memory: %lld resident session actors, RSS %.1f -> %.1f MiB: "
              "%.0f bytes per actor (spawned in %.1f s)\n",
              static_cast<long long>(resident), rss0 / 1048576.0,
              rss1 / 1048576.0, per, secs);
  eng->stop();
  return {{"mode", "memory"},        {"keys", o.keys},
          {"resident", resident},    {"rss_before_bytes", rss0},
          {"rss_after_bytes", rss1}, {"bytes_per_actor", per}};
}

// -- tick --------------------------------------------------------------------

nlohmann::json run_tick(const options& o) {
  temp_dir d;
  auto cfg = base_settings(d.path, o);
  cfg.expiry_interval_seconds = 3600; // only our requests sweep
  auto now = sb::core::system_clock{}.now();
  auto t0 = steady::now();
  populate(d.db(), o.keys, now, 1);
  double fill = secs_since(t0);
  auto eng = start(cfg, std::make_shared<sb::core::system_clock>());
  std::vector<double> v;
  for (long i = 0; i < o.repeat; ++i) {
    std::promise<sb::core::result<sb::actors::sweep_report>> p;
    auto t = steady::now();
    eng->expire_now([&](sb::core::result<sb::actors::sweep_report> r) {
      p.set_value(std::move(r));
    });
    auto r = p.get_future().get();
    v.push_back(secs_since(t));
    if (!r || r->expired != 0)
      die("tick: unexpected sweep result");
  }
  eng->stop();
  auto pc = percentiles(v);
  std::printf("tick: %ld routing entries (written in %.1f s), none due: "
              "sweep p50 %.2f ms, max %.2f ms over %ld\n",
              o.keys, fill, pc["p50"].get<double>(), pc["max"].get<double>(),
              o.repeat);
  return {{"mode", "tick"},
          {"entries", o.keys},
          {"repeat", o.repeat},
          {"tick_ms", pc}};
}

// -- daily -------------------------------------------------------------------

nlohmann::json run_daily(const options& o) {
  temp_dir d;
  auto cfg = base_settings(d.path, o);
  cfg.expiry_interval_seconds = 3600;
  cfg.flush.min_messages = 1;
  cfg.flush.concurrency = static_cast<int>(o.flush_concurrency);
  // 03:00 UTC on some day: the 04:00 boundary is one hour ahead.
  auto day =
    std::chrono::floor<std::chrono::days>(sb::core::system_clock{}.now());
  auto t3 = sb::core::time_point(day) + std::chrono::hours(3);
  populate(d.db(), o.keys, t3, 1);
  auto clk = std::make_shared<sb::core::manual_clock>(t3);
  std::atomic<long> hooks{0};
  sb::actors::engine_options opts;
  long ms = o.hook_ms;
  opts.flush_hook = [&hooks, ms](const nlohmann::json&) -> sb::core::status {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    hooks.fetch_add(1);
    return {};
  };
  auto eng = start(cfg, clk, std::move(opts));
  clk->set(t3 + std::chrono::hours(2)); // past the boundary
  auto texts = make_texts(1024);
  std::vector<double> before, during;
  drive(*eng, "load", 20000, o.load_keys, 100, texts, before); // fresh keys
  std::promise<sb::core::result<sb::actors::sweep_report>> p;
  auto fut = p.get_future();
  auto t0 = steady::now();
  eng->expire_now([&](sb::core::result<sb::actors::sweep_report> r) {
    p.set_value(std::move(r));
  });
  std::vector<double> chunk;
  while (fut.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    drive(*eng, "load", 2000, o.load_keys, 100, texts, chunk);
    during.insert(during.end(), chunk.begin(), chunk.end());
  }
  double sweep = secs_since(t0);
  auto rep = fut.get();
  eng->stop();
  if (!rep)
    die(rep.err().message);
  auto pb = percentiles(before);
  auto pd = percentiles(during);
  double ratio = pd["p99"].get<double>() / pb["p99"].get<double>();
  std::printf("daily: %lld of %ld sessions expired, %lld flushed (hook %ld ms,"
              " %ld at once) in %.1f s\n",
              static_cast<long long>(rep->expired), o.keys,
              static_cast<long long>(rep->flushed), o.hook_ms,
              o.flush_concurrency, sweep);
  std::printf("  routing p99 before %.2f ms, during %.2f ms (%zu requests): "
              "%.2fx\n",
              pb["p99"].get<double>(), pd["p99"].get<double>(), during.size(),
              ratio);
  return {{"mode", "daily"},         {"sessions", o.keys},
          {"expired", rep->expired}, {"flushed", rep->flushed},
          {"sweep_seconds", sweep},  {"before_ms", pb},
          {"during_ms", pd},         {"during_requests", during.size()},
          {"p99_ratio", ratio}};
}

} // namespace

int main(int argc, char** argv) {
  auto o = parse(argc, argv);
  nlohmann::json out;
  if (o.mode == "route")
    out = run_route(o);
  else if (o.mode == "memory")
    out = run_memory(o);
  else if (o.mode == "tick")
    out = run_tick(o);
  else if (o.mode == "daily")
    out = run_daily(o);
  else
    die("unknown --mode " + o.mode);
  std::fflush(stdout);
  if (o.json)
    std::cout << out.dump() << std::endl;
  return 0;
}
