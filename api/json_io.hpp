#pragma once

// JSON in and out: the error shape of API.md, strict body parsing (size,
// UTF-8, nesting depth, syntax) and strict field readers that name the
// field path in their errors.

#include "api/http.hpp"
#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::api {

/// Deepest array/object nesting accepted in a body.
inline constexpr int max_json_depth = 32;
/// Longest free-text field we read ourselves (titles before sanitizing).
inline constexpr std::size_t max_text_bytes = 4096;

/// A JSON reply with `status`.
reply json_reply(int status, const nlohmann::json& body);

/// {"error": {"code", "message"}}.
nlohmann::json error_json(const core::error& err);

/// error_json with the code's status; Retry-After: 1 on
/// overloaded.
reply error_reply(const core::error& err);

/// Parses a request body: valid UTF-8, nesting <= max_json_depth, valid
/// JSON. An empty (or all-blank) body is `{}` when `empty_ok`, else an
/// error. Errors are bad_request naming "body".
core::result<nlohmann::json> parse_body(std::string_view body, bool empty_ok);

/// bad_request unless `j` is an object whose keys are all in `allowed`;
/// errors name "<path>.<key>: unknown field".
core::status expect_object(const nlohmann::json& j, std::string_view path,
                           std::initializer_list<std::string_view> allowed);

/// "<path>.<field>" or "<field>" when path is empty.
std::string field_path(std::string_view path, std::string_view field);

// Optional field readers: absent or null -> nullopt; a wrong type is
// bad_request "<path>.<field>: expected <type>".
core::result<std::optional<std::string>>
opt_string(const nlohmann::json& obj, std::string_view path,
           std::string_view field, std::size_t max_bytes = max_text_bytes);
core::result<std::optional<bool>> opt_bool(const nlohmann::json& obj,
                                           std::string_view path,
                                           std::string_view field);
core::result<std::optional<double>> opt_number(const nlohmann::json& obj,
                                               std::string_view path,
                                               std::string_view field);

} // namespace switchboard::api
