#include "api/metrics_text.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace switchboard::api {

namespace {

void header(std::string& out, std::string_view name, std::string_view type,
            std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void counter(std::string& out, std::string_view name, std::string_view help,
             std::int64_t value) {
  header(out, name, "counter", help);
  out += fmt::format("{} {}\n", name, value);
}

void gauge(std::string& out, std::string_view name, std::string_view help,
           std::int64_t value) {
  header(out, name, "gauge", help);
  out += fmt::format("{} {}\n", name, value);
}

void histogram(std::string& out, std::string_view name, std::string_view help,
               const core::histogram::snapshot& h) {
  header(out, name, "histogram", help);
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < h.upper_bounds.size(); ++i) {
    cumulative += i < h.counts.size() ? h.counts[i] : 0;
    out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", name,
                       prom_number(h.upper_bounds[i]), cumulative);
  }
  out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n", name, h.count);
  out += fmt::format("{}_sum {}\n{}_count {}\n", name, prom_number(h.sum), name,
                     h.count);
}

void http_requests(std::string& out,
                   const std::map<int, std::uint64_t>& by_status) {
  header(out, "switchboard_http_requests_total", "counter",
         "HTTP requests answered, by status");
  for (const auto& [status, n] : by_status)
    out += fmt::format("switchboard_http_requests_total{{status=\"{}\"}} {}\n",
                       status, n);
}

} // namespace

std::string prom_number(double v) {
  char rounded[32];
  std::snprintf(rounded, sizeof rounded, "%.15g", v);
  double r = std::strtod(rounded, nullptr);
  char out[32];
  auto res = std::to_chars(out, out + sizeof out, r);
  return std::string(out, res.ptr);
}

std::string render_metrics(const actors::metrics_snapshot& m,
                           const std::map<int, std::uint64_t>& http_by_status,
                           const server_latencies& latencies) {
  std::string out;
  counter(out, "switchboard_messages_routed_total", "Messages routed",
          m.messages_routed);
  counter(out, "switchboard_sessions_created_total", "Sessions created",
          m.sessions_created);
  counter(out, "switchboard_sessions_reset_total", "Sessions reset",
          m.sessions_reset);
  counter(out, "switchboard_sessions_expired_total", "Sessions expired",
          m.sessions_expired);
  counter(out, "switchboard_flushes_ok_total", "Memory flushes that succeeded",
          m.flushes_ok);
  counter(out, "switchboard_flushes_failed_total",
          "Memory flushes that failed after every attempt", m.flushes_failed);
  counter(out, "switchboard_retention_runs_total",
          "Retention runs (SPEC 13), by timer or API", m.retention_runs);
  counter(out, "switchboard_sessions_pruned_total",
          "Ended sessions deleted by prune and retention runs",
          m.sessions_pruned);
  counter(out, "switchboard_overloaded_total",
          "Requests refused because of overload", m.overloaded);
  counter(out, "switchboard_duplicates_total",
          "Requests answered as repeats of an earlier request_id or "
          "platform_message_id (SPEC 12)",
          m.duplicates);
  gauge(out, "switchboard_resident_session_actors",
        "Session keys in memory (their router shards hold their state)",
        m.resident_session_actors);
  gauge(out, "switchboard_writer_queue_depth",
        "Write requests waiting for the writer", m.writer_queue_depth);
  gauge(out, "switchboard_flushes_queued",
        "Expiry jobs (with their memory flush) waiting for a slot",
        m.flushes_queued);
  gauge(out, "switchboard_flushes_in_flight",
        "Expiry jobs (with their memory flush) running", m.flushes_in_flight);
  histogram(out, "switchboard_writer_batch_size", "Writes per commit",
            m.writer_batch_size);
  histogram(out, "switchboard_writer_commit_seconds", "Commit latency",
            m.writer_commit_seconds);
  histogram(out, "switchboard_route_ack_seconds",
            "Routing requests, received to reply written", latencies.route_ack);
  histogram(out, "switchboard_http_request_seconds",
            "HTTP requests, received to reply written", latencies.http);
  http_requests(out, http_by_status);
  return out;
}

} // namespace switchboard::api
