// The load generator's embedded target: an engine in this process. The
// engine's completions run on actor threads and must not block, so each one
// only moves its result into a queue; the driver thread runs the caller's
// `done` from poll(). No thread waits per request in flight.

#include "loadgen/target.hpp"

#include "config/config.hpp"
#include "persistence/data_dir_lock.hpp"

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <future>
#include <mutex>
#include <optional>

namespace switchboard::loadgen {

namespace {

/// Completions handed from actor threads to the driver thread.
class completion_queue {
public:
  /// Any thread; never blocks beyond the queue's mutex.
  void push(std::function<void()> fn) {
    {
      std::lock_guard lock{mtx_};
      ready_.push_back(std::move(fn));
    }
    cv_.notify_one();
  }

  /// Driver thread: runs what is queued, first waiting up to `timeout` when
  /// nothing is.
  void run(std::chrono::milliseconds timeout) {
    std::deque<std::function<void()>> batch;
    {
      std::unique_lock lock{mtx_};
      if (ready_.empty())
        cv_.wait_for(lock, timeout, [this] { return !ready_.empty(); });
      batch.swap(ready_);
    }
    for (auto& fn : batch)
      fn();
  }

private:
  std::mutex mtx_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> ready_;
};

/// An engine completion that hands `done` and its result to the queue.
template <class T>
std::function<void(T)> via(const std::shared_ptr<completion_queue>& q,
                           std::function<void(T)> done) {
  return [q, done = std::move(done)](T r) {
    q->push([done, r = std::move(r)]() mutable { done(std::move(r)); });
  };
}

/// Runs `start(completion)` and waits for the completion's value (for the
/// rare blocking calls; the completion fulfils a promise directly).
template <class T, class Start>
core::result<T> wait_for(Start start) {
  auto p = std::make_shared<std::promise<core::result<T>>>();
  auto f = p->get_future();
  start([p](core::result<T> r) { p->set_value(std::move(r)); });
  return f.get();
}

core::message text_message(const std::string& role, const std::string& text) {
  core::message m;
  m.role = role;
  m.content = text;
  return m;
}

actors::route_request request_of(const routed& r) {
  return {r.origin, text_message(r.role, r.text), false, std::nullopt};
}

class embedded_target final : public target {
public:
  embedded_target(std::unique_ptr<actors::engine> e,
                  std::shared_ptr<core::manual_clock> clock)
    : engine_(std::move(e)), clock_(std::move(clock)) {}
  /// Keeps the data dir locked (SPEC 15) for as long as the engine runs.
  void hold(persistence::data_dir_lock lock) { lock_.emplace(std::move(lock)); }

  void route(const routed& r, done_fn<actors::route_reply> done) override {
    engine_->route(request_of(r), via(queue_, std::move(done)));
  }

  void route_batch(const std::vector<routed>& items,
                   done_fn<batch_results> done) override {
    std::vector<actors::route_request> reqs;
    reqs.reserve(items.size());
    for (const auto& i : items)
      reqs.push_back(request_of(i));
    std::function<void(batch_results)> whole =
      [done = std::move(done)](batch_results r) {
        done(std::move(r));
      };
    engine_->route_batch(std::move(reqs), via(queue_, std::move(whole)));
  }

  void append(const std::string& key, const std::string& role,
              const std::string& text,
              done_fn<actors::append_reply> done) override {
    engine_->append(key, text_message(role, text),
                    via(queue_, std::move(done)));
  }

  void usage(const std::string& key, const core::usage_update& u,
             std::function<void(core::status)> done) override {
    done_fn<core::session_entry> entry =
      [done = std::move(done)](core::result<core::session_entry> r) {
        done(r ? core::status{} : core::status{std::move(r).err()});
      };
    engine_->update_usage(key, u, via(queue_, std::move(entry)));
  }

  void poll(std::chrono::milliseconds timeout) override {
    queue_->run(timeout);
  }

  core::result<actors::sweep_report> expire() override {
    return wait_for<actors::sweep_report>(
      [&](auto done) { engine_->expire_now(std::move(done)); });
  }

  core::status advance_clock(double seconds) override {
    if (!clock_)
      return core::bad_request("the engine has no manual clock");
    clock_->advance(core::duration{static_cast<std::int64_t>(seconds * 1e6)});
    return {};
  }

  double expiry_interval() const override {
    return engine_->config().expiry_interval_seconds;
  }

  void stop() { engine_->stop(); }

private:
  std::optional<persistence::data_dir_lock> lock_; // released after engine_
  std::unique_ptr<actors::engine> engine_;
  std::shared_ptr<core::manual_clock> clock_;
  std::shared_ptr<completion_queue> queue_ =
    std::make_shared<completion_queue>();
};

} // namespace

core::result<std::unique_ptr<target>>
start_embedded(const embedded_options& o) {
  config::load_inputs in;
  in.config_file = o.config_file;
  in.flags.data_dir = o.data_dir;
  auto cfg = config::load_settings(in);
  if (!cfg)
    return cfg.err();
  std::error_code ec;
  std::filesystem::create_directories(o.data_dir, ec);
  auto lock = persistence::data_dir_lock::acquire(o.data_dir);
  if (!lock)
    return lock.err();
  std::shared_ptr<core::clock> clk = std::make_shared<core::system_clock>();
  std::shared_ptr<core::manual_clock> manual;
  if (o.manual_clock)
    clk = manual = std::make_shared<core::manual_clock>(clk->now());
  auto eng = actors::engine::start(cfg.value(), clk);
  if (!eng)
    return eng.err();
  auto t = std::make_unique<embedded_target>(std::move(eng).value(), manual);
  t->hold(std::move(lock).value());
  return std::unique_ptr<target>(std::move(t));
}

void stop_embedded(target& t) {
  if (auto* e = dynamic_cast<embedded_target*>(&t))
    e->stop();
}

} // namespace switchboard::loadgen
