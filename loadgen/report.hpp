#pragma once

// The load generator's output: the JSON summary (shared/API.md), the human
// summary, and the self-contained HTML report (inline SVG, no network).

#include "loadgen/run.hpp"

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>

namespace switchboard::loadgen {

/// {"messages","acked","errors","seconds","msgs_per_s","latency_ms":{p50,p90,
/// p99,max},"sessions","series":[{"second","msgs","p50","p99"}],
/// "resets":{"idle","daily"},"expired","flushed"}, and with r.targets set
/// (HTTP runs) "targets":[{"url","requests","errors"}]: the load requests
/// each server URL got and how many of them failed.
nlohmann::json summary_json(const run_result& r);

/// The same without "series", during the run (from any thread): messages
/// sent so far, seconds since the start, latency from
/// recorder::running_latency().
nlohmann::json live_summary(const run_result& r);

/// A few lines for people.
void print_summary(std::ostream& out, const nlohmann::json& summary);

/// The HTML report: throughput and latency percentiles over time, a latency
/// histogram, and `parameters` (name -> value) of the run.
std::string html_report(const run_result& r, const nlohmann::json& summary,
                        const nlohmann::json& parameters);

} // namespace switchboard::loadgen
