#include "api/stats.hpp"

#include "core/zone.hpp"

#include <filesystem>

#ifndef SWITCHBOARD_VERSION
#define SWITCHBOARD_VERSION "unknown"
#endif

namespace switchboard::api {

namespace {

constexpr std::size_t kept_points = 61; // 60 s of differences

std::int64_t file_bytes(const std::string& path) {
  std::error_code ec;
  auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<std::int64_t>(n);
}

/// The histogram of what was recorded between `a` and `b`.
core::histogram::snapshot between(const core::histogram::snapshot& a,
                                  const core::histogram::snapshot& b) {
  auto d = b;
  for (std::size_t i = 0; i < d.counts.size() && i < a.counts.size(); ++i)
    d.counts[i] -= a.counts[i];
  d.count -= a.count;
  d.sum -= a.sum;
  return d;
}

nlohmann::json percentiles_ms(const core::histogram::snapshot& h) {
  return {{"p50", h.quantile(0.5) * 1e3},
          {"p90", h.quantile(0.9) * 1e3},
          {"p99", h.quantile(0.99) * 1e3},
          {"count", h.count}};
}

nlohmann::json iso_or_null(const std::optional<core::time_point>& t) {
  return t ? nlohmann::json(core::format_iso_utc(*t)) : nlohmann::json();
}

nlohmann::json counters_json(const actors::metrics_snapshot& m,
                             const core::histogram::snapshot& http) {
  return {{"messages_routed", m.messages_routed},
          {"sessions_created", m.sessions_created},
          {"sessions_reset", m.sessions_reset},
          {"sessions_expired", m.sessions_expired},
          {"flushes_ok", m.flushes_ok},
          {"flushes_failed", m.flushes_failed},
          {"overloaded", m.overloaded},
          {"commits", m.writer_batch_size.count},
          {"http_requests", http.count}};
}

nlohmann::json sweep_json(const actors::metrics_snapshot& m) {
  if (!m.last_sweep_at)
    return nullptr;
  return {{"at", core::format_iso_utc(*m.last_sweep_at)},
          {"duration_ms", m.last_sweep_seconds * 1e3},
          {"expired", m.last_sweep_expired}};
}

} // namespace

stats_sampler::stats_sampler(const actors::engine& eng,
                             const latency_meters& lat, std::string data_dir)
  : eng_(eng), lat_(lat), data_dir_(std::move(data_dir)),
    started_(steady::now()) {}

void stats_sampler::sample(steady::time_point now) {
  point p{now,
          eng_.metrics(),
          lat_.route_ack.read(),
          lat_.http.read(),
          file_bytes(data_dir_ + "/state.db"),
          file_bytes(data_dir_ + "/state.db-wal")};
  std::lock_guard lk{mtx_};
  points_.push_back(std::move(p));
  while (points_.size() > kept_points)
    points_.pop_front();
}

nlohmann::json stats_sampler::window(std::size_t seconds) const {
  const auto& b = points_.back();
  const auto& a =
    points_[points_.size() - 1 - std::min(seconds, points_.size() - 1)];
  double dt = std::chrono::duration<double>(b.at - a.at).count();
  auto per_s = [dt](double n) {
    return dt > 0 ? n / dt : 0.0;
  };
  auto batches = between(a.m.writer_batch_size, b.m.writer_batch_size);
  auto http = between(a.http, b.http);
  return {
    {"seconds", dt},
    {"messages_per_s",
     per_s(double(b.m.messages_routed - a.m.messages_routed))},
    {"requests_per_s", per_s(double(http.count))},
    {"commits_per_s", per_s(double(batches.count))},
    {"batch_size", batches.count ? batches.sum / double(batches.count) : 0.0},
    {"route_ack_ms", percentiles_ms(between(a.route_ack, b.route_ack))},
    {"http_ms", percentiles_ms(http)}};
}

nlohmann::json stats_sampler::snapshot() const {
  std::lock_guard lk{mtx_};
  if (points_.empty())
    return {{"version", SWITCHBOARD_VERSION}};
  const auto& p = points_.back();
  // Counters, gauges and the sweep are read now (a few atomics); rates and
  // percentiles come from the samples.
  auto m = eng_.metrics();
  return {
    {"version", SWITCHBOARD_VERSION},
    {"uptime_seconds", std::chrono::duration<double>(p.at - started_).count()},
    {"now", core::format_iso_utc(eng_.now_source().now())},
    {"counters", counters_json(m, lat_.http.read())},
    {"rates", {{"1s", window(1)}, {"10s", window(10)}, {"60s", window(60)}}},
    {"resident_actors", m.resident_session_actors},
    {"writer_queue_depth", m.writer_queue_depth},
    {"flushes",
     {{"queued", m.flushes_queued},
      {"in_flight", m.flushes_in_flight},
      {"ok", m.flushes_ok},
      {"failed", m.flushes_failed}}},
    {"database", {{"bytes", p.db_bytes}, {"wal_bytes", p.wal_bytes}}},
    {"last_sweep", sweep_json(m)},
    {"next_sweep", iso_or_null(m.next_sweep_at)}};
}

} // namespace switchboard::api
