#include "loadgen/run.hpp"

#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace switchboard::loadgen {

namespace {

using steady = std::chrono::steady_clock;

double seconds_between(steady::time_point a, steady::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

/// One unit of work in flight: a turn (route, maybe reply and usage) or a
/// batch of turns.
struct job {
  std::vector<turn> turns;
  std::int64_t messages = 0;
  steady::time_point intended; // open loop: when it is due
  steady::time_point origin;   // latency counts from here
};

/// Hands out jobs until the message budget is spent; in open loop each job
/// gets the time it should be sent at. Thread-safe (the driver threads).
class job_source {
public:
  job_source(workload& w, const run_options& o, steady::time_point start,
             std::atomic<std::int64_t>& sent)
    : w_(w), o_(o), start_(start), sent_(sent) {}

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
      auto n = t.reply_text ? 2 : 1;
      issued_ += n;
      j.messages += n;
    }
    sent_.store(issued_, std::memory_order_relaxed);
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
  std::atomic<std::int64_t>& sent_;
  std::int64_t issued_ = 0;
};

/// Simulated time, which moves the target's manual clock and runs expiry
/// sweeps as it passes the expiry interval (at most ten sweeps per real
/// second). Per real second (--sim-speed) the ticker thread adds and applies
/// it, so the drivers never wait for it. Per message
/// (--sim-seconds-per-message) the driver that finished a job applies it
/// before starting the next one, as the clock must move between messages
/// for the run to be deterministic (a simulation mode, not a throughput
/// one). Thread-safe.
class sim_driver {
public:
  sim_driver(target& t, ledger& l, bool enabled)
    : t_(t), ledger_(l), enabled_(enabled),
      interval_(std::max(1.0, t.expiry_interval())) {}

  /// Any thread.
  void add(double sim_seconds) {
    if (!enabled_)
      return;
    std::lock_guard lock{mtx_};
    pending_ += sim_seconds;
  }

  /// Applies what is pending (a second or more, or anything with `force`,
  /// which also sweeps once more). Blocks on the target's answers.
  void apply(bool force) {
    if (!enabled_)
      return;
    std::lock_guard apply_lock{apply_mtx_};
    double step = 0;
    {
      std::lock_guard lock{mtx_};
      if (pending_ < 1.0 && !force)
        return;
      step = pending_;
      pending_ = 0;
    }
    if (step > 0)
      (void)t_.advance_clock(step);
    since_sweep_ += step;
    auto now = steady::now();
    bool due = since_sweep_ >= interval_ &&
               now - last_sweep_ >= std::chrono::milliseconds(100);
    if (!due && !force)
      return;
    if (auto r = t_.expire())
      ledger_.sweep(*r);
    since_sweep_ = 0;
    last_sweep_ = now;
  }

private:
  std::mutex mtx_;       // pending_
  std::mutex apply_mtx_; // the rest, one apply at a time
  target& t_;
  ledger& ledger_;
  bool enabled_;
  double interval_;
  double pending_ = 0;
  double since_sweep_ = 0;
  steady::time_point last_sweep_{};
};

/// Every 20 ms: simulated time; every second: the progress line. Stops
/// when told.
class ticker {
public:
  ticker(const run_options& o, run_result& out, sim_driver& sim)
    : o_(o), out_(out), sim_(sim), thread_([this] { loop(); }) {}

  void stop() {
    {
      std::lock_guard lock{mtx_};
      stopped_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

private:
  void loop() {
    auto last = steady::now();
    std::size_t shown = 0;
    std::unique_lock lock{mtx_};
    while (!cv_.wait_for(lock, std::chrono::milliseconds(20),
                         [this] { return stopped_; })) {
      auto now = steady::now();
      if (o_.sim_per_message <= 0) {
        sim_.add(o_.sim_speed * seconds_between(last, now));
        sim_.apply(false);
      }
      last = now;
      auto second =
        static_cast<std::size_t>(seconds_between(out_.started, now));
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

  const run_options& o_;
  run_result& out_;
  sim_driver& sim_;
  std::mutex mtx_;
  std::condition_variable cv_;
  bool stopped_ = false;
  std::thread thread_;
};

/// The run's start, set now unless the caller already set it.
steady::time_point started(run_result& out) {
  if (out.started == steady::time_point{})
    out.started = steady::now();
  return out.started;
}

/// What the driver threads share (each part thread-safe).
struct shared_run {
  shared_run(target& clock, workload& w, const run_options& o, run_result& out)
    : o(o), out(out), start(started(out)), jobs(w, o, start, out.sent),
      sim(clock, out.acked, o.virtual_clock) {}

  const run_options& o;
  run_result& out;
  steady::time_point start;
  job_source jobs;
  sim_driver sim;
  std::mutex errors_mtx; // out.first_errors
};

/// One driver thread and its target: keeps up to `limit` jobs in flight.
class lane {
public:
  lane(target& t, shared_run& s, int limit)
    : t_(t), o_(s.o), out_(s.out), start_(s.start), jobs_(s.jobs), sim_(s.sim),
      errors_mtx_(s.errors_mtx), limit_(std::max(1, limit)) {}

  /// Returns when the budget is spent and everything it sent was answered.
  void run() {
    for (;;) {
      launch();
      if (in_flight_ == 0 && !next_)
        return;
      t_.poll(wait());
    }
  }

private:
  /// Starts jobs while fewer than `concurrency` are in flight (in open
  /// loop: those due within the next millisecond).
  void launch() {
    while (in_flight_ < limit_) {
      if (!next_)
        next_ = jobs_.take();
      if (!next_)
        return;
      auto now = steady::now();
      if (o_.rate > 0 && next_->intended > now + std::chrono::milliseconds(1))
        return;
      auto j = std::make_shared<job>(std::move(*next_));
      next_.reset();
      j->origin = std::min(j->intended, now);
      ++in_flight_;
      if (o_.batch > 1)
        send_batch(j);
      else
        send_turn(j);
    }
  }

  /// How long poll() may wait: until the next open-loop job is due, or a
  /// while when only completions can change anything.
  std::chrono::milliseconds wait() const {
    if (o_.rate <= 0 || !next_ || in_flight_ >= limit_)
      return std::chrono::milliseconds(100);
    auto left = next_->intended - steady::now();
    return std::max(
      std::chrono::milliseconds(0),
      std::chrono::duration_cast<std::chrono::milliseconds>(left));
  }

  void finish(const job& j) {
    --in_flight_;
    if (o_.sim_per_message > 0) {
      sim_.add(static_cast<double>(j.messages) * o_.sim_per_message);
      sim_.apply(false);
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

  void send_turn(const std::shared_ptr<job>& j) {
    const auto& tn = j->turns.front();
    t_.route({tn.origin, "user", tn.user_text},
             [this, j](core::result<actors::route_reply> r) {
               const auto& tn = j->turns.front();
               record(j->origin, r ? 1 : 0, r.ok(), r ? nullptr : &r.err());
               if (!r && tn.reply_text)
                 out_.stats.record_errors(
                   seconds_between(start_, steady::now()), 1);
               if (r)
                 out_.acked.route(*r);
               if (!r || !tn.reply_text)
                 return finish(*j);
               send_reply(j, r->session_key);
             });
  }

  /// The assistant's reply on `key`, then its usage update.
  void send_reply(const std::shared_ptr<job>& j, const std::string& key) {
    auto sent = steady::now();
    t_.append(key, "assistant", *j->turns.front().reply_text,
              [this, j, key, sent](core::result<actors::append_reply> a) {
                record(sent, a ? 1 : 0, a.ok(), a ? nullptr : &a.err());
                if (!a)
                  return finish(*j);
                out_.acked.append(key, *a);
                send_usage(j, key);
              });
  }

  void send_usage(const std::shared_ptr<job>& j, const std::string& key) {
    const auto& text = *j->turns.front().reply_text;
    core::usage_update u;
    u.input_tokens = static_cast<std::int64_t>(text.size() / 4);
    u.output_tokens = static_cast<std::int64_t>(text.size() / 4);
    u.model = "loadgen";
    auto sent = steady::now();
    t_.usage(key, u, [this, j, sent](core::status s) {
      record(sent, 0, s.ok(), s ? nullptr : &s.err());
      finish(*j);
    });
  }

  void send_batch(const std::shared_ptr<job>& j) {
    std::vector<routed> items;
    for (const auto& tn : j->turns) {
      items.push_back({tn.origin, "user", tn.user_text});
      if (tn.reply_text)
        items.push_back({tn.origin, "assistant", *tn.reply_text});
    }
    auto n = static_cast<std::int64_t>(items.size());
    t_.route_batch(items, [this, j, n](core::result<batch_results> r) {
      if (!r) {
        record(j->origin, 0, false, &r.err());
        out_.stats.record_errors(seconds_between(start_, steady::now()), n - 1);
        return finish(*j);
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
      record(j->origin, acked, true);
      out_.stats.record_errors(seconds_between(start_, steady::now()),
                               n - acked);
      finish(*j);
    });
  }

  target& t_;
  const run_options& o_;
  run_result& out_;
  steady::time_point start_;
  job_source& jobs_;
  sim_driver& sim_;
  std::mutex& errors_mtx_;
  int limit_;
  std::optional<job> next_;
  int in_flight_ = 0;
};

} // namespace

void run_load(const std::vector<target*>& lanes, workload& w,
              const run_options& o, run_result& out) {
  shared_run s{*lanes.front(), w, o, out};
  ticker tick{o, out, s.sim};
  auto n = static_cast<int>(
    std::min<std::size_t>(lanes.size(), std::max(1, o.concurrency)));
  std::vector<std::unique_ptr<lane>> drivers;
  for (int i = 0; i < n; ++i)
    drivers.push_back(std::make_unique<lane>(
      *lanes[static_cast<std::size_t>(i)], s,
      o.concurrency / n + (i < o.concurrency % n ? 1 : 0)));
  std::vector<std::thread> threads;
  for (int i = 1; i < n; ++i)
    threads.emplace_back(
      [&d = *drivers[static_cast<std::size_t>(i)]] { d.run(); });
  drivers.front()->run();
  for (auto& th : threads)
    th.join();
  tick.stop();
  out.seconds = seconds_between(s.start, steady::now());
  s.sim.apply(true);
  out.messages = s.jobs.issued();
}

void add_per_url(const target& t, std::vector<url_count>& out) {
  auto mine = t.per_url();
  if (out.empty()) {
    out = std::move(mine);
    return;
  }
  for (std::size_t i = 0; i < mine.size() && i < out.size(); ++i) {
    out[i].requests += mine[i].requests;
    out[i].failed += mine[i].failed;
  }
}

void run_load(target& t, workload& w, const run_options& o, run_result& out) {
  run_load(std::vector<target*>{&t}, w, o, out);
}

} // namespace switchboard::loadgen
