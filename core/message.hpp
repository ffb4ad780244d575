#pragma once

// A transcript message (seed 003 `messages` row) and a usage update
// (seed 000 update_session / seed 003 update_token_counts), with strict
// decoders for the API bodies.

#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::core {

struct message {
  std::string role; // user | assistant | tool | system
  std::optional<std::string> content;
  std::optional<std::string> tool_name;
  std::optional<std::string> tool_call_id;
  std::optional<nlohmann::json> tool_calls; // stored as JSON text
  std::optional<std::string> reasoning;
  std::optional<nlohmann::json> reasoning_details;
  std::optional<nlohmann::json> codex_reasoning_items;
  std::optional<std::string> finish_reason;
  std::optional<std::int64_t> token_count;
  /// The platform's own id of the message (SPEC 12): a redelivery with the
  /// same id on the same key's current session is a duplicate.
  std::optional<std::string> platform_message_id;
};

/// Largest content accepted in one message (bytes).
inline constexpr std::size_t max_content_bytes = 512 * 1024;

/// Strict decoder: `role` required (one of user, assistant, tool, system),
/// `content` string or null (valid UTF-8, <= max_content_bytes), other string
/// fields <= 256 bytes (reasoning <= max_content_bytes), tool_calls an array
/// or object, token_count a non-negative integer, reasoning_details and
/// codex_reasoning_items any JSON value, platform_message_id 1-256 bytes,
/// unknown fields rejected. null is the
/// same as absent for every field. Errors are bad_request naming the path
/// ("message.role: expected one of user, assistant, tool, system").
result<message> decode_message(const nlohmann::json& j,
                               std::string_view path = "message");

/// The number of tool calls a message carries (seed 003: the length of a
/// tool_calls list, 1 for any other non-null value, else 0).
std::int64_t tool_call_count(const message& m);

/// The seed's conversation format (get_messages_as_conversation): role and
/// content always; tool_call_id, tool_name, tool_calls when set; reasoning
/// fields only on assistant messages.
nlohmann::json to_conversation_json(const message& m);

struct usage_update {
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cache_read_tokens = 0;
  std::int64_t cache_write_tokens = 0;
  std::optional<std::int64_t> last_prompt_tokens;
  std::optional<std::string> model;
  std::optional<double> estimated_cost_usd;
  std::optional<std::string> cost_status;
  std::optional<std::string> cost_source;
  std::optional<std::string> provider;
  std::optional<std::string> base_url;
};

/// Strict decoder for the usage body of API.md (token counts non-negative
/// integers, absent = 0; cost a finite number; strings valid UTF-8 <= 256
/// bytes; null = absent; unknown fields rejected). Errors are bad_request
/// naming the path ("usage.input_tokens: expected integer >= 0").
result<usage_update> decode_usage(const nlohmann::json& j,
                                  std::string_view path = "usage");

} // namespace switchboard::core
