#pragma once

// Where a message comes from (SPEC 1), and its strict JSON decoder.

#include "core/result.hpp"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::core {

enum class chat_type { dm, group, channel, thread };

/// "dm", "group", "channel", "thread".
std::string_view to_string(chat_type t);
std::optional<chat_type> parse_chat_type(std::string_view s);

struct source {
  std::string platform; // [a-z0-9_]{1,32}
  chat_type type = chat_type::dm;
  std::optional<std::string> chat_id;
  std::optional<std::string> chat_name;
  std::optional<std::string> user_id;
  std::optional<std::string> user_name;
  std::optional<std::string> thread_id;
  std::optional<std::string> chat_topic;
  std::optional<std::string> user_id_alt;
  std::optional<std::string> chat_id_alt;

  friend bool operator==(const source&, const source&) = default;
};

/// Decodes a source object strictly: `platform` required and matching
/// [a-z0-9_]{1,32}; `chat_type` one of dm, group, channel, thread (default
/// dm); every other field an optional string (null = absent) of valid UTF-8,
/// at most 256 bytes (chat_name and chat_topic 1024); unknown fields are
/// rejected; chat_id, user_id, user_id_alt and thread_id (the parts of the
/// session key) must hold no control characters, so that every key is
/// addressable through the API. Errors are bad_request naming the field
/// path, e.g.
/// "source.chat_type: expected one of dm, group, channel, thread".
result<source> decode_source(const nlohmann::json& j,
                             std::string_view path = "source");

/// The seed's SessionSource.to_dict(): every base field present (null when
/// absent), user_id_alt/chat_id_alt only when set and non-empty.
nlohmann::json encode_source(const source& s);

/// Tolerant decoding of the seed's to_dict() form (sessions.json, import):
/// unknown fields ignored, numbers and booleans converted as Python's str()
/// does (42 -> "42", 1.5 -> "1.5", true -> "True"), no length limits.
/// Still required: an object, platform matching [a-z0-9_]{1,32}, chat_type
/// absent/null or one of the four, strings of valid UTF-8, no arrays or
/// objects where a string belongs. null is absent (the seed's
/// str(data["chat_id"]) would give "None").
/// Errors: bad_request "source.<field>: ...".
result<source> decode_source_lenient(const nlohmann::json& j);

} // namespace switchboard::core
