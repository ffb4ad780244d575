#include "core/reset_policy.hpp"

#include <cmath>
#include <string>

namespace switchboard::core {

std::string_view to_string(reset_mode m) {
  switch (m) {
    case reset_mode::daily:
      return "daily";
    case reset_mode::idle:
      return "idle";
    case reset_mode::both:
      return "both";
    case reset_mode::none:
      return "none";
  }
  return "none";
}

std::optional<reset_mode> parse_reset_mode(std::string_view s) {
  for (auto m : {reset_mode::daily, reset_mode::idle, reset_mode::both,
                 reset_mode::none})
    if (s == to_string(m))
      return m;
  return std::nullopt;
}

std::string_view to_string(reset_reason r) {
  switch (r) {
    case reset_reason::none:
      return "none";
    case reset_reason::idle:
      return "idle";
    case reset_reason::daily:
      return "daily";
    case reset_reason::manual:
      return "manual";
  }
  return "none";
}

std::optional<reset_reason> parse_reset_reason(std::string_view s) {
  for (auto r : {reset_reason::none, reset_reason::idle, reset_reason::daily,
                 reset_reason::manual})
    if (s == to_string(r))
      return r;
  return std::nullopt;
}

namespace {

using policy_map = std::map<std::string, reset_policy, std::less<>>;

const reset_policy* find_in(const policy_map& m, std::string_view key) {
  const auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

} // namespace

const reset_policy& policy_table::lookup(std::string_view platform,
                                         chat_type type,
                                         bool has_thread) const {
  const auto type_name = to_string(type);
  std::string platform_type{platform};
  platform_type.append("/").append(type_name);
  const reset_policy* hit = find_in(by_platform_type, platform_type);
  if (hit == nullptr)
    hit = find_in(by_platform, platform);
  if (hit == nullptr && has_thread)
    hit = find_in(by_type, "thread");
  if (hit == nullptr)
    hit = find_in(by_type, type_name);
  return hit != nullptr ? *hit : default_policy;
}

time_point daily_boundary(time_point now, int at_hour, const zone& z) {
  const local_time local = z.to_local(now);
  const auto midnight = std::chrono::floor<date::days>(local);
  const auto hour = std::chrono::floor<std::chrono::hours>(local - midnight);
  local_time boundary = midnight + std::chrono::hours{at_hour};
  if (hour.count() < at_hour)
    boundary -= date::days{1};
  return z.from_local(boundary);
}

reset_verdict evaluate_deferred(const reset_policy& p, const reset_state& s,
                                time_point now, const zone& z) {
  if (s.busy_until && *s.busy_until > now)
    return {reset_reason::none, s.daily_owed};
  if (p.mode == reset_mode::none)
    return {reset_reason::none, s.daily_owed};
  const bool idle = p.mode == reset_mode::idle || p.mode == reset_mode::both;
  const bool daily = p.mode == reset_mode::daily || p.mode == reset_mode::both;
  if (idle && now > s.updated_at + std::chrono::minutes{p.idle_minutes})
    return {reset_reason::idle, false};
  if (!daily)
    return {};
  const bool due =
    s.daily_owed || s.updated_at < daily_boundary(now, p.at_hour, z);
  if (!due)
    return {};
  if (p.defer_daily_minutes <= 0 ||
      now >= s.updated_at + std::chrono::minutes{p.defer_daily_minutes})
    return {reset_reason::daily, false};
  return {reset_reason::none, true};
}

reset_reason evaluate(const reset_policy& p, time_point updated_at,
                      time_point now, std::optional<time_point> busy_until,
                      const zone& z) {
  return evaluate_deferred(p, {updated_at, busy_until, false}, now, z).reason;
}

time_point clamp_busy_until(time_point now, std::optional<double> ttl_seconds,
                            int busy_max_hours) {
  const duration max_age = std::chrono::hours{busy_max_hours};
  if (!ttl_seconds || !std::isfinite(*ttl_seconds))
    return now + max_age;
  if (*ttl_seconds <= 0)
    return now;
  const double max_seconds = std::chrono::duration<double>(max_age).count();
  if (*ttl_seconds >= max_seconds)
    return now + max_age;
  return now + std::chrono::duration_cast<duration>(
                 std::chrono::duration<double>(*ttl_seconds));
}

} // namespace switchboard::core
