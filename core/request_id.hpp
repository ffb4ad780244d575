#pragma once

// The idempotency key of a write request (SPEC 12, API.md "request_id"):
// 1-128 bytes of [A-Za-z0-9._:-]. The first request with an id is applied;
// a later one within idempotency.window_hours gets the first one's reply.

#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::core {

inline constexpr std::size_t max_request_id_bytes = 128;

/// True for 1-128 bytes of [A-Za-z0-9._:-].
bool valid_request_id(std::string_view id);

/// Reads the optional "request_id" of a request object. Absent or null ->
/// nullopt. Errors: bad_request "<path>.request_id: expected 1-128
/// characters of A-Z a-z 0-9 . _ : -" (or "expected string").
result<std::optional<std::string>> decode_request_id(const nlohmann::json& obj,
                                                     std::string_view path);

} // namespace switchboard::core
