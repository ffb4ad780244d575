// Exactly once in the engine (SPEC 12) and switch ownership (SPEC 5), on a
// manual clock: a repeat adopts no state (entry, updated_at, counters,
// events), a reset that is due does not happen for a redelivery, the window
// ends, the supervisor drops old ids, and a foreign session is forbidden.

#include "engine_fixture.hpp"

namespace switchboard::actors::testing {
namespace {

class IdempotencyTest : public EngineTest {
protected:
  core::result<route_reply> route_id(core::source s, std::string text,
                                     std::optional<std::string> id,
                                     std::optional<std::string> pmid = {}) {
    auto m = user_msg(std::move(text));
    m.platform_message_id = std::move(pmid);
    route_request req{std::move(s), std::move(m), false, std::move(id)};
    return wait_for<route_reply>([&](completion<route_reply> d) {
      eng_->route(std::move(req), std::move(d));
    });
  }
};

TEST_F(IdempotencyTest, ARepeatAdoptsNoState) {
  start();
  auto sub = eng_->subscribe(100);
  auto first = route_id(telegram_dm(), "hi", "r1");
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->duplicate);
  EXPECT_TRUE(first->created);
  auto before = *entry(key_of(telegram_dm()));
  clock_->advance(std::chrono::minutes(5));
  auto again = route_id(telegram_dm(), "hi (edited)", "r1");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->duplicate);
  EXPECT_TRUE(again->created); // the first reply, as it was
  EXPECT_EQ(again->message_id, first->message_id);
  EXPECT_EQ(entry(key_of(telegram_dm()))->updated_at, before.updated_at);
  auto m = eng_->metrics();
  EXPECT_EQ(m.duplicates, 1);
  EXPECT_EQ(m.messages_routed, 1);
  EXPECT_EQ(m.sessions_created, 1);
  EXPECT_EQ(message_count(std::nullopt), 1);
  std::size_t created = 0;
  for (const auto& e : sub->drain())
    created += e.type == "session_created" ? 1 : 0;
  EXPECT_EQ(created, 1u);
}

TEST_F(IdempotencyTest, ARedeliveryAcrossADueResetDoesNotReset) {
  start();
  auto first = route_id(telegram_dm(), "late at night", {}, "tg-1");
  ASSERT_TRUE(first.ok());
  clock_->advance(std::chrono::hours(30)); // idle and daily are both due
  auto again = route_id(telegram_dm(), "late at night", {}, "tg-1");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->duplicate);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->session_id, first->session_id);
  EXPECT_EQ(again->message_id, first->message_id);
  EXPECT_EQ(entry(key_of(telegram_dm()))->session_id, first->session_id);
  auto next = route_id(telegram_dm(), "next day", {}, "tg-2");
  EXPECT_TRUE(next->was_auto_reset); // a new message still resets
}

TEST_F(IdempotencyTest, AnIdIsNewAgainAfterTheWindow) {
  cfg_.idempotency.window_hours = 1;
  start();
  ASSERT_TRUE(route_id(telegram_dm(), "a", "r1").ok());
  clock_->advance(std::chrono::minutes(59));
  EXPECT_TRUE(route_id(telegram_dm(), "a", "r1")->duplicate);
  clock_->advance(std::chrono::minutes(2));
  EXPECT_FALSE(route_id(telegram_dm(), "a", "r1")->duplicate);
  EXPECT_EQ(message_count(std::nullopt), 2);
}

TEST_F(IdempotencyTest, AppendRepeatsAreAnsweredFromTheFirst) {
  start();
  ASSERT_TRUE(route(telegram_dm(), user_msg("u")).ok());
  core::message reply;
  reply.role = "assistant";
  reply.content = "answer";
  auto append = [&] {
    return wait_for<append_reply>([&](completion<append_reply> d) {
      eng_->append(key_of(telegram_dm()), reply, d, "turn-1");
    });
  };
  auto first = append();
  auto again = append();
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_FALSE(first->duplicate);
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->message_id, first->message_id);
  EXPECT_EQ(message_count(std::nullopt), 2);
}

class SwitchScopeTest : public EngineTest {
protected:
  core::result<core::session_entry> switch_to(const core::source& s,
                                              switch_target t) {
    return wait_for<core::session_entry>(
      [&](completion<core::session_entry> d) {
        eng_->switch_to(key_of(s), std::move(t), d);
      });
  }
};

TEST_F(SwitchScopeTest, ForeignSessionsAreForbiddenAndChangeNothing) {
  start();
  auto ana = telegram_dm("1");
  auto bob = telegram_dm("2");
  bob.user_id = "43";
  auto ana_first = route(ana, user_msg("a"))->session_id;
  auto bob_first = route(bob, user_msg("b"))->session_id;
  auto denied = switch_to(bob, {ana_first, std::nullopt});
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.err().code, core::errc::forbidden);
  EXPECT_EQ(entry(key_of(bob))->session_id, bob_first);
  EXPECT_TRUE(session_row(bob_first)["end_reason"].is_null());
  EXPECT_FALSE(
    switch_to(bob, {ana_first, std::nullopt, core::switch_scope::user}).ok());
  auto group = ana;
  group.type = core::chat_type::group;
  group.chat_id = "g";
  ASSERT_TRUE(route(group, user_msg("g")).ok());
  EXPECT_FALSE(switch_to(group, {ana_first, std::nullopt}).ok());
  auto allowed =
    switch_to(group, {ana_first, std::nullopt, core::switch_scope::user});
  ASSERT_TRUE(allowed.ok()) << allowed.err().message;
  EXPECT_EQ(allowed->session_id, ana_first);
}

} // namespace
} // namespace switchboard::actors::testing
