// fuzz_message: core::decode_message and core::decode_usage on JSON parsed
// from the input.
//
// Invariants for an accepted message: role is one of the four; content and
// reasoning valid UTF-8 within max_content_bytes, the other strings within
// 256 bytes; token_count >= 0; tool_call_count >= 0 and 0 without
// tool_calls; to_conversation_json prints (valid UTF-8) and always has role
// and content. For accepted usage: every count >= 0, the cost finite, the
// strings valid UTF-8 within 256 bytes. Errors are bad_request naming the
// path.

#include "core/message.hpp"
#include "core/utf8.hpp"
#include "fuzz_util.hpp"

#include <cmath>

namespace {

using namespace switchboard;
using fuzz::check;

void check_text(const std::optional<std::string>& s, std::size_t max,
                const char* what) {
  if (!s)
    return;
  check(core::valid_utf8(*s), what, *s);
  check(s->size() <= max, what, "too long");
}

void check_error(const core::error& e, std::string_view path) {
  check(e.code == core::errc::bad_request, "error is not bad_request",
        e.message);
  check(e.message.rfind(path, 0) == 0, "error does not name the path",
        e.message);
}

void check_message(const nlohmann::json& j) {
  auto m = core::decode_message(j);
  if (!m)
    return check_error(m.err(), "message");
  check(m->role == "user" || m->role == "assistant" || m->role == "tool" ||
          m->role == "system",
        "unknown role accepted", m->role);
  check_text(m->content, core::max_content_bytes, "message.content");
  check_text(m->reasoning, core::max_content_bytes, "message.reasoning");
  check_text(m->tool_name, 256, "message.tool_name");
  check_text(m->tool_call_id, 256, "message.tool_call_id");
  check_text(m->finish_reason, 256, "message.finish_reason");
  check(!m->token_count || *m->token_count >= 0, "negative token_count");
  auto calls = core::tool_call_count(*m);
  check(calls >= 0, "negative tool_call_count");
  check(m->tool_calls || calls == 0, "tool calls counted without tool_calls");
  auto conv = core::to_conversation_json(*m);
  fuzz::dump_or_abort(conv, "to_conversation_json gives unprintable JSON");
  check(conv.contains("role") && conv.contains("content"),
        "conversation JSON lacks role or content", conv.dump());
}

void check_usage(const nlohmann::json& j) {
  auto u = core::decode_usage(j);
  if (!u)
    return check_error(u.err(), "usage");
  check(u->input_tokens >= 0 && u->output_tokens >= 0 &&
          u->cache_read_tokens >= 0 && u->cache_write_tokens >= 0,
        "negative token count in usage");
  check(!u->last_prompt_tokens || *u->last_prompt_tokens >= 0,
        "negative last_prompt_tokens");
  check(!u->estimated_cost_usd || std::isfinite(*u->estimated_cost_usd),
        "cost not finite");
  for (const auto* s : {&u->model, &u->cost_status, &u->cost_source,
                        &u->provider, &u->base_url})
    check_text(*s, 256, "usage string field");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  auto j = fuzz::as_json(data, size);
  if (j.is_discarded())
    return 0;
  check_message(j);
  check_usage(j);
  return 0;
}
