#include "core/source.hpp"

#include "core/json_decode.hpp"
#include "core/utf8.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>

namespace switchboard::core {

namespace {

constexpr std::size_t max_platform_bytes = 32;
constexpr std::size_t max_field_bytes = 256;
constexpr std::size_t max_long_field_bytes = 1024; // chat_name, chat_topic
constexpr std::string_view chat_type_choices =
  "expected one of dm, group, channel, thread";

/// The optional string fields of a source, in the seed's order, with their
/// byte limits.
struct string_field {
  std::string_view name;
  std::optional<std::string> source::*member;
  std::size_t max_bytes;
  bool in_key; // part of the session key: no control characters
};

constexpr std::array<string_field, 8> string_fields{{
  {"chat_id", &source::chat_id, max_field_bytes, true},
  {"chat_name", &source::chat_name, max_long_field_bytes, false},
  {"user_id", &source::user_id, max_field_bytes, true},
  {"user_name", &source::user_name, max_field_bytes, false},
  {"thread_id", &source::thread_id, max_field_bytes, true},
  {"chat_topic", &source::chat_topic, max_long_field_bytes, false},
  {"user_id_alt", &source::user_id_alt, max_field_bytes, true},
  {"chat_id_alt", &source::chat_id_alt, max_field_bytes, false},
}};

bool valid_platform(std::string_view p) {
  return !p.empty() && p.size() <= max_platform_bytes &&
         std::all_of(p.begin(), p.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
         });
}

/// Reads platform (required, [a-z0-9_]{1,32}) into s.
void read_platform(object_reader& r, source& s) {
  const auto* v = r.find("platform");
  if (v == nullptr)
    return r.fail("platform", "required");
  if (!v->is_string())
    return r.fail("platform", "expected string");
  s.platform = v->get<std::string>();
  if (!valid_platform(s.platform))
    r.fail("platform", "expected [a-z0-9_]{1,32}");
}

/// The fields that form the session key must keep it addressable: API paths
/// refuse keys with control characters (valid_session_key).
void reject_controls_in_key(object_reader& r, const source& s) {
  for (const auto& f : string_fields)
    if (f.in_key && s.*f.member && has_control_chars(*(s.*f.member)))
      return r.fail(f.name, "control characters are not allowed (the field "
                            "is part of the session key)");
}

/// Reads chat_type (absent = dm) into s.
void read_chat_type(object_reader& r, source& s) {
  const auto* v = r.find("chat_type");
  if (v == nullptr)
    return;
  auto t = v->is_string() ? parse_chat_type(v->get_ref<const std::string&>())
                          : std::nullopt;
  if (!t)
    return r.fail("chat_type", chat_type_choices);
  s.type = *t;
}

/// Python's repr of a float. nlohmann's shortest round-trip form matches it
/// except at 16 integer digits, where Python stays positional and nlohmann
/// switches to "d.ddde+15".
std::string python_float_str(double d) {
  auto text = nlohmann::json(d).dump();
  auto e = text.find("e+15");
  if (e == std::string::npos)
    return text;
  std::string digits;
  for (char c : text.substr(0, e))
    if (c != '.')
      digits += c;
  bool negative = digits.front() == '-';
  digits.resize(negative ? 17 : 16, '0');
  return digits + ".0";
}

/// Python's str() of a JSON scalar: 42 -> "42", 1.5 -> "1.5", true -> "True".
std::optional<std::string> python_str(const nlohmann::json& v) {
  if (v.is_string())
    return v.get<std::string>();
  if (v.is_boolean())
    return v.get<bool>() ? "True" : "False";
  if (v.is_number_float())
    return python_float_str(v.get<double>());
  if (v.is_number())
    return v.dump();
  return std::nullopt;
}

/// Lenient read of one optional field: numbers and booleans become strings.
void read_lenient(object_reader& r, const string_field& f, source& s) {
  const auto* v = r.find(f.name);
  if (v == nullptr)
    return;
  auto text = python_str(*v);
  if (!text)
    return r.fail(f.name, "expected string");
  if (!valid_utf8(*text))
    return r.fail(f.name, "invalid UTF-8");
  s.*f.member = std::move(*text);
}

} // namespace

std::string_view to_string(chat_type t) {
  switch (t) {
    case chat_type::dm:
      return "dm";
    case chat_type::group:
      return "group";
    case chat_type::channel:
      return "channel";
    case chat_type::thread:
      return "thread";
  }
  return "dm";
}

std::optional<chat_type> parse_chat_type(std::string_view s) {
  for (auto t :
       {chat_type::dm, chat_type::group, chat_type::channel, chat_type::thread})
    if (to_string(t) == s)
      return t;
  return std::nullopt;
}

result<source> decode_source(const nlohmann::json& j, std::string_view path) {
  object_reader r(j, std::string{path});
  r.reject_unknown({"platform", "chat_type", "chat_id", "chat_name", "user_id",
                    "user_name", "thread_id", "chat_topic", "user_id_alt",
                    "chat_id_alt"});
  source s;
  read_platform(r, s);
  read_chat_type(r, s);
  for (const auto& f : string_fields)
    s.*f.member = r.optional_string(f.name, f.max_bytes);
  reject_controls_in_key(r, s);
  if (!r.ok())
    return r.err();
  return s;
}

nlohmann::json encode_source(const source& s) {
  auto value = [](const std::optional<std::string>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  nlohmann::json j = {
    {"platform", s.platform},          {"chat_id", value(s.chat_id)},
    {"chat_name", value(s.chat_name)}, {"chat_type", to_string(s.type)},
    {"user_id", value(s.user_id)},     {"user_name", value(s.user_name)},
    {"thread_id", value(s.thread_id)}, {"chat_topic", value(s.chat_topic)},
  };
  if (s.user_id_alt && !s.user_id_alt->empty())
    j["user_id_alt"] = *s.user_id_alt;
  if (s.chat_id_alt && !s.chat_id_alt->empty())
    j["chat_id_alt"] = *s.chat_id_alt;
  return j;
}

result<source> decode_source_lenient(const nlohmann::json& j) {
  object_reader r(j, "source");
  source s;
  read_platform(r, s);
  read_chat_type(r, s);
  for (const auto& f : string_fields)
    read_lenient(r, f, s);
  if (!r.ok())
    return r.err();
  return s;
}

} // namespace switchboard::core
