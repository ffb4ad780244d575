#include "api/query.hpp"

#include "core/utf8.hpp"

#include <charconv>

namespace switchboard::api {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto end = s.find(sep, start);
    if (end == std::string_view::npos)
      end = s.size();
    parts.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

core::status decode_path(std::string_view path, request& req) {
  for (auto part : split(path, '/')) {
    if (part.empty())
      continue; // leading, trailing or doubled slashes
    auto seg = percent_decode(part, false);
    if (!seg)
      return core::bad_request("path: malformed percent escape");
    req.segments.push_back(std::move(*seg));
  }
  return {};
}

core::status decode_query(std::string_view query, request& req) {
  for (auto pair : split(query, '&')) {
    if (pair.empty())
      continue;
    auto eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq), true);
    auto value = percent_decode(
      eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1),
      true);
    if (!name || !value)
      return core::bad_request("query: malformed percent escape");
    if (!core::valid_utf8(*name) || !core::valid_utf8(*value))
      return core::bad_request("query: invalid UTF-8");
    req.query[*name] = std::move(*value);
  }
  return {};
}

} // namespace

std::optional<std::string> percent_decode(std::string_view s,
                                          bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size())
        return std::nullopt;
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0)
        return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(plus_is_space && s[i] == '+' ? ' ' : s[i]);
    }
  }
  return out;
}

core::status decode_target(std::string_view target, request& req) {
  auto fragment = target.find('#');
  target = target.substr(0, fragment);
  auto qpos = target.find('?');
  if (auto st = decode_path(target.substr(0, qpos), req); !st)
    return st;
  if (qpos == std::string_view::npos)
    return {};
  return decode_query(target.substr(qpos + 1), req);
}

std::optional<std::string> query_string(const request& req,
                                        std::string_view name) {
  auto it = req.query.find(name);
  if (it == req.query.end())
    return std::nullopt;
  return it->second;
}

core::result<std::optional<std::int64_t>>
query_int(const request& req, std::string_view name, std::int64_t max) {
  auto text = query_string(req, name);
  if (!text || text->empty())
    return std::optional<std::int64_t>{};
  std::int64_t v = -1;
  auto [end, ec] =
    std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc{} || end != text->data() + text->size() || v < 0 ||
      v > max)
    return core::bad_request("query." + std::string{name} +
                             ": expected an integer between 0 and " +
                             std::to_string(max));
  return std::optional<std::int64_t>{v};
}

core::result<bool> query_bool(const request& req, std::string_view name) {
  auto text = query_string(req, name);
  if (!text || text->empty() || *text == "false" || *text == "0")
    return false;
  if (*text == "true" || *text == "1")
    return true;
  return core::bad_request("query." + std::string{name} +
                           ": expected true or false");
}

std::vector<std::string> query_list(const request& req, std::string_view name) {
  std::vector<std::string> items;
  auto text = query_string(req, name);
  if (!text)
    return items;
  for (auto part : split(*text, ','))
    if (!part.empty())
      items.emplace_back(part);
  return items;
}

} // namespace switchboard::api
