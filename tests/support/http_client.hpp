#pragma once

// The HTTP client of every test suite that talks to a running server (API
// unit tests on a fake engine, integration tests on the real binary, future
// browser/client suites): one request per call, a keep-alive client for
// sequences on one connection, and streams read until a marker. libcurl,
// loopback only; status 0 means the transfer failed (no response).

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace switchboard::testing {

struct http_result {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers; // lower-case names

  /// The body as JSON (discarded value when it is not JSON).
  nlohmann::json json() const;
  /// error.code / error.message of an error body, "" otherwise.
  std::string error_code() const;
  std::string error_message() const;
};

/// One request on a fresh connection. The body is sent for POST and PUT,
/// and for any other method when it is not empty.
http_result http(const std::string& method, const std::string& url,
                 const std::string& body = "",
                 const std::vector<std::string>& headers = {},
                 long timeout_seconds = 60);

/// The reply's body as JSON (a discarded value when it is not JSON).
nlohmann::json parse(const http_result& r);

/// A JSON request to `base + path` (no body when `body` is null). Adds a
/// GoogleTest failure naming the call unless the status is `want`; returns
/// the reply parsed (a discarded value when it is not JSON).
nlohmann::json json_call(const std::string& base, const std::string& method,
                         const std::string& path,
                         const nlohmann::json& body = nullptr, long want = 200);

/// Opens a GET stream; calls `on_open` once the response headers arrived,
/// then reads until `stop_at` appears; returns the body read.
std::string read_stream(const std::string& url,
                        const std::function<void()>& on_open,
                        const std::string& stop_at,
                        const std::vector<std::string>& headers = {});

/// read_stream without the open callback.
std::string read_stream_until(const std::string& url,
                              const std::string& stop_at,
                              const std::vector<std::string>& headers = {});

struct full_response {
  long status = 0; // 0: the transfer failed (no response)
  std::string body;
  std::string headers; // raw header block, lower-cased
};

/// One libcurl easy handle reused for every call, so requests share one
/// keep-alive connection. One thread at a time.
class keep_alive_client {
public:
  keep_alive_client();
  ~keep_alive_client();
  keep_alive_client(const keep_alive_client&) = delete;
  keep_alive_client& operator=(const keep_alive_client&) = delete;

  /// `timeout_seconds` bounds the whole transfer. The body is sent for POST
  /// and PUT only.
  full_response request(const std::string& method, const std::string& url,
                        const std::string& body = "",
                        const std::vector<std::string>& headers = {},
                        long timeout_seconds = 30);

private:
  void* curl_ = nullptr;
};

/// "agent:main:telegram:dm:<chat>" percent-encoded for a URL path.
std::string encoded_dm_key(const std::string& chat);

/// A route body: telegram dm `chat`, one user message `text`.
std::string route_body(const std::string& chat, const std::string& text);

} // namespace switchboard::testing
