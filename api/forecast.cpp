#include "api/forecast.hpp"

#include <algorithm>

namespace switchboard::api {

namespace {

using std::chrono::hours;

/// The first daily boundary after `t` (a day has 23 to 25 hours).
core::time_point next_boundary(core::time_point t, int at_hour,
                               const core::zone& z) {
  for (int h : {24, 26})
    if (auto b = core::daily_boundary(t + hours{h}, at_hour, z); b > t)
      return b;
  return t + hours{24};
}

} // namespace

std::optional<std::pair<core::time_point, core::reset_reason>>
next_expiry(const core::settings& cfg, const core::zone& z,
            const core::session_entry& e) {
  using core::reset_mode;
  using core::reset_reason;
  bool thread = e.origin && e.origin->thread_id.has_value();
  const auto& p = cfg.reset.policies.lookup(e.platform, e.type, thread);
  std::optional<std::pair<core::time_point, reset_reason>> best;
  auto consider = [&](core::time_point t, reset_reason r) {
    if (!best || t < best->first)
      best = {t, r};
  };
  if (p.mode == reset_mode::idle || p.mode == reset_mode::both)
    consider(e.updated_at + std::chrono::minutes{p.idle_minutes},
             reset_reason::idle);
  if (p.mode == reset_mode::daily || p.mode == reset_mode::both)
    consider(next_boundary(e.updated_at, p.at_hour, z), reset_reason::daily);
  if (best && e.busy_until && *e.busy_until > best->first)
    best->first = *e.busy_until;
  return best;
}

nlohmann::json
expiry_forecast(const core::settings& cfg, const core::zone& z,
                const std::vector<core::expiry_candidate>& candidates,
                core::time_point now, int hours_ahead) {
  auto start = std::chrono::floor<hours>(now);
  std::vector<std::pair<std::int64_t, std::int64_t>> counts(
    static_cast<std::size_t>(hours_ahead));
  for (const auto& c : candidates) {
    auto next = next_expiry(cfg, z, c.entry);
    if (!next)
      continue;
    auto i = std::max<std::int64_t>(
      0, std::chrono::floor<hours>(next->first - start).count());
    if (i >= hours_ahead)
      continue;
    auto& slot = counts[static_cast<std::size_t>(i)];
    (next->second == core::reset_reason::daily ? slot.second : slot.first)++;
  }
  auto buckets = nlohmann::json::array();
  for (int i = 0; i < hours_ahead; ++i)
    buckets.push_back({{"hour", core::format_iso_utc(start + hours{i})},
                       {"idle", counts[i].first},
                       {"daily", counts[i].second}});
  return {{"buckets", std::move(buckets)}};
}

} // namespace switchboard::api
