#pragma once

// Request-target decoding and query-parameter validation.

#include "api/http.hpp"
#include "core/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::api {

/// Largest `limit` a list endpoint accepts.
inline constexpr std::int64_t max_limit = 1000;
/// Largest `offset` a list endpoint accepts.
inline constexpr std::int64_t max_offset = 1000000000;

/// Decodes %XX escapes (and '+' as space when `plus_is_space`). nullopt on a
/// malformed escape.
std::optional<std::string> percent_decode(std::string_view s,
                                          bool plus_is_space);

/// Fills req.segments and req.query from a request target ("/a/b%2Fc?x=1").
/// bad_request on a malformed escape or invalid UTF-8 in the query.
core::status decode_target(std::string_view target, request& req);

/// An optional non-negative integer query parameter <= max; bad_request
/// "query.<name>: expected an integer between 0 and <max>".
core::result<std::optional<std::int64_t>>
query_int(const request& req, std::string_view name, std::int64_t max);

/// An optional boolean query parameter: true/false/1/0.
core::result<bool> query_bool(const request& req, std::string_view name);

/// A comma-separated list ("a,b"); empty items dropped.
std::vector<std::string> query_list(const request& req, std::string_view name);

/// The value of a query parameter, if present.
std::optional<std::string> query_string(const request& req,
                                        std::string_view name);

} // namespace switchboard::api
