#pragma once

// A flush hook for engine tests (engine_options::flush_hook): records each
// call, can hold callers until released, can fail.

#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

namespace switchboard::actors::testing {

/// A flush hook the test controls: counts calls and concurrency, can block
/// until released, can fail.
struct hook_probe {
  std::mutex mtx;
  std::condition_variable cv;
  bool blocked = false;
  bool fail = false;
  int running = 0;
  int max_running = 0;
  int calls = 0;
  std::vector<std::string> session_ids;
  std::vector<nlohmann::json> payloads;

  core::status call(const nlohmann::json& p) {
    std::unique_lock<std::mutex> lk(mtx);
    ++calls;
    ++running;
    max_running = std::max(max_running, running);
    session_ids.push_back(p["session_id"]);
    payloads.push_back(p);
    cv.notify_all();
    cv.wait(lk, [&] { return !blocked; });
    --running;
    if (fail)
      return core::internal_error("hook failed");
    return {};
  }
  void release() {
    std::lock_guard<std::mutex> lk(mtx);
    blocked = false;
    cv.notify_all();
  }
  void wait_running(int n) {
    std::unique_lock<std::mutex> lk(mtx);
    cv.wait(lk, [&] { return running >= n; });
  }
  int count() {
    std::lock_guard<std::mutex> lk(mtx);
    return calls;
  }
  // Hook threads write these under mtx: read them under it too.
  int now_running() {
    std::lock_guard<std::mutex> lk(mtx);
    return running;
  }
  int most_running() {
    std::lock_guard<std::mutex> lk(mtx);
    return max_running;
  }
  std::vector<std::string> ids() {
    std::lock_guard<std::mutex> lk(mtx);
    return session_ids;
  }
  std::vector<nlohmann::json> seen() {
    std::lock_guard<std::mutex> lk(mtx);
    return payloads;
  }
};

} // namespace switchboard::actors::testing
