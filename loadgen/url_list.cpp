// The servers of `loadgen --url` (url_list.hpp).

#include "loadgen/url_list.hpp"

#include <algorithm>

namespace switchboard::loadgen {

namespace {

constexpr std::string_view scheme = "http://";

bool is_port(std::string_view p) {
  if (p.empty() || p.size() > 5 || !std::all_of(p.begin(), p.end(), [](char c) {
        return c >= '0' && c <= '9';
      }))
    return false;
  auto n = std::stoi(std::string{p});
  return n >= 1 && n <= 65535;
}

/// True when `url` (trailing '/' removed) is http://HOST:PORT.
bool is_http_host_port(std::string_view url) {
  if (url.substr(0, scheme.size()) != scheme)
    return false;
  auto rest = url.substr(scheme.size());
  if (std::any_of(rest.begin(), rest.end(), [](char c) {
        return c == '/' || c == '?' || c == '#' || c == '@' || c <= ' ';
      }))
    return false;
  auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return false;
  return is_port(rest.substr(colon + 1));
}

} // namespace

core::result<std::vector<std::string>>
parse_url_list(const std::vector<std::string>& args, std::string_view field) {
  std::vector<std::string> urls;
  for (std::string_view list : args) {
    for (;;) {
      auto comma = list.find(',');
      auto item = list.substr(0, comma);
      while (!item.empty() && item.back() == '/')
        item.remove_suffix(1);
      if (item.empty())
        return core::bad_request(std::string{field} + ": item " +
                                 std::to_string(urls.size() + 1) + " is empty");
      if (!is_http_host_port(item))
        return core::bad_request(std::string{field} + ": \"" +
                                 std::string{item} +
                                 "\" is not http://HOST:PORT");
      urls.emplace_back(item);
      if (comma == std::string_view::npos)
        break;
      list.remove_prefix(comma + 1);
    }
  }
  return urls;
}

} // namespace switchboard::loadgen
