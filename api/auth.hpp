#pragma once

// Bearer-token authentication for /v1 (API.md): when a token is configured
// every /v1 call needs "Authorization: Bearer TOKEN"; /healthz and /metrics
// never do, nor does GET /v1/openapi.json (a client generator fetches it
// before it has a token).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::api {

/// Compares in time that depends only on the lengths, not on where the
/// strings differ.
bool constant_time_equal(std::string_view a, std::string_view b);

/// True when the request may proceed: no token configured, or the path is
/// not under /v1, or the Authorization header carries the token.
bool authorized(const std::optional<std::string>& token,
                std::string_view first_segment,
                std::string_view authorization_header);

/// True for the /v1 paths that never need the token: /v1/openapi.json.
bool open_path(const std::vector<std::string>& segments);

} // namespace switchboard::api
