#include "loadgen/http_wire.hpp"

#include <cctype>
#include <charconv>

namespace switchboard::loadgen {

namespace {

constexpr std::size_t max_header_bytes = 64 * 1024;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

/// "HTTP/1.1 200 OK" -> 200.
std::optional<int> status_of(std::string_view line) {
  if (line.substr(0, 5) != "HTTP/" || line.size() < 12 || line[8] != ' ')
    return std::nullopt;
  int code = 0;
  auto digits = line.substr(9, 3);
  auto [end, ec] =
    std::from_chars(digits.data(), digits.data() + digits.size(), code);
  if (ec != std::errc{} || end != digits.data() + 3)
    return std::nullopt;
  return code;
}

} // namespace

std::string request_bytes(std::string_view method, std::string_view host,
                          std::string_view path, std::string_view body,
                          const std::optional<std::string>& token) {
  std::string out;
  out.reserve(160 + path.size() + body.size());
  out.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: ");
  out.append(host).append("\r\nAccept: application/json\r\n");
  out.append("Content-Type: application/json\r\nContent-Length: ");
  out.append(std::to_string(body.size())).append("\r\n");
  if (token)
    out.append("Authorization: Bearer ").append(*token).append("\r\n");
  out.append("\r\n").append(body);
  return out;
}

wire_parse parse_reply(std::string_view buffer) {
  auto head_end = buffer.find("\r\n\r\n");
  if (head_end == std::string_view::npos)
    return buffer.size() > max_header_bytes
             ? wire_parse{wire_malformed{"reply headers over 64 KiB"}}
             : wire_parse{wire_incomplete{}};
  auto head = buffer.substr(0, head_end);
  auto line_end = head.find("\r\n");
  auto status = status_of(head.substr(0, line_end));
  if (!status)
    return wire_malformed{"not an HTTP/1.x status line"};
  wire_reply r;
  r.status = *status;
  std::optional<std::size_t> length;
  while (line_end != std::string_view::npos) {
    head.remove_prefix(line_end + 2);
    line_end = head.find("\r\n");
    auto line = head.substr(0, line_end);
    auto colon = line.find(':');
    if (colon == std::string_view::npos)
      continue;
    auto name = trim(line.substr(0, colon));
    auto value = trim(line.substr(colon + 1));
    if (iequals(name, "content-length")) {
      std::size_t n = 0;
      auto [end, ec] =
        std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc{} || end != value.data() + value.size())
        return wire_malformed{"bad Content-Length"};
      length = n;
    } else if (iequals(name, "connection") && iequals(value, "close")) {
      r.close = true;
    } else if (iequals(name, "transfer-encoding")) {
      return wire_malformed{"chunked replies are not supported"};
    }
  }
  if (!length)
    return wire_malformed{"reply without Content-Length"};
  r.body_offset = head_end + 4;
  r.body_size = *length;
  r.size = r.body_offset + r.body_size;
  if (buffer.size() < r.size)
    return wire_incomplete{};
  return r;
}

} // namespace switchboard::loadgen
