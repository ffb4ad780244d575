#include "core/legacy_transcript.hpp"

#include <algorithm>
#include <array>

namespace switchboard::core {

namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 4> roles{"user", "assistant", "tool",
                                                "system"};

std::optional<std::string> string_field(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string())
    return std::nullopt;
  return it->get<std::string>();
}

/// Any non-null JSON value (stored as JSON text by the writer).
std::optional<json> json_field(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null())
    return std::nullopt;
  return *it;
}

std::optional<std::string> content_of(const json& j) {
  auto it = j.find("content");
  if (it == j.end() || it->is_null())
    return std::nullopt;
  if (it->is_string())
    return it->get<std::string>();
  return it->dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<json> tool_calls_of(const json& j) {
  auto calls = json_field(j, "tool_calls");
  if (!calls || !calls->is_string())
    return calls;
  auto parsed = json::parse(calls->get<std::string>(), nullptr, false);
  return parsed.is_discarded() ? calls : std::optional<json>{parsed};
}

std::optional<time_point> timestamp_of(const json& j, const zone& z) {
  auto it = j.find("timestamp");
  if (it == j.end())
    return std::nullopt;
  if (it->is_number())
    return from_epoch_seconds(it->get<double>());
  if (!it->is_string())
    return std::nullopt;
  auto t = parse_iso(it->get<std::string>(), z);
  return t ? std::optional<time_point>{*t} : std::nullopt;
}

} // namespace

std::optional<legacy_message>
parse_legacy_transcript_line(std::string_view line, const zone& z) {
  auto j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return std::nullopt;
  auto role = string_field(j, "role");
  if (!role || std::find(roles.begin(), roles.end(), *role) == roles.end())
    return std::nullopt;
  legacy_message out;
  message& m = out.msg;
  m.role = *role;
  m.content = content_of(j);
  m.tool_name = string_field(j, "tool_name");
  m.tool_call_id = string_field(j, "tool_call_id");
  m.tool_calls = tool_calls_of(j);
  m.reasoning = string_field(j, "reasoning");
  m.reasoning_details = json_field(j, "reasoning_details");
  m.codex_reasoning_items = json_field(j, "codex_reasoning_items");
  m.finish_reason = string_field(j, "finish_reason");
  auto tokens = j.find("token_count");
  if (tokens != j.end() && tokens->is_number_integer() &&
      tokens->get<std::int64_t>() >= 0)
    m.token_count = tokens->get<std::int64_t>();
  out.at = timestamp_of(j, z);
  return out;
}

} // namespace switchboard::core
