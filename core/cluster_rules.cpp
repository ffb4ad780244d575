#include "core/cluster_rules.hpp"

#include <algorithm>

namespace switchboard::core {

namespace {

constexpr std::size_t max_node_id_bytes = 64;

bool id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ')
    s.remove_suffix(1);
  return s;
}

/// "" when `url` looks like [nats://]HOST[:PORT], else what is wrong.
std::string url_problem(std::string_view url) {
  if (url.empty())
    return "empty URL";
  if (std::any_of(url.begin(), url.end(),
                  [](char c) { return c == ' ' || c < 0x20; }))
    return "URL \"" + std::string{url} +
           "\" contains a space or control character";
  auto scheme_end = url.find("://");
  if (scheme_end != std::string_view::npos &&
      url.substr(0, scheme_end) != "nats")
    return "URL \"" + std::string{url} + "\" is not nats://HOST:PORT";
  auto host =
    scheme_end == std::string_view::npos ? url : url.substr(scheme_end + 3);
  if (host.empty() || host.front() == ':')
    return "URL \"" + std::string{url} + "\" has no host";
  return "";
}

} // namespace

core::status check_node_id(std::string_view id, std::string_view field) {
  if (id.empty() || id.size() > max_node_id_bytes ||
      !std::all_of(id.begin(), id.end(), id_char))
    return core::bad_request(std::string{field} +
                             " must be 1 to 64 characters of A-Z, a-z, "
                             "0-9, '_' and '-'");
  return {};
}

core::result<std::vector<std::string>> parse_nats_urls(std::string_view list,
                                                       std::string_view field) {
  std::vector<std::string> urls;
  while (true) {
    auto comma = list.find(',');
    auto item = trim(list.substr(0, comma));
    if (auto problem = url_problem(item); !problem.empty())
      return core::bad_request(std::string{field} + ": " + problem);
    urls.emplace_back(item);
    if (comma == std::string_view::npos)
      return urls;
    list.remove_prefix(comma + 1);
  }
}

} // namespace switchboard::core
