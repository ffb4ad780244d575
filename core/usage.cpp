#include "core/usage.hpp"

#include <date/date.h>

#include <charconv>

namespace switchboard::core {

std::string_view to_string(usage_group g) {
  switch (g) {
    case usage_group::day:
      return "day";
    case usage_group::platform:
      return "platform";
    case usage_group::model:
      return "model";
  }
  return "day";
}

std::optional<usage_group> parse_usage_group(std::string_view s) {
  for (auto g : {usage_group::day, usage_group::platform, usage_group::model})
    if (s == to_string(g))
      return g;
  return std::nullopt;
}

namespace {

bool digits(std::string_view s, int& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size();
}

} // namespace

bool valid_day(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-')
    return false;
  int y = 0, m = 0, d = 0;
  if (!digits(s.substr(0, 4), y) || !digits(s.substr(5, 2), m) ||
      !digits(s.substr(8, 2), d))
    return false;
  return date::year_month_day{date::year{y}, date::month(unsigned(m)),
                              date::day(unsigned(d))}
    .ok();
}

status check_usage_query(const usage_query& q, std::string_view from_name,
                         std::string_view to_name) {
  auto bad_day = [](std::string_view name) {
    return bad_request(std::string{name} + ": expected a day as YYYY-MM-DD");
  };
  if (q.from && !valid_day(*q.from))
    return bad_day(from_name);
  if (q.to && !valid_day(*q.to))
    return bad_day(to_name);
  if (q.from && q.to && *q.from > *q.to)
    return bad_request(std::string{from_name} + ": is after " +
                       std::string{to_name});
  return {};
}

nlohmann::json usage_json(const std::vector<usage_row>& rows, usage_group g) {
  auto out = nlohmann::json::array();
  for (const auto& r : rows)
    out.push_back({{std::string{to_string(g)}, r.group},
                   {"input_tokens", r.input_tokens},
                   {"output_tokens", r.output_tokens},
                   {"cache_read_tokens", r.cache_read_tokens},
                   {"cache_write_tokens", r.cache_write_tokens},
                   {"estimated_cost_usd", r.estimated_cost_usd},
                   {"updates", r.updates}});
  return {{"rows", std::move(out)}};
}

} // namespace switchboard::core
