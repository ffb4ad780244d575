#pragma once

// Strict decoding of JSON objects from outside (API bodies, config), with
// errors that name the full field path: "source.user_id: expected string".
//
// Why a reader that remembers its first error instead of result<T> per field?
// A decoder reads ten fields; checking ten results by hand buries the field
// list in error plumbing. The reader turns every read after a failure into a
// no-op, and the decoder asks for the outcome once, at the end:
//
//   object_reader r(j, "source");
//   r.reject_unknown({"platform", "chat_id"});
//   auto platform = r.required_string("platform", 32);
//   auto chat_id = r.optional_string("chat_id", 256);
//   if (!r.ok()) return r.err();
//
// Conventions shared by every read: a missing key and an explicit null are
// the same ("absent"); strings must be valid UTF-8; the first error wins.

#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::core {

/// The path of a field: "source" + "chat_id" -> "source.chat_id". Keys that
/// are not printable UTF-8 or are very long are shown shortened, so an error
/// message is always safe to put into a JSON reply.
std::string json_field_path(std::string_view parent, std::string_view key);

/// "<path>: <what>" as a bad_request.
error json_error(std::string_view path, std::string_view what);

/// Reads the fields of one JSON object, checking each, and keeps the first
/// error. REQUIRES: `j` outlives the reader. Not thread-safe (plain value).
class object_reader {
public:
  /// Fails with "<path>: expected object" when `j` is not an object.
  object_reader(const nlohmann::json& j, std::string path);

  /// The reader keeps a reference: reading a temporary would dangle.
  object_reader(const nlohmann::json&& j, std::string path) = delete;

  /// Fails with "<path>.<key>: unknown field" for the first key of the
  /// object (in the object's order) that is not in `known`.
  void reject_unknown(std::initializer_list<std::string_view> known);

  /// The field's value, or nullptr when it is absent or null (or the reader
  /// has failed). For fields the typed reads below do not cover.
  const nlohmann::json* find(std::string_view key) const;

  /// A string of valid UTF-8 of at most max_bytes, or nullopt when absent.
  /// Errors: "expected string", "invalid UTF-8", "longer than N bytes".
  std::optional<std::string> optional_string(std::string_view key,
                                             std::size_t max_bytes);

  /// As optional_string, and absent fails with "<path>.<key>: required".
  std::optional<std::string> required_string(std::string_view key,
                                             std::size_t max_bytes);

  /// An integer in [min, max] (a JSON number without fraction or exponent
  /// part; 3.0 is not an integer), or nullopt when absent. Errors:
  /// "expected integer", "expected integer >= min" (max = int64 max) or
  /// "expected integer between min and max".
  std::optional<std::int64_t>
  optional_int(std::string_view key, std::int64_t min = 0,
               std::int64_t max = std::numeric_limits<std::int64_t>::max());

  /// true/false, or nullopt when absent. Error: "expected boolean".
  std::optional<bool> optional_bool(std::string_view key);

  /// A finite number (integer or not), or nullopt when absent. Errors:
  /// "expected number", "expected finite number".
  std::optional<double> optional_number(std::string_view key);

  /// Records "<path>.<key>: <what>" unless an error is already recorded.
  /// For checks of the caller's own (e.g. an enum value).
  void fail(std::string_view key, std::string_view what);

  /// The path of a field of this object.
  std::string path_of(std::string_view key) const;

  bool ok() const noexcept { return !err_; }

  /// The first error. REQUIRES: !ok().
  const error& err() const { return *err_; }

  /// ok, or the first error.
  status finish() const;

private:
  const nlohmann::json& j_;
  std::string path_;
  std::optional<error> err_;
};

} // namespace switchboard::core
