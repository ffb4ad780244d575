// The load generator's driver against a fake target whose completions run
// only inside poll(): the closed loop keeps exactly `concurrency` turns in
// flight from one thread, every message is sent once, batches and the open
// loop respect the same bound, failures are counted as errors, and
// several lanes split the bound, each on its own thread.

#include "tests/unit/loadgen/small_run.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <thread>

namespace lg = switchboard::loadgen;
namespace core = switchboard::core;
namespace actors = switchboard::actors;

namespace {

class fake_target final : public lg::target {
public:
  int route_calls = 0, batch_calls = 0, append_calls = 0, usage_calls = 0;
  int in_flight = 0, max_in_flight = 0;
  int fail_every = 0; // > 0: every n-th route fails
  std::thread::id driver;
  bool wrong_thread = false;
  // Shared by several fakes: no completion runs before `gate_need` of them
  // have had `gate_at` requests in flight at once (so every lane fills its
  // share before another lane can spend the budget), or 5 s have passed (so
  // a lane that never fills its share fails the test instead of hanging it).
  std::atomic<int>* gate = nullptr;
  int gate_need = 0;
  int gate_at = 1;

  void route(const lg::routed& r,
             lg::done_fn<actors::route_reply> done) override {
    start();
    ++route_calls;
    bool fails = fail_every > 0 && route_calls % fail_every == 0;
    auto reply = reply_for(r);
    later([done, reply, fails] {
      if (fails)
        done(core::error{core::errc::overloaded, "HTTP 503"});
      else
        done(reply);
    });
  }

  void route_batch(const std::vector<lg::routed>& items,
                   lg::done_fn<lg::batch_results> done) override {
    start();
    ++batch_calls;
    lg::batch_results out;
    for (const auto& i : items)
      out.push_back(reply_for(i));
    later([done, out] { done(out); });
  }

  void append(const std::string&, const std::string&, const std::string&,
              lg::done_fn<actors::append_reply> done) override {
    start();
    ++append_calls;
    auto id = next_id_++;
    later([done, id] { done(actors::append_reply{"s", id}); });
  }

  void usage(const std::string&, const core::usage_update&,
             std::function<void(core::status)> done) override {
    start();
    ++usage_calls;
    later([done] { done(core::status{}); });
  }

  void poll(std::chrono::milliseconds timeout) override {
    if (ready_.empty() || gate_closed()) {
      std::this_thread::sleep_for(
        std::min(timeout, std::chrono::milliseconds(1)));
      return;
    }
    std::deque<std::function<void()>> batch;
    batch.swap(ready_);
    for (auto& fn : batch) {
      --in_flight;
      fn();
    }
  }

  core::result<actors::sweep_report> expire() override {
    return actors::sweep_report{};
  }
  core::status advance_clock(double) override { return {}; }

private:
  void start() {
    if (driver == std::thread::id{})
      driver = std::this_thread::get_id();
    wrong_thread = wrong_thread || driver != std::this_thread::get_id();
    max_in_flight = std::max(max_in_flight, ++in_flight);
    if (gate && !gate_passed_ && in_flight >= gate_at) {
      gate_passed_ = true;
      ++*gate;
    }
  }

  bool gate_closed() {
    if (!gate || gate->load() >= gate_need)
      return false;
    auto now = std::chrono::steady_clock::now();
    if (!gate_deadline_)
      gate_deadline_ = now + std::chrono::seconds(5);
    return now < *gate_deadline_;
  }

  void later(std::function<void()> fn) { ready_.push_back(std::move(fn)); }

  actors::route_reply reply_for(const lg::routed& r) {
    actors::route_reply out;
    out.session_key = "key:" + r.origin.chat_id.value_or("");
    out.session_id = "s:" + r.origin.chat_id.value_or("");
    out.created = seen_[out.session_key]++ == 0;
    out.message_id = next_id_++;
    return out;
  }

  bool gate_passed_ = false;
  std::optional<std::chrono::steady_clock::time_point> gate_deadline_;
  std::deque<std::function<void()>> ready_;
  std::map<std::string, int> seen_;
  std::int64_t next_id_ = 1;
};

} // namespace

TEST(LoadgenRunTest, ClosedLoopKeepsConcurrencyTurnsInFlight) {
  fake_target t;
  lg::run_result r;
  lg::testing::run_small(t, {600, 8, 0, 0, 0.5}, r);
  EXPECT_EQ(r.messages, 600);
  EXPECT_EQ(r.stats.acked(), 600);
  EXPECT_EQ(r.stats.errors(), 0);
  EXPECT_EQ(t.route_calls + t.append_calls, 600);
  EXPECT_EQ(t.usage_calls, t.append_calls);
  EXPECT_GT(t.append_calls, 0);
  EXPECT_EQ(t.max_in_flight, 8);
  EXPECT_FALSE(t.wrong_thread);
  std::int64_t ids = 0;
  for (const auto& [id, s] : r.acked.sessions())
    ids += static_cast<std::int64_t>(s.message_ids.size());
  EXPECT_EQ(ids, 600);
}

TEST(LoadgenRunTest, BatchesSendGroupsWithinTheBound) {
  fake_target t;
  lg::run_result r;
  lg::testing::run_small(t, {1000, 3, 50}, r);
  EXPECT_EQ(r.stats.acked(), 1000);
  EXPECT_EQ(t.batch_calls, 20);
  EXPECT_EQ(t.route_calls, 0);
  EXPECT_EQ(t.max_in_flight, 3);
}

TEST(LoadgenRunTest, OpenLoopSendsEveryMessageWithinTheBound) {
  fake_target t;
  lg::run_result r;
  // Every job is due at once: only the bound holds them back.
  lg::testing::run_small(t, {300, 4, 0, 1e6}, r);
  EXPECT_EQ(r.stats.acked(), 300);
  EXPECT_LE(t.max_in_flight, 4);
  EXPECT_FALSE(t.wrong_thread);
}

TEST(LoadgenRunTest, FailedRequestsAreErrorsAndNotInTheLedger) {
  fake_target t;
  t.fail_every = 4;
  lg::run_result r;
  lg::testing::run_small(t, {200, 5}, r);
  EXPECT_EQ(r.stats.acked(), 150);
  EXPECT_EQ(r.stats.errors(), 50);
  ASSERT_FALSE(r.first_errors.empty());
  EXPECT_EQ(r.first_errors.front(), "HTTP 503");
}

TEST(LoadgenRunTest, LanesSplitTheConcurrencyEachOnItsOwnThread) {
  fake_target a, b;
  std::atomic<int> gate{0};
  a.gate = b.gate = &gate;
  a.gate_need = b.gate_need = 2;
  a.gate_at = 3; // the lanes' shares of the bound of 5
  b.gate_at = 2;
  lg::workload_options wo;
  wo.chats = 20;
  wo.replies = 0;
  lg::workload w{wo};
  lg::run_options o;
  o.messages = 500;
  o.concurrency = 5;
  lg::run_result r;
  lg::run_load(std::vector<lg::target*>{&a, &b}, w, o, r);
  EXPECT_EQ(r.stats.acked(), 500);
  EXPECT_EQ(a.route_calls + b.route_calls, 500);
  EXPECT_EQ(a.max_in_flight, 3);
  EXPECT_EQ(b.max_in_flight, 2);
  EXPECT_FALSE(a.wrong_thread);
  EXPECT_FALSE(b.wrong_thread);
  EXPECT_NE(a.driver, b.driver);
}
