// SPEC 4/5 end to end through the engine.

#include "engine_fixture.hpp"

#include <atomic>
#include <set>

namespace switchboard::actors::testing {
namespace {

using namespace std::chrono_literals;

core::reset_policy idle_policy(int minutes) {
  return {core::reset_mode::idle, 4, minutes};
}

TEST_F(EngineTest, FirstMessageCreatesSessionAndAppends) {
  start();
  auto r = route(telegram_dm(), user_msg("hello"));
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_TRUE(r->created);
  EXPECT_FALSE(r->was_auto_reset);
  EXPECT_EQ(r->session_key, key_of(telegram_dm()));
  ASSERT_TRUE(r->message_id.has_value());
  EXPECT_EQ(r->session_id.substr(0, 16), "20261121_100000_");
  auto again = route(telegram_dm(), user_msg("again"));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->session_id, r->session_id);
  EXPECT_EQ(message_count(r->session_id), 2);
  auto row = session_row(r->session_id);
  EXPECT_EQ(row["source"], "telegram");
  EXPECT_EQ(row["user_id"], "42");
}

TEST_F(EngineTest, IdleIsStrictAndFlagsAreReportedOnce) {
  cfg_.reset.policies.default_policy = idle_policy(60);
  start();
  auto first = route(telegram_dm(), user_msg("hi"));
  ASSERT_TRUE(first.ok());
  clock_->advance(60min);
  auto same = route(telegram_dm(), user_msg("still here"));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->session_id, first->session_id);
  clock_->advance(60min + 1us);
  auto fresh = route(telegram_dm(), user_msg("back"));
  ASSERT_TRUE(fresh.ok());
  EXPECT_NE(fresh->session_id, first->session_id);
  EXPECT_TRUE(fresh->created);
  EXPECT_TRUE(fresh->was_auto_reset);
  EXPECT_EQ(fresh->auto_reset_reason, core::reset_reason::idle);
  EXPECT_TRUE(fresh->reset_had_activity);
  auto next = route(telegram_dm(), user_msg("more"));
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->was_auto_reset);
  EXPECT_FALSE(next->reset_had_activity);
  EXPECT_FALSE(entry(fresh->session_key)->was_auto_reset);
  EXPECT_EQ(session_row(first->session_id)["end_reason"], "session_reset");
}

TEST_F(EngineTest, ResetWithoutActivityReportsNoActivity) {
  cfg_.reset.policies.default_policy = idle_policy(1);
  start();
  auto first = route(telegram_dm());
  ASSERT_TRUE(first.ok());
  clock_->advance(2min);
  auto fresh = route(telegram_dm());
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(fresh->was_auto_reset);
  EXPECT_FALSE(fresh->reset_had_activity);
}

TEST_F(EngineTest, DailyBoundaryIsStrict) {
  cfg_.reset.policies.default_policy = {core::reset_mode::daily, 4, 1440};
  start();
  auto a = core::source(telegram_dm("a"));
  auto b = core::source(telegram_dm("b"));
  auto c = core::source(telegram_dm("c"));
  clock_->set(at("2026-11-20T03:59:00Z"));
  auto ra = route(a);
  clock_->set(at("2026-11-20T04:00:00Z"));
  auto rb = route(b);
  clock_->set(at("2026-11-21T03:59:59Z"));
  auto rc = route(c);
  clock_->set(at("2026-11-21T03:30:00Z"));
  EXPECT_EQ(route(a)->auto_reset_reason, core::reset_reason::daily);
  EXPECT_EQ(route(b)->session_id, rb->session_id);
  clock_->set(at("2026-11-21T04:00:00Z"));
  auto rc2 = route(c);
  EXPECT_NE(rc2->session_id, rc->session_id);
  EXPECT_EQ(rc2->auto_reset_reason, core::reset_reason::daily);
  (void)ra;
}

TEST_F(EngineTest, NoneNeverResetsAndLookupPrecedence) {
  cfg_.reset.policies.default_policy = idle_policy(10);
  cfg_.reset.policies.by_platform["discord"] = {core::reset_mode::none, 4, 1};
  cfg_.reset.policies.by_platform["telegram"] = {core::reset_mode::none, 4, 1};
  cfg_.reset.policies.by_platform_type["telegram/group"] = idle_policy(30);
  cfg_.reset.policies.by_type["thread"] = idle_policy(5);
  start();
  auto discord = on("discord", "1");
  auto group = telegram_dm("g");
  group.type = core::chat_type::group;
  auto slack_thread = on("slack", "s");
  slack_thread.type = core::chat_type::group;
  slack_thread.thread_id = "t";
  auto d1 = route(discord);
  auto g1 = route(group);
  auto s1 = route(slack_thread);
  clock_->advance(6min); // thread rule: 5 min < 6 min
  auto s2 = route(slack_thread);
  EXPECT_NE(s2->session_id, s1->session_id);
  clock_->advance(25min); // 31 min: group over its 30 min
  EXPECT_NE(route(group)->session_id, g1->session_id);
  clock_->advance(24h * 10);
  EXPECT_EQ(route(discord)->session_id, d1->session_id);
}

TEST_F(EngineTest, BusySessionNeverResetsAndMarkIsClamped) {
  cfg_.reset.policies.default_policy = idle_policy(10);
  cfg_.reset.busy_max_hours = 24;
  start();
  auto key = key_of(telegram_dm());
  auto first = route(telegram_dm(), user_msg("run a job"));
  auto busy = wait_for<core::session_entry>(
    [&](auto d) { eng_->set_busy(key, true, 1e9, d); });
  ASSERT_TRUE(busy.ok());
  EXPECT_EQ(*busy->busy_until, clock_->now() + 24h);
  clock_->advance(30min);
  EXPECT_EQ(route(telegram_dm())->session_id, first->session_id);
  ASSERT_TRUE(wait_for<core::session_entry>([&](auto d) {
                eng_->set_busy(key, false, std::nullopt, d);
              }).ok());
  clock_->advance(11min);
  EXPECT_NE(route(telegram_dm())->session_id, first->session_id);
}

TEST_F(EngineTest, ForceNewEndsOldRowWithoutAutoResetFlags) {
  start();
  auto first = route(telegram_dm(), user_msg("x"));
  auto fresh = route(telegram_dm(), user_msg("y"), true);
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(fresh->created);
  EXPECT_FALSE(fresh->was_auto_reset);
  EXPECT_NE(fresh->session_id, first->session_id);
  EXPECT_EQ(session_row(first->session_id)["end_reason"], "session_reset");
}

TEST_F(EngineTest, AssistantMessagesAreNotActivity) {
  cfg_.reset.policies.default_policy = idle_policy(10);
  start();
  auto first = route(telegram_dm(), user_msg("q"));
  auto key = first->session_key;
  clock_->advance(8min);
  core::message reply;
  reply.role = "assistant";
  reply.content = "a";
  ASSERT_TRUE(
    wait_for<append_reply>([&](auto d) { eng_->append(key, reply, d); }).ok());
  clock_->advance(3min); // 11 min after the user's message
  EXPECT_TRUE(route(telegram_dm())->was_auto_reset);
}

TEST_F(EngineTest, UsageAddsUpOnEntryAndRow) {
  start();
  auto first = route(telegram_dm(), user_msg("q"));
  core::usage_update u;
  u.input_tokens = 10;
  u.output_tokens = 5;
  u.last_prompt_tokens = 7;
  u.estimated_cost_usd = 0.5;
  for (int i = 0; i < 2; ++i)
    ASSERT_TRUE(wait_for<core::session_entry>([&](auto d) {
                  eng_->update_usage(first->session_key, u, d);
                }).ok());
  auto e = entry(first->session_key);
  EXPECT_EQ(e->input_tokens, 20);
  EXPECT_EQ(e->total_tokens, 30);
  EXPECT_EQ(e->last_prompt_tokens, 7);
  EXPECT_DOUBLE_EQ(e->estimated_cost_usd, 1.0);
  EXPECT_EQ(session_row(first->session_id)["input_tokens"], 20);
}

TEST_F(EngineTest, ResetWithTitleAndSwitchBackByTitle) {
  start();
  auto first = route(telegram_dm(), user_msg("q"));
  auto key = first->session_key;
  ASSERT_TRUE(wait_for<std::optional<std::string>>([&](auto d) {
                eng_->set_title(first->session_id, "Project", d);
              }).ok());
  auto fresh = wait_for<core::session_entry>(
    [&](auto d) { eng_->reset(key, std::string("Other"), d); });
  ASSERT_TRUE(fresh.ok()) << fresh.err().message;
  EXPECT_NE(fresh->session_id, first->session_id);
  EXPECT_EQ(session_row(fresh->session_id)["title"], "Other");
  EXPECT_EQ(session_row(first->session_id)["end_reason"], "session_reset");
  auto back = wait_for<core::session_entry>([&](auto d) {
    eng_->switch_to(key, switch_target{std::nullopt, "Project"}, d);
  });
  ASSERT_TRUE(back.ok()) << back.err().message;
  EXPECT_EQ(back->session_id, first->session_id);
  EXPECT_TRUE(session_row(first->session_id)["end_reason"].is_null());
  EXPECT_EQ(session_row(fresh->session_id)["end_reason"], "session_switch");
  auto by_prefix = wait_for<core::session_entry>([&](auto d) {
    eng_->switch_to(
      key, switch_target{fresh->session_id.substr(0, 20), std::nullopt}, d);
  });
  ASSERT_TRUE(by_prefix.ok()) << by_prefix.err().message;
  EXPECT_EQ(by_prefix->session_id, fresh->session_id);
}

TEST_F(EngineTest, ResetTitleConflictFailsAlone) {
  start();
  auto a = route(telegram_dm("a"), user_msg("q"));
  auto b = route(telegram_dm("b"), user_msg("q"));
  ASSERT_TRUE(wait_for<std::optional<std::string>>([&](auto d) {
                eng_->set_title(a->session_id, "Taken", d);
              }).ok());
  auto r = wait_for<core::session_entry>(
    [&](auto d) { eng_->reset(b->session_key, std::string("Taken"), d); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().code, core::errc::conflict);
  EXPECT_EQ(entry(b->session_key)->session_id, b->session_id);
  EXPECT_TRUE(session_row(b->session_id)["end_reason"].is_null());
}

TEST_F(EngineTest, SessionIdCollisionRetriesWithNewSuffix) {
  auto n = std::make_shared<std::atomic<std::uint32_t>>(0);
  opts_.random = [n]() -> std::uint32_t {
    auto i = n->fetch_add(1);
    return i < 2 ? 0xabcdu : 0x1000u + i; // the second id collides once
  };
  start();
  auto a = route(telegram_dm("a"));
  auto b = route(telegram_dm("b"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->session_id, b->session_id);
}

TEST_F(EngineTest, ManyConcurrentFirstMessagesMakeOneSession) {
  start();
  constexpr int senders = 8, per_sender = 125;
  std::vector<std::promise<core::result<route_reply>>> ps(senders * per_sender);
  std::vector<std::thread> threads;
  for (int t = 0; t < senders; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < per_sender; ++i) {
        auto* p = &ps[static_cast<std::size_t>(t * per_sender + i)];
        eng_->route({telegram_dm(),
                     user_msg(std::to_string(t) + ":" + std::to_string(i))},
                    [p](core::result<route_reply> r) { p->set_value(r); });
      }
    });
  for (auto& t : threads)
    t.join();
  std::set<std::string> ids;
  int created = 0;
  for (auto& p : ps) {
    auto r = p.get_future().get();
    ASSERT_TRUE(r.ok()) << r.err().message;
    ids.insert(r->session_id);
    created += r->created ? 1 : 0;
  }
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(created, 1);
  auto msgs = with_reader(
    [&](core::store_reader& r) { return *r.transcript(*ids.begin(), false); });
  if (msgs.is_object())
    msgs = msgs["messages"];
  ASSERT_EQ(msgs.size(), std::size_t{senders * per_sender});
  std::vector<int> next(senders, 0);
  for (auto& m : msgs) {
    auto text = m["content"].get<std::string>();
    auto t = std::stoi(text.substr(0, text.find(':')));
    auto i = std::stoi(text.substr(text.find(':') + 1));
    EXPECT_EQ(i, next[static_cast<std::size_t>(t)]++);
  }
}

TEST_F(EngineTest, TenThousandKeysInParallel) {
  start();
  constexpr int keys = 10000, threads_n = 4;
  std::atomic<int> ok{0};
  std::atomic<int> left{keys};
  std::promise<void> all;
  std::vector<std::thread> threads;
  for (int t = 0; t < threads_n; ++t)
    threads.emplace_back([&, t] {
      for (int i = t; i < keys; i += threads_n)
        eng_->route({telegram_dm("k" + std::to_string(i)), user_msg("hi")},
                    [&](core::result<route_reply> r) {
                      if (r.ok() && r->created)
                        ++ok;
                      if (--left == 0)
                        all.set_value();
                    });
    });
  for (auto& t : threads)
    t.join();
  all.get_future().wait();
  EXPECT_EQ(ok.load(), keys);
  EXPECT_EQ(with_reader([](core::store_reader& r) { return *r.entry_count(); }),
            keys);
  EXPECT_GT(eng_->metrics().writer_batch_size.count, 0u);
}

// writer.commit_delay_us waits only while other requests are in flight: a
// lone request commits at once even with a delay far beyond the test's
// bound (route() gives up after 10 s).
TEST_F(EngineTest, CommitDelaySkipsALoneRequest) {
  cfg_.writer.commit_delay_us = 60 * 1000 * 1000;
  start();
  auto r = route(telegram_dm(), user_msg("alone"));
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_TRUE(r->created);
}

// With the delay on, concurrent requests still each get their own answer,
// and every acknowledged message is stored.
TEST_F(EngineTest, CommitDelayKeepsEveryAnswer) {
  cfg_.writer.commit_delay_us = 2000;
  start();
  std::vector<route_request> reqs;
  for (int i = 0; i < 200; ++i)
    reqs.push_back({telegram_dm("d" + std::to_string(i % 50)),
                    user_msg(std::to_string(i)), false});
  std::promise<std::vector<core::result<route_reply>>> p;
  eng_->route_batch(reqs, [&](auto rs) { p.set_value(std::move(rs)); });
  auto rs = p.get_future().get();
  ASSERT_EQ(rs.size(), 200u);
  for (const auto& r : rs)
    ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(with_reader([](core::store_reader& r) { return *r.entry_count(); }),
            50);
}

TEST_F(EngineTest, BatchKeepsOrderPerKey) {
  start();
  std::vector<route_request> reqs;
  for (int i = 0; i < 20; ++i)
    reqs.push_back({telegram_dm(i % 2 ? "odd" : "even"),
                    user_msg(std::to_string(i)), false});
  std::promise<std::vector<core::result<route_reply>>> p;
  eng_->route_batch(reqs, [&](auto rs) { p.set_value(std::move(rs)); });
  auto rs = p.get_future().get();
  ASSERT_EQ(rs.size(), 20u);
  EXPECT_TRUE(rs[0]->created);
  EXPECT_FALSE(rs[2]->created);
  for (std::size_t i = 2; i < rs.size(); ++i)
    EXPECT_GT(*rs[i]->message_id, *rs[i - 2]->message_id);
}

// Pipelining (session_ctx::write_pipelined): a hot key's messages share the
// writer's batches instead of waiting for one COMMIT each. A batch request
// hands the shard all 50 at once, so they go to the writer in one message:
// one or two batches (fifty, one per message, before pipelining).
TEST_F(EngineTest, AHotKeysMessagesShareACommit) {
  start();
  auto first = route(telegram_dm("hot"), user_msg("first"));
  ASSERT_TRUE(first.ok()) << first.err().message;
  auto batches = eng_->metrics().writer_batch_size.count;
  std::vector<route_request> reqs;
  for (int i = 0; i < 50; ++i)
    reqs.push_back({telegram_dm("hot"), user_msg(std::to_string(i)), false});
  std::promise<std::vector<core::result<route_reply>>> p;
  eng_->route_batch(reqs, [&](auto rs) { p.set_value(std::move(rs)); });
  auto rs = p.get_future().get();
  ASSERT_EQ(rs.size(), 50u);
  for (std::size_t i = 0; i < rs.size(); ++i) {
    ASSERT_TRUE(rs[i].ok()) << rs[i].err().message;
    EXPECT_EQ(rs[i]->session_id, first->session_id);
    EXPECT_FALSE(rs[i]->created);
    if (i > 0) {
      EXPECT_GT(*rs[i]->message_id, *rs[i - 1]->message_id);
    }
  }
  EXPECT_LE(eng_->metrics().writer_batch_size.count - batches, 2u);
  EXPECT_EQ(message_count(first->session_id), 51);
}

TEST_F(EngineTest, EventsReachSubscribers) {
  start();
  auto sub = eng_->subscribe(16);
  ASSERT_TRUE(route(telegram_dm(), user_msg("x")).ok());
  ASSERT_TRUE(route(telegram_dm(), user_msg("y"), true).ok());
  auto evs = sub->drain();
  std::vector<std::string> types;
  for (auto& e : evs)
    types.push_back(e.type);
  EXPECT_EQ(types, (std::vector<std::string>{
                     "session_created", "session_created", "session_reset"}));
}

TEST(SubscriptionTest, FullBufferClosesWithDroppedEvent) {
  subscription s(2);
  EXPECT_TRUE(s.push({"a", {}}));
  EXPECT_TRUE(s.push({"b", {}}));
  EXPECT_TRUE(s.push({"c", {}}));
  EXPECT_FALSE(s.push({"d", {}}));
  auto evs = s.drain();
  ASSERT_EQ(evs.size(), 3u);
  EXPECT_EQ(evs.back().type, "subscriber_dropped");
  EXPECT_TRUE(s.closed());
}

} // namespace
} // namespace switchboard::actors::testing

namespace switchboard::actors::testing {
namespace {

TEST_F(EngineTest, FullWriterQueueRefusesUpFrontAndCounts) {
  cfg_.writer.max_queue = 0;
  start();
  auto r = route(telegram_dm(), user_msg("x"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().code, core::errc::overloaded);
  EXPECT_EQ(eng_->metrics().overloaded, 1);
}

TEST_F(EngineTest, InFlightLimitRefusesExcessAndNeverLosesAccepted) {
  cfg_.api.max_in_flight = 4;
  start();
  constexpr int n = 200;
  std::atomic<int> ok{0}, refused{0}, left{n};
  std::promise<void> all;
  for (int i = 0; i < n; ++i)
    eng_->route({telegram_dm(std::to_string(i % 7)), user_msg("x")},
                [&](core::result<route_reply> r) {
                  if (r.ok())
                    ++ok;
                  else if (r.err().code == core::errc::overloaded)
                    ++refused;
                  if (--left == 0)
                    all.set_value();
                });
  all.get_future().wait();
  EXPECT_EQ(ok + refused, n);
  EXPECT_EQ(eng_->metrics().overloaded, refused.load());
  EXPECT_EQ(message_count(std::nullopt), ok.load());
}

} // namespace
} // namespace switchboard::actors::testing
