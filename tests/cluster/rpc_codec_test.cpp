// The wire form of forwarded values (cluster/rpc_codec.hpp): every type
// round-trips exactly, with every optional set and with none; errors keep
// code and message; malformed input is an internal error naming it. No
// NATS.

#include "cluster/rpc_codec.hpp"

#include <gtest/gtest.h>

namespace switchboard::cluster::rpc {
namespace {

using json = nlohmann::json;

core::time_point t(std::int64_t us) {
  return core::time_point{core::duration{us}};
}

/// decode(encode(x)) encodes to the same JSON; returns the decoded value.
template <class T>
T round_trip(const T& x) {
  auto j = encode(x);
  auto back = decode<T>(json::parse(j.dump()), "test");
  EXPECT_TRUE(back.ok()) << (back.ok() ? "" : back.err().message);
  if (!back.ok())
    return x;
  EXPECT_EQ(encode(*back), j);
  return *back;
}

core::source full_source() {
  core::source s;
  s.platform = "telegram";
  s.type = core::chat_type::thread;
  s.chat_id = "c";
  s.chat_name = "";
  s.user_id = "u";
  s.user_name = "n";
  s.thread_id = "t";
  s.chat_topic = "topic";
  s.user_id_alt = "ua";
  s.chat_id_alt = "ca";
  return s;
}

core::message full_message() {
  core::message m;
  m.role = "assistant";
  m.content = "";
  m.tool_name = "tool";
  m.tool_call_id = "id";
  m.tool_calls = json::array({{{"a", 1}}});
  m.reasoning = "r";
  m.reasoning_details = json(nullptr);
  m.codex_reasoning_items = json{{"x", 1.5}};
  m.finish_reason = "stop";
  m.token_count = 0;
  m.platform_message_id = "pm";
  return m;
}

core::session_entry full_entry() {
  core::session_entry e;
  e.session_key = "agent:main:telegram:dm:1";
  e.session_id = "20261121_100000_abcdef12";
  e.created_at = t(1763719200123456);
  e.updated_at = t(1763719201000001);
  e.origin = full_source();
  e.display_name = "";
  e.platform = "telegram";
  e.type = core::chat_type::group;
  e.input_tokens = 1;
  e.output_tokens = 2;
  e.cache_read_tokens = 3;
  e.cache_write_tokens = 4;
  e.total_tokens = 10;
  e.estimated_cost_usd = 0.1 + 0.2;
  e.cost_status = "estimated";
  e.last_prompt_tokens = 7;
  e.was_auto_reset = true;
  e.auto_reset_reason = core::reset_reason::daily;
  e.reset_had_activity = true;
  e.expiry_finalized = true;
  e.busy_until = t(-5);
  e.daily_reset_deferred = true;
  return e;
}

TEST(RpcCodecTest, SourcesAndEntriesRoundTripWithEveryFieldOrNone) {
  EXPECT_EQ(round_trip(full_source()), full_source());
  core::source bare;
  bare.platform = "x";
  EXPECT_EQ(round_trip(bare), bare);
  EXPECT_FALSE(encode(bare).contains("chat_id")); // absent, not null

  EXPECT_EQ(round_trip(full_entry()), full_entry());
  core::session_entry e;
  e.session_key = "k";
  EXPECT_EQ(round_trip(e), e);
  EXPECT_FALSE(round_trip(e).origin.has_value());
  EXPECT_FALSE(round_trip(e).busy_until.has_value());
}

TEST(RpcCodecTest, MessagesKeepEmptyAndNullValuesApartFromAbsent) {
  auto m = round_trip(full_message());
  ASSERT_TRUE(m.content.has_value());
  EXPECT_EQ(*m.content, "");
  ASSERT_TRUE(m.reasoning_details.has_value()); // present, holding null
  EXPECT_TRUE(m.reasoning_details->is_null());
  EXPECT_EQ(m.token_count, 0);
  EXPECT_EQ(*m.codex_reasoning_items, (json{{"x", 1.5}}));

  core::message bare;
  bare.role = "user";
  auto b = round_trip(bare);
  EXPECT_FALSE(b.content.has_value());
  EXPECT_FALSE(b.reasoning_details.has_value());
  EXPECT_FALSE(b.token_count.has_value());
}

TEST(RpcCodecTest, TimesAreExactMicroseconds) {
  for (auto us : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1},
                  std::int64_t{1763719200123457}})
    EXPECT_EQ(round_trip(t(us)), t(us));
  EXPECT_EQ(encode(t(1763719200123457)), json(1763719200123457));
}

TEST(RpcCodecTest, DoublesRoundTripExactly) {
  core::usage_update u;
  u.estimated_cost_usd = 0.1 + 0.2;
  u.last_prompt_tokens = 5;
  u.model = "m";
  u.cost_status = "s";
  u.cost_source = "c";
  u.provider = "p";
  u.base_url = "b";
  u.input_tokens = 9;
  auto back = round_trip(u);
  EXPECT_EQ(*back.estimated_cost_usd, 0.1 + 0.2);
  EXPECT_EQ(back.input_tokens, 9);
  EXPECT_FALSE(round_trip(core::usage_update{}).model.has_value());
}

TEST(RpcCodecTest, ErrorsKeepCodeAndMessage) {
  for (auto c : {core::errc::bad_request, core::errc::unauthorized,
                 core::errc::forbidden, core::errc::not_found,
                 core::errc::conflict, core::errc::payload_too_large,
                 core::errc::overloaded, core::errc::internal}) {
    core::error e{c, "title 'x' is already in use by session y"};
    core::result<core::session_entry> r = e;
    auto back = round_trip(r);
    ASSERT_FALSE(back.ok());
    EXPECT_EQ(back.err(), e);
  }
  EXPECT_EQ(encode(core::not_found("no")),
            (json{{"code", "not_found"}, {"message", "no"}}));
}

TEST(RpcCodecTest, EngineRepliesAndRequestsRoundTrip) {
  actors::route_request rq{full_source(), full_message(), true, "rid"};
  auto rq2 = round_trip(rq);
  EXPECT_EQ(rq2.origin, rq.origin);
  EXPECT_EQ(rq2.request_id, rq.request_id);
  EXPECT_TRUE(rq2.force_new);
  auto bare_rq = round_trip(actors::route_request{full_source(), {}});
  EXPECT_FALSE(bare_rq.msg.has_value());
  EXPECT_FALSE(bare_rq.request_id.has_value());

  actors::route_reply rr{"k",  "s", true, true, core::reset_reason::idle,
                         true, 42,  true};
  auto rr2 = round_trip(rr);
  EXPECT_EQ(rr2.message_id, 42);
  EXPECT_EQ(rr2.auto_reset_reason, core::reset_reason::idle);
  EXPECT_FALSE(round_trip(actors::route_reply{}).message_id.has_value());

  std::vector<core::result<actors::route_reply>> batch{
    rr, core::error{core::errc::bad_request, "bad"}};
  auto batch2 = round_trip(batch);
  ASSERT_EQ(batch2.size(), 2u);
  EXPECT_TRUE(batch2[0].ok());
  EXPECT_EQ(batch2[1].err().message, "bad");

  round_trip(actors::append_reply{"s", 3, true});
  round_trip(actors::rewrite_reply{"s", 4});
  auto st = round_trip(
    actors::switch_target{std::nullopt, "title", core::switch_scope::user});
  EXPECT_FALSE(st.session_id.has_value());
  EXPECT_EQ(st.scope, core::switch_scope::user);
  round_trip(actors::sweep_report{1, 2, 3});
  round_trip(
    actors::expire_reply{"k", "s", core::reset_reason::daily, true, false});
  auto pr = round_trip(actors::prune_request{1.5, "telegram", true});
  EXPECT_EQ(pr.older_than_days, 1.5);
  round_trip(actors::prune_report{2, true, {"a", "b"}});
  auto ev = round_trip(actors::event{"session_created", json{{"a", 1}}});
  EXPECT_EQ(ev.data, (json{{"a", 1}}));
  EXPECT_EQ(round_trip(std::optional<std::string>{}), std::nullopt);
  EXPECT_EQ(round_trip(std::optional<std::string>{""}), "");
}

TEST(RpcCodecTest, ReaderQueriesAndRowsRoundTrip) {
  core::entry_list_query q;
  q.active_since = t(5);
  q.limit = 7;
  q.offset = 2;
  q.platform = "";
  q.chat_type = "dm";
  q.finalized = false;
  q.text = "x";
  q.sort = core::entry_sort::tokens;
  q.ascending = true;
  auto q2 = round_trip(q);
  EXPECT_EQ(q2.finalized, false);
  EXPECT_EQ(q2.sort, core::entry_sort::tokens);
  EXPECT_FALSE(round_trip(core::entry_list_query{}).finalized.has_value());

  core::entry_counts c{3, {{"", 1}, {"telegram", 2}}, 10, 0.5};
  EXPECT_EQ(round_trip(c).by_platform, c.by_platform);
  round_trip(core::expiry_candidate{full_entry(), 4});
  round_trip(core::history_query{"a", {"b", "c"}, 5, 6, "u", "k", "p"});
  round_trip(core::history_query{});
  round_trip(core::prune_rule{t(9), 3, "s"});
  round_trip(core::prune_rule{});
  round_trip(core::usage_row{"2026-11-21", 1, 2, 3, 4, 0.25, 6});
  round_trip(
    core::usage_query{"2026-11-01", "2026-11-30", core::usage_group::model});
  core::search_query s;
  s.text = "hello";
  s.sources = {"a"};
  s.exclude_sources = {"b"};
  s.roles = {"user"};
  s.order = core::search_order::oldest;
  s.user_id = "u";
  s.session_key = "k";
  EXPECT_EQ(round_trip(s).order, core::search_order::oldest);
}

TEST(RpcCodecTest, MalformedValuesAreInternalErrorsNamingWhat) {
  auto bad = decode<core::session_entry>(json{{"session_key", 3}}, "entry");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.err().code, core::errc::internal);
  EXPECT_TRUE(bad.err().message.starts_with("rpc: malformed entry: "))
    << bad.err().message;
  auto missing = decode<actors::append_reply>(json::object(), "reply");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.err().message,
            "rpc: malformed reply: session_id: required");
  auto code = decode<core::result<bool>>(
    json{{"error", {{"code", "nope"}, {"message", ""}}}}, "e");
  ASSERT_FALSE(code.ok());
  EXPECT_EQ(code.err().message, "rpc: malformed e: unknown error code 'nope'");
}

} // namespace
} // namespace switchboard::cluster::rpc
