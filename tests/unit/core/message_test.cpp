#include "core/message.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace switchboard::core {
namespace {

using nlohmann::json;

std::string message_error(const json& j) {
  auto r = decode_message(j);
  if (r)
    return "ok";
  EXPECT_EQ(r.err().code, errc::bad_request);
  return r.err().message;
}

std::string usage_error(const json& j) {
  auto r = decode_usage(j);
  if (r)
    return "ok";
  EXPECT_EQ(r.err().code, errc::bad_request);
  return r.err().message;
}

message with_role(std::string role) {
  message m;
  m.role = std::move(role);
  return m;
}

// -- decode_message -----------------------------------------------------------

TEST(MessageTest, DecodesAMinimalMessage) {
  auto m = decode_message(json{{"role", "user"}, {"content", "hello"}});
  ASSERT_TRUE(m) << m.err().message;
  EXPECT_EQ(m->role, "user");
  EXPECT_EQ(m->content, "hello");
  EXPECT_EQ(m->tool_calls, std::nullopt);
  EXPECT_EQ(m->token_count, std::nullopt);
}

TEST(MessageTest, DecodesEveryField) {
  json j{{"role", "assistant"},
         {"content", nullptr},
         {"tool_name", "search"},
         {"tool_call_id", "call_1"},
         {"tool_calls", json::array({json{{"id", "call_1"}}})},
         {"reasoning", "because"},
         {"reasoning_details", json::array({1, 2})},
         {"codex_reasoning_items", json{{"k", "v"}}},
         {"finish_reason", "tool_calls"},
         {"token_count", 12}};
  auto m = decode_message(j);
  ASSERT_TRUE(m) << m.err().message;
  EXPECT_EQ(m->content, std::nullopt);
  EXPECT_EQ(m->tool_name, "search");
  EXPECT_EQ(m->tool_call_id, "call_1");
  EXPECT_EQ(*m->tool_calls, j["tool_calls"]);
  EXPECT_EQ(m->reasoning, "because");
  EXPECT_EQ(*m->reasoning_details, json::array({1, 2}));
  EXPECT_EQ(*m->codex_reasoning_items, (json{{"k", "v"}}));
  EXPECT_EQ(m->finish_reason, "tool_calls");
  EXPECT_EQ(m->token_count, 12);
}

TEST(MessageTest, RoleIsRequiredAndKnown) {
  EXPECT_EQ(message_error(json{{"content", "x"}}), "message.role: required");
  EXPECT_EQ(message_error(json{{"role", nullptr}}), "message.role: required");
  const std::string choices =
    "message.role: expected one of user, assistant, tool, system";
  EXPECT_EQ(message_error(json{{"role", "bot"}}), choices);
  EXPECT_EQ(message_error(json{{"role", "User"}}), choices);
  EXPECT_EQ(message_error(json{{"role", 1}}), choices);
  for (const char* r : {"user", "assistant", "tool", "system"})
    EXPECT_EQ(message_error(json{{"role", r}}), "ok") << r;
}

TEST(MessageTest, ContentMustBeAStringOfValidUtf8) {
  EXPECT_EQ(message_error(json{{"role", "user"}, {"content", 5}}),
            "message.content: expected string");
  EXPECT_EQ(
    message_error(json{{"role", "user"}, {"content", json::array({"a"})}}),
    "message.content: expected string");
  EXPECT_EQ(message_error(json{{"role", "user"}, {"content", "\xC0\xAF"}}),
            "message.content: invalid UTF-8");
  EXPECT_EQ(message_error(json{{"role", "user"}, {"content", ""}}), "ok");
}

TEST(MessageTest, ContentLimitIsHalfAMebibyte) {
  json j{{"role", "user"}, {"content", std::string(max_content_bytes, 'a')}};
  EXPECT_EQ(message_error(j), "ok");
  j["content"] = std::string(max_content_bytes + 1, 'a');
  EXPECT_EQ(message_error(j), "message.content: longer than 524288 bytes");
}

TEST(MessageTest, ShortFieldsAreLimitedTo256Bytes) {
  for (const char* f : {"tool_name", "tool_call_id", "finish_reason"}) {
    json j{{"role", "tool"}, {f, std::string(256, 'x')}};
    EXPECT_EQ(message_error(j), "ok") << f;
    j[f] = std::string(257, 'x');
    EXPECT_EQ(message_error(j),
              "message." + std::string{f} + ": longer than 256 bytes");
  }
}

TEST(MessageTest, ReasoningMayBeLong) {
  json j{{"role", "assistant"},
         {"reasoning", std::string(max_content_bytes, 'r')}};
  EXPECT_EQ(message_error(j), "ok");
  j["reasoning"] = std::string(max_content_bytes + 1, 'r');
  EXPECT_EQ(message_error(j), "message.reasoning: longer than 524288 bytes");
}

TEST(MessageTest, ToolCallsMustBeArrayOrObject) {
  EXPECT_EQ(message_error(json{{"role", "assistant"}, {"tool_calls", "x"}}),
            "message.tool_calls: expected array or object");
  EXPECT_EQ(message_error(json{{"role", "assistant"}, {"tool_calls", 3}}),
            "message.tool_calls: expected array or object");
  EXPECT_EQ(
    message_error(json{{"role", "assistant"}, {"tool_calls", json::object()}}),
    "ok");
}

TEST(MessageTest, TokenCountIsANonNegativeInteger) {
  EXPECT_EQ(message_error(json{{"role", "user"}, {"token_count", -1}}),
            "message.token_count: expected integer >= 0");
  EXPECT_EQ(message_error(json{{"role", "user"}, {"token_count", 1.5}}),
            "message.token_count: expected integer");
  EXPECT_EQ(message_error(json{{"role", "user"}, {"token_count", "3"}}),
            "message.token_count: expected integer");
  EXPECT_EQ(message_error(json{{"role", "user"}, {"token_count", 0}}), "ok");
}

TEST(MessageTest, UnknownFieldsAndNonObjectsAreRejected) {
  EXPECT_EQ(message_error(json{{"role", "user"}, {"contents", "x"}}),
            "message.contents: unknown field");
  EXPECT_EQ(message_error(json::array()), "message: expected object");
  EXPECT_EQ(message_error(json("hi")), "message: expected object");
}

TEST(MessageTest, ErrorsUseTheGivenPath) {
  auto r = decode_message(json{{"role", "x"}}, "messages[4]");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().message,
            "messages[4].role: expected one of user, assistant, tool, system");
}

// -- tool_call_count ----------------------------------------------------------

TEST(MessageTest, ToolCallCountFollowsTheSeed) {
  auto m = with_role("assistant");
  EXPECT_EQ(tool_call_count(m), 0);
  m.tool_calls = json::array({1, 2, 3});
  EXPECT_EQ(tool_call_count(m), 3);
  m.tool_calls = json::array();
  EXPECT_EQ(tool_call_count(m), 0);
  m.tool_calls = json{{"id", "x"}};
  EXPECT_EQ(tool_call_count(m), 1);
  m.tool_calls = json::object(); // any non-null non-list value counts one
  EXPECT_EQ(tool_call_count(m), 1);
  m.tool_calls = json(nullptr);
  EXPECT_EQ(tool_call_count(m), 0);
}

TEST(MessageTest, ToolResponsesAreNotToolCalls) {
  auto m = with_role("tool");
  m.tool_call_id = "call_1";
  m.content = "result";
  EXPECT_EQ(tool_call_count(m), 0);
}

// -- to_conversation_json
// -------------------------------------------------------

TEST(MessageTest, ConversationAlwaysHasRoleAndContent) {
  auto m = with_role("user");
  EXPECT_EQ(to_conversation_json(m),
            (json{{"role", "user"}, {"content", nullptr}}));
  m.content = "";
  EXPECT_EQ(to_conversation_json(m), (json{{"role", "user"}, {"content", ""}}));
}

TEST(MessageTest, ConversationCarriesToolFieldsWhenSet) {
  auto m = with_role("tool");
  m.content = "42";
  m.tool_call_id = "call_1";
  m.tool_name = "calc";
  EXPECT_EQ(to_conversation_json(m), (json{{"role", "tool"},
                                           {"content", "42"},
                                           {"tool_call_id", "call_1"},
                                           {"tool_name", "calc"}}));
}

TEST(MessageTest, ConversationOmitsEmptyToolFields) {
  auto m = with_role("assistant");
  m.tool_call_id = "";
  m.tool_name = "";
  m.tool_calls = json::array(); // the seed stores only truthy tool_calls
  m.finish_reason = "stop";     // never part of the conversation format
  m.token_count = 3;
  EXPECT_EQ(to_conversation_json(m),
            (json{{"role", "assistant"}, {"content", nullptr}}));
}

TEST(MessageTest, ConversationCarriesToolCalls) {
  auto m = with_role("assistant");
  m.tool_calls = json::array({json{{"id", "c1"}, {"type", "function"}}});
  auto j = to_conversation_json(m);
  EXPECT_EQ(j.at("tool_calls"), *m.tool_calls);
}

TEST(MessageTest, ConversationRestoresReasoningOnAssistantMessages) {
  auto m = with_role("assistant");
  m.content = "done";
  m.reasoning = "think";
  m.reasoning_details = json::array({json{{"type", "summary"}}});
  m.codex_reasoning_items = json::array({1});
  EXPECT_EQ(to_conversation_json(m),
            (json{{"role", "assistant"},
                  {"content", "done"},
                  {"reasoning", "think"},
                  {"reasoning_details", *m.reasoning_details},
                  {"codex_reasoning_items", *m.codex_reasoning_items}}));
}

TEST(MessageTest, ConversationDropsReasoningOnOtherRoles) {
  for (const char* role : {"user", "tool", "system"}) {
    auto m = with_role(role);
    m.reasoning = "think";
    m.reasoning_details = json::array({1});
    m.codex_reasoning_items = json::array({1});
    EXPECT_EQ(to_conversation_json(m),
              (json{{"role", role}, {"content", nullptr}}))
      << role;
  }
}

TEST(MessageTest, ConversationDropsFalsyReasoning) {
  auto m = with_role("assistant");
  m.reasoning = "";
  m.reasoning_details = json::object();
  m.codex_reasoning_items = json::array();
  EXPECT_EQ(to_conversation_json(m),
            (json{{"role", "assistant"}, {"content", nullptr}}));
  m.reasoning_details = json(0);
  m.codex_reasoning_items = json("");
  EXPECT_EQ(to_conversation_json(m).size(), 2u);
  m.reasoning_details = json(false);
  EXPECT_EQ(to_conversation_json(m).size(), 2u);
  m.reasoning_details = json(true);
  EXPECT_EQ(to_conversation_json(m).at("reasoning_details"), true);
}

// -- decode_usage
// ---------------------------------------------------------------

TEST(UsageTest, EmptyBodyIsAllZero) {
  auto u = decode_usage(json::object());
  ASSERT_TRUE(u);
  EXPECT_EQ(u->input_tokens, 0);
  EXPECT_EQ(u->output_tokens, 0);
  EXPECT_EQ(u->cache_read_tokens, 0);
  EXPECT_EQ(u->cache_write_tokens, 0);
  EXPECT_EQ(u->last_prompt_tokens, std::nullopt);
  EXPECT_EQ(u->model, std::nullopt);
  EXPECT_EQ(u->estimated_cost_usd, std::nullopt);
}

TEST(UsageTest, DecodesEveryField) {
  json j{{"input_tokens", 10},
         {"output_tokens", 20},
         {"cache_read_tokens", 3},
         {"cache_write_tokens", 4},
         {"last_prompt_tokens", 55},
         {"model", "gpt-x"},
         {"estimated_cost_usd", 0.0125},
         {"cost_status", "estimated"},
         {"cost_source", "table"},
         {"provider", "openrouter"},
         {"base_url", "https://example.test/v1"}};
  auto u = decode_usage(j);
  ASSERT_TRUE(u) << u.err().message;
  EXPECT_EQ(u->input_tokens, 10);
  EXPECT_EQ(u->output_tokens, 20);
  EXPECT_EQ(u->cache_read_tokens, 3);
  EXPECT_EQ(u->cache_write_tokens, 4);
  EXPECT_EQ(u->last_prompt_tokens, 55);
  EXPECT_EQ(u->model, "gpt-x");
  EXPECT_EQ(u->estimated_cost_usd, 0.0125);
  EXPECT_EQ(u->cost_status, "estimated");
  EXPECT_EQ(u->cost_source, "table");
  EXPECT_EQ(u->provider, "openrouter");
  EXPECT_EQ(u->base_url, "https://example.test/v1");
}

TEST(UsageTest, TokenCountsAreNonNegativeIntegers) {
  for (const char* f : {"input_tokens", "output_tokens", "cache_read_tokens",
                        "cache_write_tokens", "last_prompt_tokens"}) {
    const std::string path = "usage." + std::string{f};
    EXPECT_EQ(usage_error(json{{f, -1}}), path + ": expected integer >= 0");
    EXPECT_EQ(usage_error(json{{f, 2.5}}), path + ": expected integer");
    EXPECT_EQ(usage_error(json{{f, "7"}}), path + ": expected integer");
  }
}

TEST(UsageTest, CostIsAFiniteNumber) {
  auto u = decode_usage(json{{"estimated_cost_usd", 2}});
  ASSERT_TRUE(u);
  EXPECT_EQ(u->estimated_cost_usd, 2.0);
  EXPECT_EQ(usage_error(json{{"estimated_cost_usd", "0.1"}}),
            "usage.estimated_cost_usd: expected number");
  EXPECT_EQ(usage_error(json{
              {"estimated_cost_usd", std::numeric_limits<double>::infinity()}}),
            "usage.estimated_cost_usd: expected finite number");
}

TEST(UsageTest, StringsAreLimited) {
  EXPECT_EQ(usage_error(json{{"model", std::string(257, 'm')}}),
            "usage.model: longer than 256 bytes");
  EXPECT_EQ(usage_error(json{{"provider", 1}}),
            "usage.provider: expected string");
}

TEST(UsageTest, UnknownFieldsAndNonObjectsAreRejected) {
  EXPECT_EQ(usage_error(json{{"input_token", 1}}),
            "usage.input_token: unknown field");
  EXPECT_EQ(usage_error(json(1)), "usage: expected object");
}

} // namespace
} // namespace switchboard::core
