#include "core/message.hpp"

#include "core/json_decode.hpp"

namespace switchboard::core {

namespace {

constexpr std::size_t max_field_bytes = 256;
constexpr std::string_view role_choices =
  "expected one of user, assistant, tool, system";

bool valid_role(std::string_view r) {
  return r == "user" || r == "assistant" || r == "tool" || r == "system";
}

/// Reads role: required, one of the four.
std::string read_role(object_reader& r) {
  const auto* v = r.find("role");
  if (v == nullptr) {
    r.fail("role", "required");
    return {};
  }
  if (!v->is_string() || !valid_role(v->get_ref<const std::string&>())) {
    r.fail("role", role_choices);
    return {};
  }
  return v->get<std::string>();
}

/// Any JSON value but null (null = absent).
std::optional<nlohmann::json> read_any(object_reader& r, std::string_view key) {
  const auto* v = r.find(key);
  return v ? std::optional<nlohmann::json>{*v} : std::nullopt;
}

/// tool_calls: an array or an object.
std::optional<nlohmann::json> read_tool_calls(object_reader& r) {
  const auto* v = r.find("tool_calls");
  if (v == nullptr)
    return std::nullopt;
  if (!v->is_array() && !v->is_object()) {
    r.fail("tool_calls", "expected array or object");
    return std::nullopt;
  }
  return *v;
}

/// Python's truthiness of a JSON value: null, false, 0, "", [] and {} are
/// false. The seed stores and returns structured fields only when truthy.
bool truthy(const nlohmann::json& v) {
  if (v.is_null())
    return false;
  if (v.is_boolean())
    return v.get<bool>();
  if (v.is_number())
    return v.get<double>() != 0.0;
  if (v.is_string())
    return !v.get_ref<const std::string&>().empty();
  return !v.empty(); // arrays and objects
}

bool truthy(const std::optional<nlohmann::json>& v) {
  return v && truthy(*v);
}

bool truthy(const std::optional<std::string>& v) {
  return v && !v->empty();
}

/// The reasoning fields the seed restores on assistant messages.
void add_reasoning(nlohmann::json& out, const message& m) {
  if (truthy(m.reasoning))
    out["reasoning"] = *m.reasoning;
  if (truthy(m.reasoning_details))
    out["reasoning_details"] = *m.reasoning_details;
  if (truthy(m.codex_reasoning_items))
    out["codex_reasoning_items"] = *m.codex_reasoning_items;
}

} // namespace

result<message> decode_message(const nlohmann::json& j, std::string_view path) {
  object_reader r(j, std::string{path});
  r.reject_unknown({"role", "content", "tool_name", "tool_call_id",
                    "tool_calls", "reasoning", "reasoning_details",
                    "codex_reasoning_items", "finish_reason", "token_count",
                    "platform_message_id"});
  message m;
  m.role = read_role(r);
  m.content = r.optional_string("content", max_content_bytes);
  m.tool_name = r.optional_string("tool_name", max_field_bytes);
  m.tool_call_id = r.optional_string("tool_call_id", max_field_bytes);
  m.tool_calls = read_tool_calls(r);
  m.reasoning = r.optional_string("reasoning", max_content_bytes);
  m.reasoning_details = read_any(r, "reasoning_details");
  m.codex_reasoning_items = read_any(r, "codex_reasoning_items");
  m.finish_reason = r.optional_string("finish_reason", max_field_bytes);
  m.token_count = r.optional_int("token_count");
  m.platform_message_id =
    r.optional_string("platform_message_id", max_field_bytes);
  if (r.ok() && m.platform_message_id && m.platform_message_id->empty())
    return json_error(json_field_path(path, "platform_message_id"),
                      "must not be empty");
  if (!r.ok())
    return r.err();
  return m;
}

std::int64_t tool_call_count(const message& m) {
  if (!m.tool_calls || m.tool_calls->is_null())
    return 0;
  if (m.tool_calls->is_array())
    return static_cast<std::int64_t>(m.tool_calls->size());
  return 1;
}

nlohmann::json to_conversation_json(const message& m) {
  nlohmann::json out = {{"role", m.role}, {"content", nullptr}};
  if (m.content)
    out["content"] = *m.content;
  if (truthy(m.tool_call_id))
    out["tool_call_id"] = *m.tool_call_id;
  if (truthy(m.tool_name))
    out["tool_name"] = *m.tool_name;
  if (truthy(m.tool_calls))
    out["tool_calls"] = *m.tool_calls;
  if (m.role == "assistant")
    add_reasoning(out, m);
  return out;
}

result<usage_update> decode_usage(const nlohmann::json& j,
                                  std::string_view path) {
  object_reader r(j, std::string{path});
  r.reject_unknown({"input_tokens", "output_tokens", "cache_read_tokens",
                    "cache_write_tokens", "last_prompt_tokens", "model",
                    "estimated_cost_usd", "cost_status", "cost_source",
                    "provider", "base_url"});
  usage_update u;
  u.input_tokens = r.optional_int("input_tokens").value_or(0);
  u.output_tokens = r.optional_int("output_tokens").value_or(0);
  u.cache_read_tokens = r.optional_int("cache_read_tokens").value_or(0);
  u.cache_write_tokens = r.optional_int("cache_write_tokens").value_or(0);
  u.last_prompt_tokens = r.optional_int("last_prompt_tokens");
  u.model = r.optional_string("model", max_field_bytes);
  u.estimated_cost_usd = r.optional_number("estimated_cost_usd");
  u.cost_status = r.optional_string("cost_status", max_field_bytes);
  u.cost_source = r.optional_string("cost_source", max_field_bytes);
  u.provider = r.optional_string("provider", max_field_bytes);
  u.base_url = r.optional_string("base_url", max_field_bytes);
  if (!r.ok())
    return r.err();
  return u;
}

} // namespace switchboard::core
