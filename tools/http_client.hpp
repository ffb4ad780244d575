#pragma once

// A small blocking HTTP client over libcurl for the CLI's server mode.
// One request per call; no retries. Nothing throws.

#include "core/result.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::tools {

struct http_reply {
  long status = 0;
  std::string body;
};

struct http_request {
  std::string method = "GET"; // GET, POST, PUT, DELETE
  std::string url;
  std::optional<std::string> body;  // sent as application/json
  std::optional<std::string> token; // Authorization: Bearer TOKEN
  long timeout_seconds = 60;
};

/// Performs the request. Any HTTP status is a reply; an error (internal,
/// "cannot reach URL: <curl message>") only when no reply came.
core::result<http_reply> perform(const http_request& req);

/// RFC 3986 percent-encoding of everything but unreserved characters
/// (A-Z a-z 0-9 - . _ ~), for path segments and query values.
std::string percent_encode(std::string_view text);

} // namespace switchboard::tools
