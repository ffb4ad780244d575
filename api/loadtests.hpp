#pragma once

// POST/GET /v1/admin/loadtests (API.md): the load generator publishes its
// running summary once a second; the dashboard shows the last runs. Kept in
// memory only: the last 20 runs.

#include "core/result.hpp"
#include "core/time.hpp"

#include <nlohmann/json.hpp>

#include <deque>
#include <mutex>
#include <optional>
#include <string>

namespace switchboard::api {

inline constexpr std::size_t loadtests_kept = 20;

class loadtest_registry {
public:
  /// Validates {"run_id", "state": "running"|"done", "summary"} and stores
  /// it (a known run_id is updated in place). Returns the run as
  /// run_json() shows it. bad_request naming the field; nothing changes.
  core::result<nlohmann::json> publish(const nlohmann::json& body,
                                       core::time_point now);
  /// {"runs": [...]} newest first.
  nlohmann::json list() const;
  /// The HTML report a run published inline (summary.report_html that
  /// starts with '<'), if any.
  std::optional<std::string> report(const std::string& run_id) const;

private:
  struct run {
    std::string run_id;
    std::string state;
    nlohmann::json summary; // without an inline report_html
    std::string report_html;
    core::time_point started_at;
    core::time_point updated_at;
  };
  static nlohmann::json run_json(const run& r);

  mutable std::mutex mtx_;
  std::deque<run> runs_; // oldest first
};

} // namespace switchboard::api
