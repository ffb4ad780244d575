#pragma once

// Route table: (method, path pattern) -> handler. Patterns are literal
// segments with "{}" for a parameter, e.g. "/v1/sessions/{}/messages".
// A path that matches no pattern is 404; a path that matches only with other
// methods is 405 with Allow.

#include "api/context.hpp"

#include <string>
#include <vector>

namespace switchboard::api {

class router {
public:
  enum class outcome { found, not_found, wrong_method };

  struct match {
    outcome result = outcome::not_found;
    const handler* target = nullptr; // null for a streaming route
    std::vector<std::string> params;
    std::string allow; // for wrong_method: "GET, PUT"
  };

  /// Adds a route. `h` empty marks a streaming route the server serves
  /// itself (GET /v1/events).
  void add(std::string method, std::string_view pattern, handler h);

  match find(std::string_view method,
             const std::vector<std::string>& segments) const;

  struct entry {
    std::string method;  // "GET"
    std::string pattern; // "/v1/sessions/{}/messages"
  };
  /// Every route in the order added (the OpenAPI test compares these with
  /// api/openapi.json).
  std::vector<entry> list() const;

private:
  struct route {
    std::string method;
    std::vector<std::string> pattern;
    handler target;
  };
  std::vector<route> routes_;
};

} // namespace switchboard::api
