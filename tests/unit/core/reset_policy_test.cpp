#include "core/reset_policy.hpp"
#include "tests/unit/core/test_time.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>

namespace {

using namespace std::chrono_literals;
using namespace switchboard::core;
using switchboard::core::test_time::make_zone;
using switchboard::core::test_time::utc;

/// The instant of a wall-clock time in `z`.
time_point at(const zone& z, int y, unsigned m, unsigned d, int hh, int mm = 0,
              int ss = 0) {
  return z.from_local(local_time{date::local_days{date::year{y} / m / d}} +
                      std::chrono::hours{hh} + std::chrono::minutes{mm} +
                      std::chrono::seconds{ss});
}

reset_policy policy(reset_mode mode, int at_hour = 4, int idle_minutes = 1440) {
  return {mode, at_hour, idle_minutes};
}

// -- names --------------------------------------------------------------------

TEST(ResetPolicyTest, ModeNamesRoundTrip) {
  for (auto m : {reset_mode::daily, reset_mode::idle, reset_mode::both,
                 reset_mode::none})
    EXPECT_EQ(parse_reset_mode(to_string(m)), m);
  EXPECT_EQ(to_string(reset_mode::both), "both");
  EXPECT_EQ(parse_reset_mode("Daily"), std::nullopt);
  EXPECT_EQ(parse_reset_mode(""), std::nullopt);
}

TEST(ResetPolicyTest, ReasonNamesRoundTrip) {
  EXPECT_EQ(to_string(reset_reason::none), "none");
  EXPECT_EQ(to_string(reset_reason::idle), "idle");
  EXPECT_EQ(to_string(reset_reason::daily), "daily");
  EXPECT_EQ(to_string(reset_reason::manual), "manual");
  for (auto r : {reset_reason::none, reset_reason::idle, reset_reason::daily,
                 reset_reason::manual})
    EXPECT_EQ(parse_reset_reason(to_string(r)), r);
  EXPECT_EQ(parse_reset_reason("weekly"), std::nullopt);
}

TEST(ResetPolicyTest, DefaultsAreTheSeedDefaults) {
  const reset_policy p;
  EXPECT_EQ(p.mode, reset_mode::both);
  EXPECT_EQ(p.at_hour, 4);
  EXPECT_EQ(p.idle_minutes, 1440);
}

// -- lookup -------------------------------------------------------------------

struct LookupTest : ::testing::Test {
  const reset_policy platform_type = policy(reset_mode::daily, 6, 11);
  const reset_policy platform = policy(reset_mode::none, 7, 12);
  const reset_policy thread = policy(reset_mode::idle, 8, 13);
  const reset_policy group = policy(reset_mode::idle, 9, 120);
  const reset_policy fallback = policy(reset_mode::both, 10, 15);

  policy_table full() const {
    policy_table t;
    t.default_policy = fallback;
    t.by_platform_type["telegram/group"] = platform_type;
    t.by_platform["telegram"] = platform;
    t.by_type["thread"] = thread;
    t.by_type["group"] = group;
    return t;
  }
};

TEST_F(LookupTest, PlatformTypeBeatsEverything) {
  EXPECT_EQ(full().lookup("telegram", chat_type::group, true), platform_type);
  EXPECT_EQ(full().lookup("telegram", chat_type::group, false), platform_type);
}

TEST_F(LookupTest, PlatformBeatsThreadAndType) {
  auto t = full();
  t.by_platform_type.clear();
  EXPECT_EQ(t.lookup("telegram", chat_type::group, true), platform);
  // Other types of the same platform fall to the platform level too.
  EXPECT_EQ(full().lookup("telegram", chat_type::dm, false), platform);
}

TEST_F(LookupTest, ThreadBeatsTypeForAGroupWithAThreadId) {
  EXPECT_EQ(full().lookup("discord", chat_type::group, true), thread);
}

TEST_F(LookupTest, GroupWithoutThreadIdUsesItsType) {
  EXPECT_EQ(full().lookup("discord", chat_type::group, false), group);
}

TEST_F(LookupTest, ThreadTypeUsesThreadRuleWithOrWithoutThreadId) {
  EXPECT_EQ(full().lookup("discord", chat_type::thread, false), thread);
  EXPECT_EQ(full().lookup("discord", chat_type::thread, true), thread);
}

TEST_F(LookupTest, TypeBeatsDefault) {
  auto t = full();
  t.by_type.erase("thread");
  EXPECT_EQ(t.lookup("discord", chat_type::group, true), group);
}

TEST_F(LookupTest, DefaultWhenNothingMatches) {
  EXPECT_EQ(full().lookup("discord", chat_type::dm, false), fallback);
  EXPECT_EQ(full().lookup("discord", chat_type::channel, true), thread);
  EXPECT_EQ(full().lookup("discord", chat_type::channel, false), fallback);
  EXPECT_EQ(policy_table{}.lookup("x", chat_type::group, true), reset_policy{});
}

TEST_F(LookupTest, PlatformTypeKeyMatchesOnlyItsPair) {
  auto t = full();
  t.by_platform.clear();
  EXPECT_EQ(t.lookup("telegram", chat_type::channel, false), fallback);
  EXPECT_EQ(t.lookup("slack", chat_type::group, false), group);
}

TEST_F(LookupTest, FirstHitReplacesTheWholePolicy) {
  // The platform rule sets only what it sets; nothing merges in from the
  // type rule or the default (fields here all differ).
  auto t = full();
  t.by_platform_type.clear();
  const auto& p = t.lookup("telegram", chat_type::group, false);
  EXPECT_EQ(p.mode, reset_mode::none);
  EXPECT_EQ(p.at_hour, 7);
  EXPECT_EQ(p.idle_minutes, 12);
}

// -- evaluate: modes ----------------------------------------------------------

TEST(EvaluateTest, NoneNeverResets) {
  const auto z = zone::utc();
  const auto now = utc(2026, 11, 22, 12);
  EXPECT_EQ(
    evaluate(policy(reset_mode::none), now - 24h * 400, now, std::nullopt, z),
    reset_reason::none);
}

TEST(EvaluateTest, IdleModeIgnoresTheDailyBoundary) {
  const auto z = zone::utc();
  const auto now = utc(2026, 11, 22, 5); // boundary today 04:00
  const auto p = policy(reset_mode::idle, 4, 120);
  EXPECT_EQ(evaluate(p, utc(2026, 11, 22, 3, 30), now, std::nullopt, z),
            reset_reason::none);
  EXPECT_EQ(evaluate(p, utc(2026, 11, 22, 2, 59), now, std::nullopt, z),
            reset_reason::idle);
}

TEST(EvaluateTest, DailyModeIgnoresIdleness) {
  const auto z = zone::utc();
  const auto p = policy(reset_mode::daily, 4, 1);
  const auto now = utc(2026, 11, 22, 12);
  // Inactive for 7h59m with idle_minutes 1, but after today's boundary.
  EXPECT_EQ(evaluate(p, utc(2026, 11, 22, 4, 1), now, std::nullopt, z),
            reset_reason::none);
  EXPECT_EQ(evaluate(p, utc(2026, 11, 22, 3, 59), now, std::nullopt, z),
            reset_reason::daily);
}

TEST(EvaluateTest, BothModeChecksBoth) {
  const auto z = zone::utc();
  const auto p = policy(reset_mode::both, 4, 60);
  const auto now = utc(2026, 11, 22, 12);
  EXPECT_EQ(evaluate(p, utc(2026, 11, 22, 11, 30), now, std::nullopt, z),
            reset_reason::none);
  EXPECT_EQ(evaluate(p, utc(2026, 11, 22, 10, 30), now, std::nullopt, z),
            reset_reason::idle);
  // Daily fires even when not idle: now 04:10, last activity 03:50.
  const auto early = utc(2026, 11, 22, 4, 10);
  EXPECT_EQ(evaluate(p, utc(2026, 11, 22, 3, 50), early, std::nullopt, z),
            reset_reason::daily);
}

// -- evaluate: idle -----------------------------------------------------------

TEST(EvaluateTest, IdleIsStrict) {
  const auto z = zone::utc();
  const auto p = policy(reset_mode::idle, 4, 90);
  const auto last = utc(2026, 11, 22, 10);
  const auto deadline = last + 90min;
  EXPECT_EQ(evaluate(p, last, deadline, std::nullopt, z), reset_reason::none);
  EXPECT_EQ(evaluate(p, last, deadline + 1us, std::nullopt, z),
            reset_reason::idle);
}

TEST(EvaluateTest, IdleIsCheckedBeforeDaily) {
  const auto z = zone::utc();
  // Both are due: idle for 2 days and before today's boundary.
  const auto p = policy(reset_mode::both, 4, 60);
  EXPECT_EQ(
    evaluate(p, utc(2026, 11, 20, 3), utc(2026, 11, 22, 12), std::nullopt, z),
    reset_reason::idle);
}

// -- evaluate: daily ----------------------------------------------------------

TEST(EvaluateTest, DailyCheckedCasesOfSpec4) {
  const auto z = zone::utc();
  const auto p = policy(reset_mode::daily, 4);
  // At 03:30 the boundary is yesterday 04:00.
  const auto now = utc(2026, 11, 22, 3, 30);
  EXPECT_EQ(evaluate(p, utc(2026, 11, 21, 3, 59), now, std::nullopt, z),
            reset_reason::daily);
  EXPECT_EQ(evaluate(p, utc(2026, 11, 21, 4, 0), now, std::nullopt, z),
            reset_reason::none);
  // At 04:00:00 the boundary is today 04:00.
  EXPECT_EQ(evaluate(p, utc(2026, 11, 22, 3, 59, 59), utc(2026, 11, 22, 4),
                     std::nullopt, z),
            reset_reason::daily);
  // Same with mode both and a long idle window.
  const auto b = policy(reset_mode::both, 4, 1440 * 7);
  EXPECT_EQ(evaluate(b, utc(2026, 11, 21, 3, 59), now, std::nullopt, z),
            reset_reason::daily);
  EXPECT_EQ(evaluate(b, utc(2026, 11, 21, 4, 0), now, std::nullopt, z),
            reset_reason::none);
}

TEST(EvaluateTest, DailyIsStrictAtTheBoundary) {
  const auto z = zone::utc();
  const auto p = policy(reset_mode::daily, 4);
  const auto boundary = utc(2026, 11, 22, 4);
  EXPECT_EQ(evaluate(p, boundary, boundary + 1h, std::nullopt, z),
            reset_reason::none);
  EXPECT_EQ(evaluate(p, boundary - 1us, boundary + 1h, std::nullopt, z),
            reset_reason::daily);
}

TEST(EvaluateTest, DailyUsesThePolicyZone) {
  // 04:00 Berlin (winter) is 03:00 UTC.
  const auto berlin = make_zone("Europe/Berlin");
  const auto p = policy(reset_mode::daily, 4);
  const auto now = utc(2026, 11, 22, 3, 30);  // 04:30 Berlin
  const auto last = utc(2026, 11, 22, 2, 50); // 03:50 Berlin
  EXPECT_EQ(evaluate(p, last, now, std::nullopt, berlin), reset_reason::daily);
  EXPECT_EQ(evaluate(p, last, now, std::nullopt, zone::utc()),
            reset_reason::none);
}

TEST(DailyBoundaryTest, TodayAtOrAfterTheHour) {
  const auto z = zone::utc();
  EXPECT_EQ(daily_boundary(utc(2026, 11, 22, 4), 4, z), utc(2026, 11, 22, 4));
  EXPECT_EQ(daily_boundary(utc(2026, 11, 22, 23, 59), 4, z),
            utc(2026, 11, 22, 4));
}

TEST(DailyBoundaryTest, PreviousDayBeforeTheHour) {
  const auto z = zone::utc();
  EXPECT_EQ(daily_boundary(utc(2026, 11, 22, 3, 59, 59), 4, z),
            utc(2026, 11, 21, 4));
  EXPECT_EQ(daily_boundary(utc(2026, 11, 22, 0), 4, z), utc(2026, 11, 21, 4));
  // Across a month and a year.
  EXPECT_EQ(daily_boundary(utc(2027, 1, 1, 1), 4, z), utc(2026, 12, 31, 4));
}

TEST(DailyBoundaryTest, HourZeroIsTodaysMidnight) {
  const auto z = zone::utc();
  EXPECT_EQ(daily_boundary(utc(2026, 11, 22, 0), 0, z), utc(2026, 11, 22, 0));
  EXPECT_EQ(daily_boundary(utc(2026, 11, 22, 23, 59), 0, z),
            utc(2026, 11, 22, 0));
  const auto p = policy(reset_mode::daily, 0);
  EXPECT_EQ(evaluate(p, utc(2026, 11, 21, 23, 59, 59), utc(2026, 11, 22, 0),
                     std::nullopt, z),
            reset_reason::daily);
  EXPECT_EQ(evaluate(p, utc(2026, 11, 22, 0), utc(2026, 11, 22, 23, 59),
                     std::nullopt, z),
            reset_reason::none);
}

TEST(DailyBoundaryTest, HourTwentyThree) {
  const auto z = zone::utc();
  EXPECT_EQ(daily_boundary(utc(2026, 11, 22, 22, 59), 23, z),
            utc(2026, 11, 21, 23));
  EXPECT_EQ(daily_boundary(utc(2026, 11, 22, 23), 23, z),
            utc(2026, 11, 22, 23));
}

TEST(DailyBoundaryTest, DstGapNewYorkMovesToFirstInstantAfter) {
  // 2026-03-08: 02:00 EST -> 03:00 EDT at 07:00 UTC; 02:00 does not exist.
  const auto ny = make_zone("America/New_York");
  const auto after_gap = utc(2026, 3, 8, 7);
  EXPECT_EQ(daily_boundary(at(ny, 2026, 3, 8, 3, 30), 2, ny), after_gap);
  EXPECT_EQ(daily_boundary(after_gap, 2, ny), after_gap);
  EXPECT_EQ(ny.to_local(after_gap),
            local_time{date::local_days{date::year{2026} / 3 / 8}} + 3h);
  // Just before the gap the boundary is yesterday 02:00 EST (07:00 UTC).
  EXPECT_EQ(daily_boundary(utc(2026, 3, 8, 6, 59), 2, ny), utc(2026, 3, 7, 7));
  // Evaluation: last activity 01:59 EST resets at 03:00 EDT, not before.
  const auto p = policy(reset_mode::daily, 2);
  const auto last = utc(2026, 3, 8, 6, 59);
  EXPECT_EQ(evaluate(p, last, after_gap, std::nullopt, ny),
            reset_reason::daily);
  EXPECT_EQ(evaluate(p, last, after_gap - 1us, std::nullopt, ny),
            reset_reason::none);
  EXPECT_EQ(evaluate(p, after_gap, after_gap + 1h, std::nullopt, ny),
            reset_reason::none);
}

TEST(DailyBoundaryTest, DstGapBerlin) {
  // 2026-03-29: 02:00 CET -> 03:00 CEST at 01:00 UTC.
  const auto berlin = make_zone("Europe/Berlin");
  const auto after_gap = utc(2026, 3, 29, 1);
  EXPECT_EQ(daily_boundary(at(berlin, 2026, 3, 29, 12), 2, berlin), after_gap);
  EXPECT_EQ(daily_boundary(utc(2026, 3, 29, 0, 59), 2, berlin),
            utc(2026, 3, 28, 1));
  const auto p = policy(reset_mode::daily, 2);
  EXPECT_EQ(
    evaluate(p, utc(2026, 3, 29, 0, 59, 59), after_gap, std::nullopt, berlin),
    reset_reason::daily);
  // The day after the gap the boundary is an ordinary 02:00 CEST.
  EXPECT_EQ(daily_boundary(utc(2026, 3, 30, 10), 2, berlin),
            utc(2026, 3, 30, 0));
}

TEST(DailyBoundaryTest, AmbiguousHourUsesTheEarlierInstant) {
  // Berlin 2026-10-25: 02:00-03:00 twice; the boundary is 02:00 CEST.
  const auto berlin = make_zone("Europe/Berlin");
  EXPECT_EQ(daily_boundary(utc(2026, 10, 25, 10), 2, berlin),
            utc(2026, 10, 25, 0));
}

// -- evaluate: busy -----------------------------------------------------------

TEST(EvaluateTest, BusySessionNeverResets) {
  const auto z = zone::utc();
  const auto p = policy(reset_mode::both, 4, 1);
  const auto now = utc(2026, 11, 22, 12);
  const auto stale = utc(2026, 11, 1, 0);
  EXPECT_EQ(evaluate(p, stale, now, now + 1us, z), reset_reason::none);
  EXPECT_EQ(evaluate(p, stale, now, now + 24h, z), reset_reason::none);
}

TEST(EvaluateTest, ExpiredBusyMarkEvaluatesNormally) {
  const auto z = zone::utc();
  const auto p = policy(reset_mode::both, 4, 60);
  const auto now = utc(2026, 11, 22, 12);
  EXPECT_EQ(evaluate(p, now - 2h, now, now, z), reset_reason::idle);
  EXPECT_EQ(evaluate(p, now - 2h, now, now - 1h, z), reset_reason::idle);
  EXPECT_EQ(evaluate(p, utc(2026, 11, 22, 3, 50), utc(2026, 11, 22, 4, 10),
                     utc(2026, 11, 22, 4), z),
            reset_reason::daily);
  EXPECT_EQ(evaluate(p, now - 30min, now, now - 1h, z), reset_reason::none);
}

// -- clamp_busy_until ---------------------------------------------------------

TEST(ClampBusyUntilTest, NoTtlLastsTheMaximum) {
  const auto now = utc(2026, 11, 22, 12);
  EXPECT_EQ(clamp_busy_until(now, std::nullopt, 24), now + 24h);
  EXPECT_EQ(clamp_busy_until(now, std::nullopt, 2), now + 2h);
}

TEST(ClampBusyUntilTest, ShortTtlIsKept) {
  const auto now = utc(2026, 11, 22, 12);
  EXPECT_EQ(clamp_busy_until(now, 3600.0, 24), now + 1h);
  EXPECT_EQ(clamp_busy_until(now, 0.5, 24), now + 500ms);
}

TEST(ClampBusyUntilTest, LongTtlIsClamped) {
  const auto now = utc(2026, 11, 22, 12);
  EXPECT_EQ(clamp_busy_until(now, 48 * 3600.0, 24), now + 24h);
  EXPECT_EQ(clamp_busy_until(now, 24 * 3600.0, 24), now + 24h);
  EXPECT_EQ(clamp_busy_until(now, 1e300, 24), now + 24h);
  EXPECT_EQ(clamp_busy_until(now, std::numeric_limits<double>::infinity(), 24),
            now + 24h);
  EXPECT_EQ(clamp_busy_until(now, std::numeric_limits<double>::quiet_NaN(), 24),
            now + 24h);
}

TEST(ClampBusyUntilTest, NonPositiveTtlIsNotBusy) {
  const auto now = utc(2026, 11, 22, 12);
  EXPECT_EQ(clamp_busy_until(now, 0.0, 24), now);
  EXPECT_EQ(clamp_busy_until(now, -5.0, 24), now);
  const auto p = policy(reset_mode::idle, 4, 60);
  EXPECT_EQ(
    evaluate(p, now - 2h, now, clamp_busy_until(now, 0.0, 24), zone::utc()),
    reset_reason::idle);
}

TEST(ClampBusyUntilTest, ClampedMarkStopsProtectingAfterTheMaximum) {
  const auto now = utc(2026, 11, 22, 12);
  const auto until = clamp_busy_until(now, 1e9, 24);
  const auto p = policy(reset_mode::idle, 4, 60);
  EXPECT_EQ(evaluate(p, now, now + 24h - 1us, until, zone::utc()),
            reset_reason::none);
  EXPECT_EQ(evaluate(p, now, now + 24h, until, zone::utc()),
            reset_reason::idle);
}

// -- SPEC 4.6: defer_daily_minutes
// ----------------------------------------------

reset_policy deferring(int minutes, reset_mode mode = reset_mode::daily) {
  reset_policy p{mode, 4, 1440};
  p.defer_daily_minutes = minutes;
  return p;
}

reset_verdict verdict(const reset_policy& p, time_point updated, time_point now,
                      bool owed = false,
                      std::optional<time_point> busy = std::nullopt) {
  return evaluate_deferred(p, {updated, busy, owed}, now, zone::utc());
}

TEST(DeferDailyTest, DefaultIsTheSeedRule) {
  EXPECT_EQ(reset_policy{}.defer_daily_minutes, 0);
  // With 0 a due daily reset happens at once, even one second after activity.
  EXPECT_EQ(verdict(deferring(0), utc(2026, 11, 21, 3, 59, 59),
                    utc(2026, 11, 21, 4, 0, 0)),
            (reset_verdict{reset_reason::daily, false}));
}

TEST(DeferDailyTest, ActiveSessionIsDeferredAndOwesTheReset) {
  // Last message 03:58, next at 04:05: due, but active 7 minutes ago.
  EXPECT_EQ(
    verdict(deferring(30), utc(2026, 11, 21, 3, 58), utc(2026, 11, 21, 4, 5)),
    (reset_verdict{reset_reason::none, true}));
}

TEST(DeferDailyTest, QuietGapOfExactlyTheGraceResets) {
  EXPECT_EQ(
    verdict(deferring(30), utc(2026, 11, 21, 3, 58), utc(2026, 11, 21, 4, 28)),
    (reset_verdict{reset_reason::daily, false}));
  EXPECT_EQ(verdict(deferring(30), utc(2026, 11, 21, 3, 58),
                    utc(2026, 11, 21, 4, 27, 59)),
            (reset_verdict{reset_reason::none, true}));
}

TEST(DeferDailyTest, OwedResetStaysDueAfterTheBoundary) {
  // Activity at 04:20 is after the boundary: the seed rule says no reset,
  // but the owed reset is only postponed.
  EXPECT_EQ(verdict(deferring(30), utc(2026, 11, 21, 4, 20),
                    utc(2026, 11, 21, 4, 40), true),
            (reset_verdict{reset_reason::none, true}));
  EXPECT_EQ(verdict(deferring(30), utc(2026, 11, 21, 4, 20),
                    utc(2026, 11, 21, 4, 50), true),
            (reset_verdict{reset_reason::daily, false}));
  // Without the debt the same times are no reset at all.
  EXPECT_EQ(verdict(deferring(30), utc(2026, 11, 21, 4, 20),
                    utc(2026, 11, 21, 4, 50), false),
            (reset_verdict{reset_reason::none, false}));
}

TEST(DeferDailyTest, OwedResetWithGraceRemovedHappensAtOnce) {
  EXPECT_EQ(verdict(deferring(0), utc(2026, 11, 21, 4, 20),
                    utc(2026, 11, 21, 4, 21), true),
            (reset_verdict{reset_reason::daily, false}));
}

TEST(DeferDailyTest, IdleIsNotAffectedAndWinsFirst) {
  auto p = deferring(30, reset_mode::both);
  p.idle_minutes = 10;
  EXPECT_EQ(verdict(p, utc(2026, 11, 21, 3, 50), utc(2026, 11, 21, 4, 1)),
            (reset_verdict{reset_reason::idle, false}));
  auto idle_only = deferring(30, reset_mode::idle);
  idle_only.idle_minutes = 10;
  EXPECT_EQ(
    verdict(idle_only, utc(2026, 11, 21, 3, 50), utc(2026, 11, 21, 4, 0, 1)),
    (reset_verdict{reset_reason::idle, false}));
  // A mode without daily drops a stale debt.
  EXPECT_EQ(
    verdict(idle_only, utc(2026, 11, 21, 4, 0), utc(2026, 11, 21, 4, 1), true),
    (reset_verdict{reset_reason::none, false}));
}

TEST(DeferDailyTest, BusyAndNoneKeepTheDebt) {
  EXPECT_EQ(verdict(deferring(30), utc(2026, 11, 21, 3, 0),
                    utc(2026, 11, 21, 5, 0), true, utc(2026, 11, 21, 6, 0)),
            (reset_verdict{reset_reason::none, true}));
  EXPECT_EQ(verdict(deferring(30, reset_mode::none), utc(2026, 11, 21, 3, 0),
                    utc(2026, 11, 21, 5, 0), true),
            (reset_verdict{reset_reason::none, true}));
}

TEST(DeferDailyTest, EvaluateIsTheVerdictWithoutDebt) {
  auto p = deferring(30);
  EXPECT_EQ(evaluate(p, utc(2026, 11, 21, 3, 58), utc(2026, 11, 21, 4, 5),
                     std::nullopt, zone::utc()),
            reset_reason::none);
  EXPECT_EQ(evaluate(p, utc(2026, 11, 21, 3, 58), utc(2026, 11, 21, 4, 30),
                     std::nullopt, zone::utc()),
            reset_reason::daily);
}

} // namespace
