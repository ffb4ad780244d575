#pragma once

// The load generator's libcurl plumbing: how an easy handle is set up for
// one JSON request (shared by the event-driven target, which reuses one
// handle per connection, and the blocking calls), a blocking request for
// the rare calls off the hot path (clock, expiry sweeps, verification,
// publishing), and path escaping. The CLI's HTTP client (tools/) uses the
// same glue. Nothing throws.

#include "core/result.hpp"

#include <curl/curl.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::loadgen {

/// curl_global_init once per process (thread-safe).
void curl_init();

/// CURLOPT_WRITEFUNCTION appending to the std::string in CURLOPT_WRITEDATA.
std::size_t append_body(char* data, std::size_t size, std::size_t n, void* out);

struct easy_deleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct slist_deleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using easy_ptr = std::unique_ptr<CURL, easy_deleter>;
using slist_ptr = std::unique_ptr<curl_slist, slist_deleter>;

/// Accept and Content-Type JSON, no Expect: 100-continue, and the bearer
/// token when there is one.
slist_ptr json_headers(const std::optional<std::string>& token);

/// Sets `c` up for METHOD `url` with `body` (empty: none) and `headers`,
/// the reply body appended to `*reply`. `body`, `headers` and `reply` must
/// outlive the transfer. Keeps the handle's connection options (keep-alive,
/// TCP no-delay, 60 s timeout).
void setup_request(CURL* c, const char* method, const std::string& url,
                   const std::string& body, curl_slist* headers,
                   std::string* reply);

struct http_reply {
  long status = 0;
  std::string body;
};

/// One blocking request. Any HTTP status is a reply; an error (internal,
/// "cannot reach URL: ...") only when no reply came.
core::result<http_reply> http_call(const char* method, const std::string& url,
                                   const std::string& body,
                                   const std::optional<std::string>& token);

/// Percent-encoding of everything but unreserved characters, for a path
/// segment.
std::string escape_segment(std::string_view text);

/// The error of a non-2xx reply: "HTTP STATUS: <error.message>", overloaded
/// for 503.
core::error http_error(long status, const std::string& body);

} // namespace switchboard::loadgen
