#pragma once

// The HTTP layer's own request/reply values. Only server.cpp and events.cpp
// see RESTinio; every endpoint works on these plain types, so handlers stay
// small and testable.

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace switchboard::api {

/// A decoded request: method, percent-decoded path segments, decoded query
/// parameters (the last value wins for a repeated name), raw body.
struct request {
  std::string method; // "GET", "POST", ...
  std::vector<std::string> segments;
  std::map<std::string, std::string, std::less<>> query;
  std::string body;
};

struct reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Sends a reply. May be called from any thread, exactly once.
using respond_fn = std::function<void(reply)>;

} // namespace switchboard::api
