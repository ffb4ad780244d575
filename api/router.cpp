#include "api/router.hpp"

namespace switchboard::api {

namespace {

std::vector<std::string> split_pattern(std::string_view pattern) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start < pattern.size()) {
    auto end = pattern.find('/', start);
    if (end == std::string_view::npos)
      end = pattern.size();
    if (end > start)
      parts.emplace_back(pattern.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool matches(const std::vector<std::string>& pattern,
             const std::vector<std::string>& segments,
             std::vector<std::string>& params) {
  if (pattern.size() != segments.size())
    return false;
  params.clear();
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == "{}")
      params.push_back(segments[i]);
    else if (pattern[i] != segments[i])
      return false;
  }
  return true;
}

} // namespace

void router::add(std::string method, std::string_view pattern, handler h) {
  routes_.push_back({std::move(method), split_pattern(pattern), std::move(h)});
}

router::match router::find(std::string_view method,
                           const std::vector<std::string>& segments) const {
  match m;
  std::vector<std::string> params;
  for (const auto& r : routes_) {
    if (!matches(r.pattern, segments, params))
      continue;
    if (r.method == method) {
      m.result = outcome::found;
      m.target = r.target ? &r.target : nullptr;
      m.params = std::move(params);
      return m;
    }
    m.result = outcome::wrong_method;
    m.allow += (m.allow.empty() ? "" : ", ") + r.method;
  }
  return m;
}

std::vector<router::entry> router::list() const {
  std::vector<entry> out;
  for (const auto& r : routes_) {
    std::string pattern;
    for (const auto& part : r.pattern)
      pattern += "/" + part;
    out.push_back({r.method, pattern.empty() ? "/" : pattern});
  }
  return out;
}

} // namespace switchboard::api
