// The load generator's embedded target: an engine in this process, its
// asynchronous completions turned into blocking calls for the workers.

#include "tools/loadgen_target.hpp"

#include "config/config.hpp"
#include "persistence/data_dir_lock.hpp"

#include <filesystem>
#include <future>

namespace switchboard::tools::loadgen {

namespace {

/// Runs `start(completion)` and waits for the completion's value.
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
  return {r.origin, text_message(r.role, r.text), false};
}

class embedded_target final : public target {
public:
  embedded_target(std::unique_ptr<actors::engine> e,
                  std::shared_ptr<core::manual_clock> clock)
      : engine_(std::move(e)), clock_(std::move(clock)) {}
  /// Keeps the data dir locked (SPEC 15) for as long as the engine runs.
  void hold(persistence::data_dir_lock lock) { lock_.emplace(std::move(lock)); }

  core::result<actors::route_reply> route(const routed& r) override {
    return wait_for<actors::route_reply>(
      [&](auto done) { engine_->route(request_of(r), std::move(done)); });
  }

  core::result<std::vector<core::result<actors::route_reply>>>
  route_batch(const std::vector<routed>& items) override {
    using list = std::vector<core::result<actors::route_reply>>;
    std::vector<actors::route_request> reqs;
    for (const auto& i : items)
      reqs.push_back(request_of(i));
    auto p = std::make_shared<std::promise<list>>();
    auto f = p->get_future();
    engine_->route_batch(std::move(reqs),
                         [p](list results) { p->set_value(std::move(results)); });
    return f.get();
  }

  core::result<actors::append_reply> append(const std::string& key,
                                            const std::string& role,
                                            const std::string& text) override {
    return wait_for<actors::append_reply>([&](auto done) {
      engine_->append(key, text_message(role, text), std::move(done));
    });
  }

  core::status usage(const std::string& key,
                     const core::usage_update& u) override {
    auto r = wait_for<core::session_entry>(
      [&](auto done) { engine_->update_usage(key, u, std::move(done)); });
    if (!r)
      return r.err();
    return {};
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

} // namespace switchboard::tools::loadgen
