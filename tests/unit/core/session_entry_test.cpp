#include "core/session_entry.hpp"
#include "tests/unit/core/test_time.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace {

using namespace std::chrono_literals;
using namespace switchboard::core;
using nlohmann::json;
using switchboard::core::test_time::make_zone;
using switchboard::core::test_time::utc;

source ana_telegram_dm() {
  source s;
  s.platform = "telegram";
  s.chat_id = "99";
  s.chat_name = "Ana";
  s.user_id = "42";
  s.user_name = "Ana";
  return s;
}

session_entry sample_entry() {
  session_entry e;
  e.session_key = "agent:main:telegram:dm:99";
  e.session_id = "20260325_151537_ab12cd34";
  e.created_at = utc(2026, 3, 25, 15, 15, 37);
  e.updated_at = utc(2026, 3, 25, 15, 20, 0, 123456);
  e.origin = ana_telegram_dm();
  e.display_name = "Ana";
  e.platform = "telegram";
  e.type = chat_type::dm;
  e.input_tokens = 100;
  e.output_tokens = 50;
  e.cache_read_tokens = 10;
  e.cache_write_tokens = 5;
  e.total_tokens = 165;
  e.estimated_cost_usd = 0.25;
  e.cost_status = "estimated";
  e.last_prompt_tokens = 90;
  return e;
}

/// A sessions.json entry as the seed's to_dict() writes it.
json seed_json() {
  return json::parse(R"({
    "session_key": "agent:main:telegram:group:-100123:7",
    "session_id": "20260325_151537_0a1b2c3d",
    "created_at": "2026-03-25T15:15:37",
    "updated_at": "2026-03-25T15:40:02.000500",
    "display_name": "Team",
    "platform": "telegram",
    "chat_type": "group",
    "input_tokens": 1200,
    "output_tokens": 300,
    "cache_read_tokens": 40,
    "cache_write_tokens": 2,
    "total_tokens": 1542,
    "last_prompt_tokens": 1100,
    "estimated_cost_usd": 0.0125,
    "cost_status": "estimated",
    "origin": {"platform": "telegram", "chat_id": "-100123",
               "chat_name": "Team", "chat_type": "group", "user_id": "7",
               "user_name": "Bo", "thread_id": null, "chat_topic": null}
  })");
}

// -- apply_usage --------------------------------------------------------------

TEST(ApplyUsageTest, TokensAddUpAndTotalIsRecomputed) {
  auto e = sample_entry();
  usage_update u;
  u.input_tokens = 1;
  u.output_tokens = 2;
  u.cache_read_tokens = 3;
  u.cache_write_tokens = 4;
  apply_usage(e, u);
  EXPECT_EQ(e.input_tokens, 101);
  EXPECT_EQ(e.output_tokens, 52);
  EXPECT_EQ(e.cache_read_tokens, 13);
  EXPECT_EQ(e.cache_write_tokens, 9);
  EXPECT_EQ(e.total_tokens, 101 + 52 + 13 + 9);
}

TEST(ApplyUsageTest, TotalIsTheSumEvenWhenItWasStale) {
  session_entry e;
  e.input_tokens = 10;
  e.total_tokens = 999; // e.g. read from a file that disagreed
  apply_usage(e, usage_update{});
  EXPECT_EQ(e.total_tokens, 10);
}

TEST(ApplyUsageTest, CostAddsAndLastPromptReplaces) {
  auto e = sample_entry();
  usage_update u;
  u.estimated_cost_usd = 0.5;
  u.last_prompt_tokens = 7;
  apply_usage(e, u);
  EXPECT_DOUBLE_EQ(e.estimated_cost_usd, 0.75);
  EXPECT_EQ(e.last_prompt_tokens, 7);
}

TEST(ApplyUsageTest, AbsentOptionalsLeaveFieldsAlone) {
  auto e = sample_entry();
  apply_usage(e, usage_update{});
  EXPECT_DOUBLE_EQ(e.estimated_cost_usd, 0.25);
  EXPECT_EQ(e.last_prompt_tokens, 90);
  EXPECT_EQ(e.cost_status, "estimated");
}

TEST(ApplyUsageTest, CostStatusReplacesOnlyWhenNonEmpty) {
  auto e = sample_entry();
  usage_update u;
  u.cost_status = "";
  apply_usage(e, u);
  EXPECT_EQ(e.cost_status, "estimated");
  u.cost_status = "exact";
  apply_usage(e, u);
  EXPECT_EQ(e.cost_status, "exact");
}

TEST(ApplyUsageTest, LastPromptTokensZeroStillReplaces) {
  auto e = sample_entry();
  usage_update u;
  u.last_prompt_tokens = 0;
  apply_usage(e, u);
  EXPECT_EQ(e.last_prompt_tokens, 0);
}

TEST(ApplyUsageTest, DoesNotTouchActivityOrIdentity) {
  auto e = sample_entry();
  const auto before = e;
  usage_update u;
  u.input_tokens = 5;
  u.model = "m";
  u.provider = "p";
  apply_usage(e, u);
  EXPECT_EQ(e.updated_at, before.updated_at);
  EXPECT_EQ(e.created_at, before.created_at);
  EXPECT_EQ(e.session_id, before.session_id);
  EXPECT_EQ(e.origin, before.origin);
}

// -- to_api_json --------------------------------------------------------------

TEST(EntryApiJsonTest, HasEveryFieldOfSpec3) {
  auto e = sample_entry();
  e.was_auto_reset = true;
  e.auto_reset_reason = reset_reason::daily;
  e.reset_had_activity = true;
  e.expiry_finalized = true;
  e.busy_until = utc(2026, 3, 26, 1, 2, 3);
  e.daily_reset_deferred = true;
  const json j = to_api_json(e);
  EXPECT_EQ(j["session_key"], "agent:main:telegram:dm:99");
  EXPECT_EQ(j["session_id"], "20260325_151537_ab12cd34");
  EXPECT_EQ(j["created_at"], "2026-03-25T15:15:37.000000Z");
  EXPECT_EQ(j["updated_at"], "2026-03-25T15:20:00.123456Z");
  EXPECT_EQ(j["origin"], encode_source(ana_telegram_dm()));
  EXPECT_EQ(j["display_name"], "Ana");
  EXPECT_EQ(j["platform"], "telegram");
  EXPECT_EQ(j["chat_type"], "dm");
  EXPECT_EQ(j["input_tokens"], 100);
  EXPECT_EQ(j["output_tokens"], 50);
  EXPECT_EQ(j["cache_read_tokens"], 10);
  EXPECT_EQ(j["cache_write_tokens"], 5);
  EXPECT_EQ(j["total_tokens"], 165);
  EXPECT_EQ(j["estimated_cost_usd"], 0.25);
  EXPECT_EQ(j["cost_status"], "estimated");
  EXPECT_EQ(j["last_prompt_tokens"], 90);
  EXPECT_EQ(j["was_auto_reset"], true);
  EXPECT_EQ(j["auto_reset_reason"], "daily");
  EXPECT_EQ(j["reset_had_activity"], true);
  EXPECT_EQ(j["expiry_finalized"], true);
  EXPECT_EQ(j["busy_until"], "2026-03-26T01:02:03.000000Z");
  EXPECT_EQ(j["daily_reset_deferred"], true); // SPEC 4.6
  EXPECT_EQ(j.size(), 22u);
}

TEST(EntryApiJsonTest, AbsentValuesAreNull) {
  session_entry e;
  e.session_key = "k";
  e.session_id = "i";
  const json j = to_api_json(e);
  EXPECT_TRUE(j["origin"].is_null());
  EXPECT_TRUE(j["display_name"].is_null());
  EXPECT_TRUE(j["platform"].is_null());
  EXPECT_TRUE(j["auto_reset_reason"].is_null());
  EXPECT_TRUE(j["busy_until"].is_null());
  EXPECT_EQ(j["was_auto_reset"], false);
  EXPECT_EQ(j["expiry_finalized"], false);
  EXPECT_EQ(j["cost_status"], "unknown");
  EXPECT_EQ(j["daily_reset_deferred"], false);
  EXPECT_EQ(j.size(), 22u);
}

TEST(EntryApiJsonTest, IdleReason) {
  auto e = sample_entry();
  e.auto_reset_reason = reset_reason::idle;
  EXPECT_EQ(to_api_json(e)["auto_reset_reason"], "idle");
}

// -- to_hermes_json -----------------------------------------------------------

TEST(EntryHermesJsonTest, SeedFieldsOnly) {
  auto e = sample_entry();
  e.was_auto_reset = true;
  e.busy_until = utc(2026, 3, 26, 1);
  const json j = to_hermes_json(e, zone::utc());
  for (const char* key :
       {"session_key", "session_id", "created_at", "updated_at", "display_name",
        "platform", "chat_type", "input_tokens", "output_tokens",
        "cache_read_tokens", "cache_write_tokens", "total_tokens",
        "last_prompt_tokens", "estimated_cost_usd", "cost_status", "origin"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j.size(), 16u);
  EXPECT_EQ(j["origin"], encode_source(ana_telegram_dm()));
}

TEST(EntryHermesJsonTest, NaiveLocalTimesLikePythonIsoformat) {
  const auto e = sample_entry();
  const json j = to_hermes_json(e, zone::utc());
  EXPECT_EQ(j["created_at"], "2026-03-25T15:15:37"); // no zero fraction
  EXPECT_EQ(j["updated_at"], "2026-03-25T15:20:00.123456");
  // In Berlin (UTC+1 in March before the switch) and Los Angeles (UTC-7).
  const json b = to_hermes_json(e, make_zone("Europe/Berlin"));
  EXPECT_EQ(b["created_at"], "2026-03-25T16:15:37");
  const json la = to_hermes_json(e, make_zone("America/Los_Angeles"));
  EXPECT_EQ(la["created_at"], "2026-03-25T08:15:37");
}

TEST(EntryHermesJsonTest, SmallFractionIsZeroPadded) {
  auto e = sample_entry();
  e.created_at = utc(2026, 3, 25, 15, 15, 37, 5);
  EXPECT_EQ(to_hermes_json(e, zone::utc())["created_at"],
            "2026-03-25T15:15:37.000005");
}

TEST(EntryHermesJsonTest, UnknownPlatformIsNullAndOriginOmitted) {
  auto e = sample_entry();
  e.platform.clear();
  e.origin.reset();
  e.display_name.reset();
  const json j = to_hermes_json(e, zone::utc());
  EXPECT_TRUE(j["platform"].is_null());
  EXPECT_TRUE(j["display_name"].is_null());
  EXPECT_FALSE(j.contains("origin"));
}

// -- from_hermes_json ---------------------------------------------------------

TEST(EntryFromHermesTest, ReadsEveryField) {
  const auto z = make_zone("Europe/Berlin");
  const auto e = from_hermes_json(seed_json(), z);
  ASSERT_TRUE(e.ok()) << e.err().message;
  EXPECT_EQ(e->session_key, "agent:main:telegram:group:-100123:7");
  EXPECT_EQ(e->session_id, "20260325_151537_0a1b2c3d");
  EXPECT_EQ(e->created_at, utc(2026, 3, 25, 14, 15, 37)); // naive, Berlin
  EXPECT_EQ(e->updated_at, utc(2026, 3, 25, 14, 40, 2, 500));
  ASSERT_TRUE(e->origin);
  EXPECT_EQ(e->origin->platform, "telegram");
  EXPECT_EQ(e->origin->chat_id, "-100123");
  EXPECT_EQ(e->origin->type, chat_type::group);
  EXPECT_EQ(e->origin->user_name, "Bo");
  EXPECT_EQ(e->display_name, "Team");
  EXPECT_EQ(e->platform, "telegram");
  EXPECT_EQ(e->type, chat_type::group);
  EXPECT_EQ(e->input_tokens, 1200);
  EXPECT_EQ(e->output_tokens, 300);
  EXPECT_EQ(e->cache_read_tokens, 40);
  EXPECT_EQ(e->cache_write_tokens, 2);
  EXPECT_EQ(e->total_tokens, 1542);
  EXPECT_EQ(e->last_prompt_tokens, 1100);
  EXPECT_DOUBLE_EQ(e->estimated_cost_usd, 0.0125);
  EXPECT_EQ(e->cost_status, "estimated");
  EXPECT_FALSE(e->was_auto_reset);
  EXPECT_FALSE(e->expiry_finalized);
  EXPECT_FALSE(e->busy_until);
}

TEST(EntryFromHermesTest, MinimalEntryGetsTheSeedDefaults) {
  const json j = {{"session_key", "agent:main:local:dm"},
                  {"session_id", "20260101_000000_00000000"},
                  {"created_at", "2026-01-01T00:00:00"},
                  {"updated_at", "2026-01-01T00:00:00"}};
  const auto e = from_hermes_json(j, zone::utc());
  ASSERT_TRUE(e.ok()) << e.err().message;
  EXPECT_FALSE(e->origin);
  EXPECT_FALSE(e->display_name);
  EXPECT_EQ(e->platform, "");
  EXPECT_EQ(e->type, chat_type::dm);
  EXPECT_EQ(e->input_tokens, 0);
  EXPECT_EQ(e->output_tokens, 0);
  EXPECT_EQ(e->cache_read_tokens, 0);
  EXPECT_EQ(e->cache_write_tokens, 0);
  EXPECT_EQ(e->total_tokens, 0);
  EXPECT_EQ(e->last_prompt_tokens, 0);
  EXPECT_EQ(e->estimated_cost_usd, 0.0);
  EXPECT_EQ(e->cost_status, "unknown");
}

TEST(EntryFromHermesTest, NullsCountAsAbsent) {
  json j = seed_json();
  j["display_name"] = nullptr;
  j["platform"] = nullptr;
  j["chat_type"] = nullptr;
  j["origin"] = nullptr;
  j["input_tokens"] = nullptr;
  const auto e = from_hermes_json(j, zone::utc());
  ASSERT_TRUE(e.ok()) << e.err().message;
  EXPECT_FALSE(e->display_name);
  EXPECT_EQ(e->platform, "");
  EXPECT_EQ(e->type, chat_type::dm);
  EXPECT_FALSE(e->origin);
  EXPECT_EQ(e->input_tokens, 0);
}

TEST(EntryFromHermesTest, EmptyOriginIsNoOrigin) {
  json j = seed_json();
  j["origin"] = json::object();
  const auto e = from_hermes_json(j, zone::utc());
  ASSERT_TRUE(e.ok()) << e.err().message;
  EXPECT_FALSE(e->origin);
}

TEST(EntryFromHermesTest, MissingTotalIsTheSum) {
  json j = seed_json();
  j.erase("total_tokens");
  const auto e = from_hermes_json(j, zone::utc());
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->total_tokens, 1200 + 300 + 40 + 2);
}

TEST(EntryFromHermesTest, UnknownPlatformIsKeptAsString) {
  json j = seed_json();
  j["platform"] = "feishu";
  j["origin"]["platform"] = "feishu";
  const auto e = from_hermes_json(j, zone::utc());
  ASSERT_TRUE(e.ok()) << e.err().message;
  EXPECT_EQ(e->platform, "feishu");
  EXPECT_EQ(e->origin->platform, "feishu");
}

TEST(EntryFromHermesTest, NonStringPlatformIsUnknown) {
  json j = seed_json();
  j["platform"] = 5;
  const auto e = from_hermes_json(j, zone::utc());
  ASSERT_TRUE(e.ok()) << e.err().message;
  EXPECT_EQ(e->platform, "");
}

TEST(EntryFromHermesTest, UnknownFieldsAreIgnored) {
  json j = seed_json();
  j["something_new"] = {1, 2};
  j["origin"]["extra"] = "x";
  EXPECT_TRUE(from_hermes_json(j, zone::utc()).ok());
}

TEST(EntryFromHermesTest, OffsetTimesAreHonoured) {
  json j = seed_json();
  j["created_at"] = "2026-03-25T15:15:37+00:00";
  j["updated_at"] = "2026-03-25T15:15:37.5Z";
  const auto e = from_hermes_json(j, make_zone("Asia/Tokyo"));
  ASSERT_TRUE(e.ok()) << e.err().message;
  EXPECT_EQ(e->created_at, utc(2026, 3, 25, 15, 15, 37));
  EXPECT_EQ(e->updated_at, utc(2026, 3, 25, 15, 15, 37, 500000));
}

TEST(EntryFromHermesTest, RequiredFieldsNamedWhenMissing) {
  for (const char* key :
       {"session_key", "session_id", "created_at", "updated_at"}) {
    json j = seed_json();
    j.erase(key);
    const auto e = from_hermes_json(j, zone::utc());
    ASSERT_FALSE(e.ok()) << key;
    EXPECT_EQ(e.err().code, errc::bad_request);
    EXPECT_EQ(e.err().message, std::string{"entry."} + key + ": required");
  }
}

TEST(EntryFromHermesTest, BadValuesAreBadRequestsNamingTheField) {
  const std::vector<std::pair<json, std::string>> cases = {
    {{{"session_key", 5}}, "entry.session_key"},
    {{{"session_key", ""}}, "entry.session_key"},
    {{{"session_id", "../../etc/passwd"}}, "entry.session_id"},
    {{{"created_at", "yesterday"}}, "entry.created_at"},
    {{{"updated_at", 1700000000}}, "entry.updated_at"},
    {{{"chat_type", "forum"}}, "entry.chat_type"},
    {{{"input_tokens", "many"}}, "entry.input_tokens"},
    {{{"output_tokens", -1}}, "entry.output_tokens"},
    {{{"cache_read_tokens", 2000000000000000000}}, "entry.cache_read_tokens"},
    {{{"estimated_cost_usd", "free"}}, "entry.estimated_cost_usd"},
    {{{"display_name", 3}}, "entry.display_name"},
    {{{"cost_status", false}}, "entry.cost_status"},
    {{{"origin", "telegram"}}, "entry.origin"},
    {{{"origin", {{"platform", nullptr}}}}, "entry.origin.platform"},
    {{{"origin", {{"chat_type", "forum"}}}}, "entry.origin.chat_type"},
  };
  for (const auto& [patch, field] : cases) {
    json j = seed_json();
    j.merge_patch(patch);
    const auto e = from_hermes_json(j, zone::utc());
    ASSERT_FALSE(e.ok()) << patch.dump();
    EXPECT_EQ(e.err().code, errc::bad_request);
    EXPECT_EQ(e.err().message.rfind(field + ":", 0), 0u)
      << patch.dump() << " -> " << e.err().message;
  }
}

TEST(EntryFromHermesTest, NotAnObject) {
  const auto e = from_hermes_json(json::array(), zone::utc());
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.err().message, "entry: expected object");
}

// -- round trips --------------------------------------------------------------

TEST(EntryRoundTripTest, EntryThroughHermesJsonAndBack) {
  for (const char* name : {"UTC", "Europe/Berlin", "America/New_York"}) {
    const auto z = make_zone(name);
    const auto e = sample_entry();
    const auto back = from_hermes_json(to_hermes_json(e, z), z);
    ASSERT_TRUE(back.ok()) << name << ": " << back.err().message;
    EXPECT_EQ(*back, e) << name;
  }
}

TEST(EntryRoundTripTest, EntryWithoutOptionalsThroughHermesJson) {
  auto e = sample_entry();
  e.origin.reset();
  e.display_name.reset();
  e.platform.clear();
  e.type = chat_type::thread;
  const auto back =
    from_hermes_json(to_hermes_json(e, zone::utc()), zone::utc());
  ASSERT_TRUE(back.ok()) << back.err().message;
  EXPECT_EQ(*back, e);
}

TEST(EntryRoundTripTest, SeedJsonThroughEntryAndBack) {
  for (const char* name : {"UTC", "Europe/Berlin", "America/Los_Angeles"}) {
    const auto z = make_zone(name);
    const auto e = from_hermes_json(seed_json(), z);
    ASSERT_TRUE(e.ok()) << e.err().message;
    EXPECT_EQ(to_hermes_json(*e, z), seed_json()) << name;
  }
}

TEST(EntryRoundTripTest, SeedJsonWithAltIdsKeepsThem) {
  json j = seed_json();
  j["origin"]["user_id_alt"] = "uuid-1";
  j["origin"]["chat_id_alt"] = "group-x";
  const auto e = from_hermes_json(j, zone::utc());
  ASSERT_TRUE(e.ok()) << e.err().message;
  EXPECT_EQ(to_hermes_json(*e, zone::utc()), j);
}

} // namespace
