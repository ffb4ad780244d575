// In-process routing benchmark of the engine (no HTTP): N messages over K
// keys with C requests in flight, on a temporary data dir.
//
//   ./build/tests/bench/engine_bench [--keys 1000] [--messages 200000]
//                                    [--concurrency 1000] [--durability full]
// Prints one JSON line: {"keys", "messages", "acked", "errors", "seconds",
// "msgs_per_s", "latency_ms": {"p50", "p99"}, "batch_p50", "sessions"}.

#include "actors/engine.hpp"
#include "core/clock.hpp"
#include "core/histogram.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <string>

namespace sb = switchboard;

namespace {

struct options {
  long keys = 1000;
  long messages = 200000;
  long concurrency = 1000;
  bool full = false;
};

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    std::string v = argv[i + 1];
    if (k == "--keys")
      o.keys = std::stol(v);
    else if (k == "--messages")
      o.messages = std::stol(v);
    else if (k == "--concurrency")
      o.concurrency = std::stol(v);
    else if (k == "--durability")
      o.full = v == "full";
  }
  return o;
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

private:
  std::mutex mtx_;
  std::condition_variable cv_;
  long free_;
};

} // namespace

int main(int argc, char** argv) {
  auto o = parse(argc, argv);
  char tmpl[] = "/tmp/sb-bench-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  sb::core::settings cfg;
  cfg.data_dir = dir;
  cfg.reset.timezone = "UTC";
  cfg.api.max_in_flight = static_cast<int>(o.concurrency * 2);
  if (o.full)
    cfg.writer.mode = sb::core::durability::full;
  auto eng = sb::actors::engine::start(
    cfg, std::make_shared<sb::core::system_clock>());
  if (!eng) {
    std::cerr << eng.err().message << "\n";
    return 1;
  }
  sb::core::histogram latency(1e-6);
  std::atomic<long> acked{0}, errors{0};
  window w(o.concurrency);
  auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < o.messages; ++i) {
    w.acquire();
    sb::core::source s;
    s.platform = "telegram";
    s.chat_id = "chat" + std::to_string(i % o.keys);
    sb::core::message m;
    m.role = "user";
    m.content = "message " + std::to_string(i);
    auto start = std::chrono::steady_clock::now();
    (*eng)->route({std::move(s), std::move(m), false},
                  [&, start](sb::core::result<sb::actors::route_reply> r) {
                    latency.record(std::chrono::duration<double>(
                                     std::chrono::steady_clock::now() - start)
                                     .count());
                    (r.ok() ? acked : errors).fetch_add(1);
                    w.release();
                  });
  }
  (*eng)->stop();
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                            t0).count();
  auto snap = latency.read();
  auto metrics = (*eng)->metrics();
  nlohmann::json out = {
    {"keys", o.keys},
    {"messages", o.messages},
    {"acked", acked.load()},
    {"errors", errors.load()},
    {"seconds", secs},
    {"msgs_per_s", static_cast<double>(acked.load()) / secs},
    {"latency_ms",
     {{"p50", snap.quantile(0.5) * 1e3}, {"p99", snap.quantile(0.99) * 1e3}}},
    {"batch_p50", metrics.writer_batch_size.quantile(0.5)},
    {"sessions", metrics.sessions_created}};
  std::cout << out.dump() << std::endl;
  eng->reset();
  std::filesystem::remove_all(dir);
  return errors.load() == 0 ? 0 : 1;
}
