#pragma once

// One line of a seed's legacy JSONL transcript (`sessions/<id>.jsonl`, seed
// 002 and seed 000 append_to_transcript: `json.dumps(message)` per line),
// read leniently for import-hermes. Pure: no I/O.

#include "core/message.hpp"
#include "core/time.hpp"
#include "core/zone.hpp"

#include <optional>
#include <string_view>

namespace switchboard::core {

struct legacy_message {
  message msg;
  std::optional<time_point> at; // the line's timestamp, when it has one
};

/// The message on one line, or nullopt when the line is not one (the caller
/// skips and counts it; it never fails the import):
///  - not JSON (a torn last line) or not a JSON object;
///  - `role` missing or not one of user, assistant, tool, system (e.g. a
///    gateway's `session_meta` line).
/// Lenient where the API is strict: unknown fields are ignored; `content`
/// that is not a string (a list of content parts) is kept as its JSON text;
/// string fields of another type are dropped; `tool_calls` may be a list, an
/// object or JSON text; `token_count` only when a non-negative integer.
/// `timestamp`: epoch seconds (a number) or ISO-8601 text (naive times read
/// in `z`); anything else leaves `at` empty.
/// The caller trims the line and skips blank ones first (as the seed does).
std::optional<legacy_message>
parse_legacy_transcript_line(std::string_view line, const zone& z);

} // namespace switchboard::core
