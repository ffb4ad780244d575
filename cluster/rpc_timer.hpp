#pragma once

// One thread that runs callbacks at (or soon after) their due times, in
// time order: the retry and timeout clock of rpc_client. Callbacks must not
// block (they run one after another). Destroying the timer joins the thread;
// callbacks not yet due are dropped, never run.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace switchboard::cluster {

class rpc_timer {
public:
  using clock = std::chrono::steady_clock;

  rpc_timer();
  ~rpc_timer();
  rpc_timer(const rpc_timer&) = delete;
  rpc_timer& operator=(const rpc_timer&) = delete;

  /// Runs `fn` on the timer thread at `when`. Thread-safe.
  void at(clock::time_point when, std::function<void()> fn);

private:
  void loop();

  std::mutex mtx_;
  std::condition_variable wake_;
  std::multimap<clock::time_point, std::function<void()>> due_;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace switchboard::cluster
