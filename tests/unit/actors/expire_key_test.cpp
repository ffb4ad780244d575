// engine::expire_key (POST /v1/sessions/KEY/expire): one key expired now by
// the supervisor's own op, through the key's shard (SPEC 8).

#include "engine_fixture.hpp"
#include "hook_probe.hpp"

namespace switchboard::actors::testing {
namespace {

using namespace std::chrono_literals;

class ExpireKeyTest : public EngineTest {
protected:
  void SetUp() override {
    EngineTest::SetUp();
    cfg_.reset.policies.default_policy = {core::reset_mode::idle, 4, 60};
    cfg_.flush.min_messages = 2;
    opts_.flush_hook = [h = hook_](const nlohmann::json& j) {
      return h->call(j);
    };
  }
  void talk(const core::source& s, int n) {
    for (int i = 0; i < n; ++i)
      ASSERT_TRUE(route(s, user_msg("m" + std::to_string(i))).ok());
  }
  core::result<expire_reply>
  expire_key(const std::string& key,
             std::optional<std::string> id = std::nullopt) {
    return wait_for<expire_reply>([&](completion<expire_reply> d) {
      eng_->expire_key(key, id, std::move(d));
    });
  }
  std::shared_ptr<hook_probe> hook_ = std::make_shared<hook_probe>();
};

TEST_F(ExpireKeyTest, NotDueYetFlushesThenEndsWithReasonManual) {
  start();
  talk(telegram_dm(), 2);
  talk(telegram_dm("other"), 2);
  auto key = key_of(telegram_dm());
  auto sid = entry(key)->session_id;
  auto r = expire_key(key, sid);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->session_id, sid);
  EXPECT_EQ(r->reason, core::reset_reason::manual);
  EXPECT_TRUE(r->flushed);
  auto seen = hook_->seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["reason"], "manual");
  EXPECT_EQ(seen[0]["message_count"], 2);
  EXPECT_TRUE(entry(key)->expiry_finalized);
  EXPECT_EQ(session_row(sid)["end_reason"], "manual");
  EXPECT_EQ(eng_->metrics().sessions_expired, 1);
  EXPECT_FALSE(entry(key_of(telegram_dm("other")))->expiry_finalized);
  // A sweep later expires the other key only: no second flush of this one.
  clock_->advance(61min);
  EXPECT_EQ(expire().expired, 1);
  EXPECT_EQ(hook_->seen().size(), 2u);
  auto next = route(telegram_dm(), user_msg("back"));
  EXPECT_NE(next->session_id, sid);
  EXPECT_TRUE(next->was_auto_reset);
}

TEST_F(ExpireKeyTest, RefusalsChangeNothing) {
  start();
  talk(telegram_dm(), 2);
  auto key = key_of(telegram_dm());
  auto sid = entry(key)->session_id;
  EXPECT_EQ(expire_key("agent:main:telegram:dm:none").err().code,
            core::errc::not_found);
  EXPECT_EQ(expire_key(key, "20200101_000000_00000000").err().code,
            core::errc::conflict);
  ASSERT_TRUE(wait_for<core::session_entry>([&](auto d) {
                eng_->set_busy(key, true, 600.0, d);
              }).ok());
  EXPECT_EQ(expire_key(key).err().code, core::errc::conflict);
  EXPECT_FALSE(entry(key)->expiry_finalized);
  EXPECT_TRUE(session_row(sid)["ended_at"].is_null());
  EXPECT_TRUE(hook_->seen().empty());
}

TEST_F(ExpireKeyTest, DueSessionKeepsItsPolicyReasonAndIsExpiredOnce) {
  start();
  talk(telegram_dm(), 1);
  auto key = key_of(telegram_dm());
  clock_->advance(61min);
  auto r = expire_key(key);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->reason, core::reset_reason::idle);
  EXPECT_FALSE(r->flushed); // one message: below flush.min_messages
  EXPECT_EQ(expire_key(key).err().code, core::errc::conflict);
  EXPECT_EQ(expire().expired, 0);
}

TEST_F(ExpireKeyTest, MessageDuringTheFlushWaitsThenStartsANewSession) {
  hook_->blocked = true;
  start();
  talk(telegram_dm(), 2);
  auto key = key_of(telegram_dm());
  auto old = entry(key)->session_id;
  std::promise<core::result<expire_reply>> ep;
  eng_->expire_key(key, std::nullopt,
                   [&](core::result<expire_reply> r) { ep.set_value(r); });
  hook_->wait_running(1);
  std::promise<core::result<route_reply>> rp;
  eng_->route({telegram_dm(), user_msg("during"), false},
              [&](core::result<route_reply> r) { rp.set_value(r); });
  auto rf = rp.get_future();
  EXPECT_EQ(rf.wait_for(0s), std::future_status::timeout);
  hook_->release();
  EXPECT_TRUE(ep.get_future().get().ok());
  auto r = rf.get();
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->session_id, old);
  EXPECT_TRUE(r->was_auto_reset);
  EXPECT_EQ(session_row(old)["end_reason"], "manual");
}

} // namespace
} // namespace switchboard::actors::testing
