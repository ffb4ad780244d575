#pragma once

// HTTP/1.1 on the wire for the load generator's event-driven client
// (http_target.cpp): the bytes of one keep-alive JSON request, and the
// parse of one reply from the bytes read so far. Pure: no I/O.
//
// Replies are read as switchboard's server sends them: a status line,
// headers, and a body of exactly Content-Length bytes. A reply without
// Content-Length (chunked, or until close) is refused as malformed: the
// client needs to know where one reply ends on a kept-alive connection.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace switchboard::loadgen {

/// "POST /v1/messages HTTP/1.1" with Host, JSON content type and length,
/// the bearer token when there is one, then `body`.
std::string request_bytes(std::string_view method, std::string_view host,
                          std::string_view path, std::string_view body,
                          const std::optional<std::string>& token);

struct wire_reply {
  int status = 0;
  std::size_t body_offset = 0; // where the body starts in the buffer
  std::size_t body_size = 0;
  std::size_t size = 0; // the whole reply: headers and body
  bool close = false;   // "Connection: close": no further request here
};

/// Not enough bytes yet.
struct wire_incomplete {};

/// The bytes are not an HTTP/1.1 reply the client can read; says why.
struct wire_malformed {
  std::string why;
};

using wire_parse = std::variant<wire_reply, wire_incomplete, wire_malformed>;

/// The first reply in `buffer` (the bytes read so far on a connection).
wire_parse parse_reply(std::string_view buffer);

} // namespace switchboard::loadgen
