#include "core/session_entry.hpp"

#include "core/json_decode.hpp"
#include "core/session_id.hpp"

#include <date/date.h>

#include <cstdio>

namespace switchboard::core {

void apply_usage(session_entry& e, const usage_update& u) {
  e.input_tokens += u.input_tokens;
  e.output_tokens += u.output_tokens;
  e.cache_read_tokens += u.cache_read_tokens;
  e.cache_write_tokens += u.cache_write_tokens;
  if (u.last_prompt_tokens)
    e.last_prompt_tokens = *u.last_prompt_tokens;
  if (u.estimated_cost_usd)
    e.estimated_cost_usd += *u.estimated_cost_usd;
  if (u.cost_status && !u.cost_status->empty()) // the seed's `if cost_status:`
    e.cost_status = *u.cost_status;
  e.total_tokens = e.input_tokens + e.output_tokens + e.cache_read_tokens +
                   e.cache_write_tokens;
}

namespace {

template <class T, class F>
nlohmann::json or_null(const std::optional<T>& v, F&& encode) {
  return v ? nlohmann::json(encode(*v)) : nlohmann::json(nullptr);
}

nlohmann::json platform_json(const std::string& platform) {
  return platform.empty() ? nlohmann::json(nullptr) : nlohmann::json(platform);
}

/// The fields both JSON forms share (the seed's to_dict minus times/origin).
nlohmann::json common_fields(const session_entry& e) {
  return {
    {"session_key", e.session_key},
    {"session_id", e.session_id},
    {"display_name", or_null(e.display_name, [](auto& s) { return s; })},
    {"platform", platform_json(e.platform)},
    {"chat_type", to_string(e.type)},
    {"input_tokens", e.input_tokens},
    {"output_tokens", e.output_tokens},
    {"cache_read_tokens", e.cache_read_tokens},
    {"cache_write_tokens", e.cache_write_tokens},
    {"total_tokens", e.total_tokens},
    {"last_prompt_tokens", e.last_prompt_tokens},
    {"estimated_cost_usd", e.estimated_cost_usd},
    {"cost_status", e.cost_status},
  };
}

/// Python's datetime.isoformat() of a naive datetime: microseconds only
/// when non-zero ("2026-03-25T15:15:37" / "2026-03-25T15:15:37.123456").
std::string python_isoformat(local_time t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  std::string text = date::format("%FT%T", seconds);
  const auto micros = (t - seconds).count();
  if (micros == 0)
    return text;
  char fraction[8];
  std::snprintf(fraction, sizeof fraction, ".%06lld",
                static_cast<long long>(micros));
  return text + fraction;
}

} // namespace

nlohmann::json to_api_json(const session_entry& e) {
  nlohmann::json j = common_fields(e);
  j["created_at"] = format_iso_utc(e.created_at);
  j["updated_at"] = format_iso_utc(e.updated_at);
  j["origin"] = or_null(e.origin, encode_source);
  j["was_auto_reset"] = e.was_auto_reset;
  j["auto_reset_reason"] = e.auto_reset_reason == reset_reason::none
                             ? nlohmann::json(nullptr)
                             : nlohmann::json(to_string(e.auto_reset_reason));
  j["reset_had_activity"] = e.reset_had_activity;
  j["expiry_finalized"] = e.expiry_finalized;
  j["busy_until"] = or_null(e.busy_until, format_iso_utc);
  j["daily_reset_deferred"] = e.daily_reset_deferred;
  return j;
}

nlohmann::json to_hermes_json(const session_entry& e, const zone& z) {
  nlohmann::json j = common_fields(e);
  j["created_at"] = python_isoformat(z.to_local(e.created_at));
  j["updated_at"] = python_isoformat(z.to_local(e.updated_at));
  if (e.origin)
    j["origin"] = encode_source(*e.origin);
  return j;
}

// -- from_hermes_json ---------------------------------------------------------

namespace {

constexpr std::string_view root = "entry";
constexpr std::size_t max_key_bytes = 4096;
constexpr std::size_t max_id_bytes = 64;
constexpr std::size_t max_display_name_bytes = 4096;
constexpr std::size_t max_platform_bytes = 32;
constexpr std::size_t max_short_bytes = 256;
// Bounds each count so that the sum of the four cannot overflow.
constexpr std::int64_t max_tokens = 1'000'000'000'000'000'000;

/// A required ISO time field, naive times read in z.
time_point read_time(object_reader& r, std::string_view key, const zone& z) {
  const auto text = r.required_string(key, max_short_bytes);
  if (!text)
    return {};
  auto t = parse_iso(*text, z);
  if (!t.ok()) {
    r.fail(key, t.err().message);
    return {};
  }
  return *t;
}

void read_ids(object_reader& r, session_entry& e) {
  e.session_key = r.required_string("session_key", max_key_bytes).value_or("");
  if (r.ok() && e.session_key.empty())
    r.fail("session_key", "must not be empty");
  e.session_id = r.required_string("session_id", max_id_bytes).value_or("");
  if (r.ok() && !valid_session_id(e.session_id))
    r.fail("session_id", "expected [0-9A-Za-z_-]{1,64}");
}

/// Python truthiness of a JSON value (the seed's `if data["origin"]`).
bool python_falsy(const nlohmann::json& v) {
  if (v.is_boolean())
    return !v.get<bool>();
  if (v.is_number())
    return v == 0;
  return v.is_null() ||
         ((v.is_string() || v.is_array() || v.is_object()) && v.empty());
}

/// The origin source, if any. decode_source_lenient names its fields
/// "source.<field>"; they are re-rooted at "entry.origin".
std::optional<error> read_origin(const object_reader& r, session_entry& e) {
  const auto* v = r.find("origin");
  if (v == nullptr || python_falsy(*v))
    return std::nullopt;
  auto s = decode_source_lenient(*v);
  if (s.ok()) {
    e.origin = std::move(s).value();
    return std::nullopt;
  }
  std::string message = s.err().message;
  constexpr std::string_view old_root = "source";
  if (message.compare(0, old_root.size(), old_root) == 0)
    message.replace(0, old_root.size(), r.path_of("origin"));
  return bad_request(std::move(message));
}

/// The platform: kept as a string (an open set); a non-string value counts
/// as unknown, like the seed's failed Platform() lookup.
void read_platform(object_reader& r, session_entry& e) {
  const auto* v = r.find("platform");
  if (v == nullptr || !v->is_string())
    return;
  e.platform = r.optional_string("platform", max_platform_bytes).value_or("");
}

void read_chat_type(object_reader& r, session_entry& e) {
  const auto name = r.optional_string("chat_type", max_short_bytes);
  if (!name)
    return; // the seed's default "dm"
  const auto t = parse_chat_type(*name);
  if (!t)
    return r.fail("chat_type", "expected one of dm, group, channel, thread");
  e.type = *t;
}

std::int64_t read_tokens(object_reader& r, std::string_view key) {
  return r.optional_int(key, 0, max_tokens).value_or(0);
}

/// Token counts and cost. total_tokens is taken as stored (like the seed);
/// when absent it is the sum of the four counts.
void read_usage(object_reader& r, session_entry& e) {
  e.input_tokens = read_tokens(r, "input_tokens");
  e.output_tokens = read_tokens(r, "output_tokens");
  e.cache_read_tokens = read_tokens(r, "cache_read_tokens");
  e.cache_write_tokens = read_tokens(r, "cache_write_tokens");
  e.total_tokens = r.optional_int("total_tokens", 0, 4 * max_tokens)
                     .value_or(e.input_tokens + e.output_tokens +
                               e.cache_read_tokens + e.cache_write_tokens);
  e.last_prompt_tokens = read_tokens(r, "last_prompt_tokens");
  e.estimated_cost_usd = r.optional_number("estimated_cost_usd").value_or(0.0);
  e.cost_status =
    r.optional_string("cost_status", max_short_bytes).value_or("unknown");
}

} // namespace

result<session_entry> from_hermes_json(const nlohmann::json& j, const zone& z) {
  object_reader r(j, std::string{root});
  session_entry e;
  read_ids(r, e);
  e.created_at = read_time(r, "created_at", z);
  e.updated_at = read_time(r, "updated_at", z);
  e.display_name = r.optional_string("display_name", max_display_name_bytes);
  read_platform(r, e);
  read_chat_type(r, e);
  read_usage(r, e);
  if (!r.ok())
    return r.err();
  if (auto err = read_origin(r, e))
    return *std::move(err);
  return e;
}

} // namespace switchboard::core
