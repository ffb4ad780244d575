#include "tools/loadgen_run.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <optional>
#include <thread>

namespace switchboard::tools::loadgen {

namespace {

using steady = std::chrono::steady_clock;

double seconds_between(steady::time_point a, steady::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

struct job {
  std::vector<turn> turns;
  steady::time_point intended;
};

/// Hands out turns until the message budget is spent; in open loop each job
/// gets the time it should have been sent at.
class job_source {
public:
  job_source(workload& w, const run_options& o, steady::time_point start)
      : w_(w), o_(o), start_(start) {}

  std::optional<job> take() {
    std::lock_guard lock{mtx_};
    if (issued_ >= o_.messages)
      return std::nullopt;
    job j;
    j.intended = o_.rate > 0
                   ? start_ + std::chrono::duration_cast<steady::duration>(
                                std::chrono::duration<double>(
                                  static_cast<double>(issued_) / o_.rate))
                   : steady::now();
    for (int i = 0; i < std::max(1, o_.batch) && issued_ < o_.messages; ++i) {
      j.turns.push_back(w_.next());
      auto& t = j.turns.back();
      if (t.reply_text && issued_ + 2 > o_.messages)
        t.reply_text.reset();
      issued_ += t.reply_text ? 2 : 1;
    }
    return j;
  }

  std::int64_t issued() const {
    std::lock_guard lock{mtx_};
    return issued_;
  }

private:
  mutable std::mutex mtx_;
  workload& w_;
  const run_options& o_;
  steady::time_point start_;
  std::int64_t issued_ = 0;
};

/// Advances the target's manual clock and runs expiry sweeps as simulated
/// time passes the expiry interval (at most ten sweeps per real second).
class sim_driver {
public:
  sim_driver(target& t, ledger& l, bool enabled)
      : t_(t), ledger_(l), enabled_(enabled),
        interval_(std::max(1.0, t.expiry_interval())) {}

  void add(double sim_seconds) {
    if (!enabled_)
      return;
    std::lock_guard lock{mtx_};
    pending_ += sim_seconds;
    if (pending_ >= 1.0)
      apply(false);
  }

  /// Applies what is pending and sweeps once more.
  void finish() {
    if (!enabled_)
      return;
    std::lock_guard lock{mtx_};
    apply(true);
  }

private:
  void apply(bool force_sweep) {
    if (pending_ > 0)
      (void)t_.advance_clock(pending_);
    since_sweep_ += pending_;
    pending_ = 0;
    auto now = steady::now();
    bool due = since_sweep_ >= interval_ &&
               now - last_sweep_ >= std::chrono::milliseconds(100);
    if (!due && !force_sweep)
      return;
    if (auto r = t_.expire())
      ledger_.sweep(*r);
    since_sweep_ = 0;
    last_sweep_ = now;
  }

  std::mutex mtx_;
  target& t_;
  ledger& ledger_;
  bool enabled_;
  double interval_;
  double pending_ = 0;
  double since_sweep_ = 0;
  steady::time_point last_sweep_{};
};

class runner {
public:
  runner(target& t, workload& w, const run_options& o, run_result& out)
      : t_(t), o_(o), out_(out), start_(steady::now()), jobs_(w, o, start_),
        sim_(t, out.acked, o.virtual_clock) {}

  void run() {
    std::vector<std::thread> workers;
    for (int i = 0; i < std::max(1, o_.concurrency); ++i)
      workers.emplace_back([this] { work(); });
    std::thread ticker([this] { tick(); });
    for (auto& w : workers)
      w.join();
    {
      std::lock_guard lock{stop_mtx_};
      stopped_ = true;
    }
    stop_cv_.notify_all();
    ticker.join();
    out_.seconds = seconds_between(start_, steady::now());
    sim_.finish();
    out_.messages = jobs_.issued();
  }

private:
  void work() {
    while (auto j = jobs_.take()) {
      if (o_.rate > 0)
        std::this_thread::sleep_until(j->intended);
      std::int64_t msgs = 0;
      if (o_.batch > 1)
        msgs = send_batch(*j);
      else
        msgs = send_turn(j->turns.front(), j->intended);
      if (o_.sim_per_message > 0)
        sim_.add(static_cast<double>(msgs) * o_.sim_per_message);
    }
  }

  /// Records one request sent at `sent` that acknowledged `acked` messages.
  void record(steady::time_point sent, std::int64_t acked, bool ok,
              const core::error* e = nullptr) {
    auto now = steady::now();
    out_.stats.record(seconds_between(start_, now),
                      seconds_between(sent, now) * 1000.0, acked, ok);
    if (e)
      note(*e);
  }

  void note(const core::error& e) {
    std::lock_guard lock{errors_mtx_};
    if (out_.first_errors.size() < 5)
      out_.first_errors.push_back(e.message);
  }

  std::int64_t send_turn(const turn& tn, steady::time_point intended) {
    auto r = t_.route({tn.origin, "user", tn.user_text});
    record(intended, r ? 1 : 0, r.ok(), r ? nullptr : &r.err());
    if (!r) {
      if (tn.reply_text)
        out_.stats.record_errors(seconds_between(start_, steady::now()), 1);
      return tn.reply_text ? 2 : 1;
    }
    out_.acked.route(*r);
    if (!tn.reply_text)
      return 1;
    send_reply(r->session_key, *tn.reply_text);
    return 2;
  }

  void send_reply(const std::string& key, const std::string& text) {
    auto sent = steady::now();
    auto a = t_.append(key, "assistant", text);
    record(sent, a ? 1 : 0, a.ok(), a ? nullptr : &a.err());
    if (!a)
      return;
    out_.acked.append(key, *a);
    core::usage_update u;
    u.input_tokens = static_cast<std::int64_t>(text.size() / 4);
    u.output_tokens = static_cast<std::int64_t>(text.size() / 4);
    u.model = "loadgen";
    sent = steady::now();
    auto s = t_.usage(key, u);
    record(sent, 0, s.ok(), s ? nullptr : &s.err());
  }

  std::int64_t send_batch(const job& j) {
    std::vector<routed> items;
    for (const auto& tn : j.turns) {
      items.push_back({tn.origin, "user", tn.user_text});
      if (tn.reply_text)
        items.push_back({tn.origin, "assistant", *tn.reply_text});
    }
    auto n = static_cast<std::int64_t>(items.size());
    auto r = t_.route_batch(items);
    if (!r) {
      record(j.intended, 0, false, &r.err());
      out_.stats.record_errors(seconds_between(start_, steady::now()), n - 1);
      return n;
    }
    std::int64_t acked = 0;
    for (const auto& item : *r) {
      if (item) {
        ++acked;
        out_.acked.route(*item);
      } else {
        note(item.err());
      }
    }
    record(j.intended, acked, true);
    out_.stats.record_errors(seconds_between(start_, steady::now()), n - acked);
    return n;
  }

  /// Every 20 ms: the real-time virtual clock; every second: the progress
  /// line. Returns when the workers are done.
  void tick() {
    auto last = steady::now();
    std::size_t shown = 0;
    std::unique_lock lock{stop_mtx_};
    while (!stop_cv_.wait_for(lock, std::chrono::milliseconds(20),
                              [this] { return stopped_; })) {
      auto now = steady::now();
      if (o_.sim_per_message <= 0)
        sim_.add(o_.sim_speed * seconds_between(last, now));
      last = now;
      auto second = static_cast<std::size_t>(seconds_between(start_, now));
      if (o_.progress && second > shown) {
        shown = second;
        show(second - 1);
      }
    }
    if (o_.progress)
      std::fprintf(stdout, "\r\033[K");
  }

  void show(std::size_t second) {
    auto s = out_.stats.second(second);
    std::fprintf(stdout,
                 "\r\033[K%lld msg/s  acked %lld/%lld  errors %lld  "
                 "p50 %.2f ms  p99 %.2f ms",
                 static_cast<long long>(s.acked),
                 static_cast<long long>(out_.stats.acked()),
                 static_cast<long long>(o_.messages),
                 static_cast<long long>(out_.stats.errors()), s.p50, s.p99);
    std::fflush(stdout);
  }

  target& t_;
  const run_options& o_;
  run_result& out_;
  steady::time_point start_;
  job_source jobs_;
  sim_driver sim_;
  std::mutex errors_mtx_;
  std::mutex stop_mtx_;
  std::condition_variable stop_cv_;
  bool stopped_ = false;
};

} // namespace

void run_load(target& t, workload& w, const run_options& o, run_result& out) {
  runner r{t, w, o, out};
  r.run();
}

} // namespace switchboard::tools::loadgen
