#pragma once

// One routing-index entry per session key (SPEC 3, seed 000 SessionEntry),
// with JSON both ways: switchboard's API form and the seed's sessions.json
// form.

#include "core/message.hpp"
#include "core/reset_policy.hpp"
#include "core/result.hpp"
#include "core/source.hpp"
#include "core/time.hpp"
#include "core/zone.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace switchboard::core {

struct session_entry {
  std::string session_key;
  std::string session_id;
  time_point created_at;
  time_point updated_at;
  std::optional<source> origin;
  std::optional<std::string> display_name;
  std::string platform; // empty when unknown
  chat_type type = chat_type::dm;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cache_read_tokens = 0;
  std::int64_t cache_write_tokens = 0;
  std::int64_t total_tokens = 0; // sum of the four above
  double estimated_cost_usd = 0.0;
  std::string cost_status = "unknown";
  std::int64_t last_prompt_tokens = 0;
  bool was_auto_reset = false;
  reset_reason auto_reset_reason = reset_reason::none;
  bool reset_had_activity = false;
  bool expiry_finalized = false;
  std::optional<time_point> busy_until;
  /// A daily reset came due and was deferred (SPEC 4.6, defer_daily_minutes):
  /// it stays due until it happens. Cleared by every new session.
  bool daily_reset_deferred = false;

  friend bool operator==(const session_entry&, const session_entry&) = default;
};

/// Adds a usage update to an entry (seed 000 update_session): tokens add up,
/// total recomputed, cost adds, last_prompt_tokens replaces, cost_status
/// replaces when given. Does not touch updated_at (SPEC 4: only inbound user
/// messages are activity).
void apply_usage(session_entry& e, const usage_update& u);

/// API form: every field, times as ISO-8601 UTC, auto_reset_reason null or
/// "idle"/"daily", busy_until null or ISO, origin as encode_source.
nlohmann::json to_api_json(const session_entry& e);

/// The seed's to_dict(): naive local ISO times (datetime.isoformat() of a
/// naive local time in zone z), platform null when empty, origin when set.
nlohmann::json to_hermes_json(const session_entry& e, const zone& z);

/// The seed's from_dict(), tolerant of the missing fields the seed tolerates
/// (session_key, session_id, created_at, updated_at are required). Naive
/// times are read in zone z; times with an offset are honoured.
/// Missing or null fields take the seed's defaults (tokens 0, chat_type dm,
/// cost_status "unknown"); total_tokens is kept as stored, or the sum when
/// absent; an unknown platform string is kept (platforms are an open set), a
/// non-string one counts as unknown; origin goes through
/// decode_source_lenient (a falsy origin is none); unknown fields are
/// ignored. session_id must pass valid_session_id (SPEC 2: ids from outside).
/// Errors: bad_request naming the field, rooted at "entry", e.g.
/// "entry.created_at: required", "entry.origin.platform: required".
result<session_entry> from_hermes_json(const nlohmann::json& j, const zone& z);

} // namespace switchboard::core
