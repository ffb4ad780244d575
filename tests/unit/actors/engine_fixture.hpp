#pragma once

// Shared helpers of the engine tests: a temporary data dir, a manual clock,
// and blocking waits on completions (never on time).

#include "actors/engine.hpp"
#include "actors/engine_testing.hpp"
#include "core/clock.hpp"
#include "core/zone.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <stdlib.h>
#include <thread>

namespace switchboard::actors::testing {

inline core::time_point at(const char* iso) {
  return *core::parse_iso(iso, core::zone::utc());
}

template <class T>
core::result<T> wait_for(std::function<void(completion<T>)> call) {
  auto p = std::make_shared<std::promise<core::result<T>>>();
  auto f = p->get_future();
  call([p](core::result<T> r) { p->set_value(std::move(r)); });
  return f.get();
}

/// Spins (yielding) until pred holds; false after a generous bound. For
/// effects that follow an acknowledged operation asynchronously.
template <class Pred>
bool eventually(Pred pred) {
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end)
      return false;
    std::this_thread::yield();
  }
  return true;
}

inline core::source telegram_dm(std::string chat = "99") {
  core::source s;
  s.platform = "telegram";
  s.chat_id = std::move(chat);
  s.user_id = "42";
  return s;
}

inline core::source on(std::string platform, std::string chat) {
  core::source s;
  s.platform = std::move(platform);
  s.chat_id = std::move(chat);
  return s;
}

inline core::message user_msg(std::string text) {
  core::message m;
  m.role = "user";
  m.content = std::move(text);
  return m;
}

class EngineTest : public ::testing::Test {
protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sb-actors-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    cfg_.data_dir = dir_;
    cfg_.reset.timezone = "UTC";
    cfg_.actors.threads = 2;
    cfg_.actors.shards = 4;
    cfg_.expiry_interval_seconds = 3600; // tests drive expiry via expire_now
    clock_ = std::make_shared<core::manual_clock>(at("2026-11-21T10:00:00Z"));
  }
  void TearDown() override {
    eng_.reset();
    std::filesystem::remove_all(dir_);
  }

  testable_engine& start() {
    eng_.reset();
    auto e = start_with(cfg_, clock_, opts_);
    EXPECT_TRUE(e.ok()) << (e.ok() ? "" : e.err().message);
    eng_ = std::move(*e);
    return *eng_;
  }

  core::result<route_reply> route(core::source s,
                                  std::optional<core::message> m = {},
                                  bool force_new = false) {
    return wait_for<route_reply>([&](completion<route_reply> d) {
      eng_->route({std::move(s), std::move(m), force_new}, std::move(d));
    });
  }
  core::result<core::session_entry> entry(const std::string& key) {
    return wait_for<core::session_entry>(
      [&](completion<core::session_entry> d) { eng_->get_entry(key, d); });
  }
  sweep_report expire() {
    auto r = wait_for<sweep_report>(
      [&](completion<sweep_report> d) { eng_->expire_now(d); });
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : sweep_report{};
  }
  /// Runs fn on a reader and waits for it.
  template <class F>
  auto with_reader(F fn) -> decltype(fn(std::declval<core::store_reader&>())) {
    using R = decltype(fn(std::declval<core::store_reader&>()));
    std::promise<R> p;
    auto f = p.get_future();
    eng_->read([&](core::store_reader& r) { p.set_value(fn(r)); });
    return f.get();
  }
  nlohmann::json session_row(const std::string& id) {
    return with_reader([&](core::store_reader& r) {
      auto row = r.get_session(id);
      return row.ok() && *row ? **row : nlohmann::json();
    });
  }
  std::int64_t message_count(std::optional<std::string> id) {
    return with_reader([&](core::store_reader& r) {
      auto n = r.message_count(id);
      return n.ok() ? *n : -1;
    });
  }

  std::string key_of(const core::source& s) {
    return core::build_session_key(s, cfg_.keys);
  }

  std::string dir_;
  core::settings cfg_;
  engine_options opts_;
  std::shared_ptr<core::manual_clock> clock_;
  std::unique_ptr<testable_engine> eng_;
};

} // namespace switchboard::actors::testing
