#include "api/loadtests.hpp"

#include "core/zone.hpp"

#include <algorithm>
#include <array>

namespace switchboard::api {

namespace {

bool valid_run_id(const std::string& id) {
  if (id.empty() || id.size() > 128)
    return false;
  return std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == ':' || c == '-';
  });
}

core::status require_number(const nlohmann::json& obj, const char* name,
                            const std::string& path) {
  auto it = obj.find(name);
  if (it == obj.end() || !it->is_number())
    return core::bad_request(path + "." + name + ": expected a number");
  return {};
}

/// loadgen's --json object (API.md): the counts, latency_ms, and the
/// optional target_rate, resets, verdict, report_html.
core::status check_summary(const nlohmann::json& s) {
  if (!s.is_object())
    return core::bad_request("summary: expected an object");
  for (auto name :
       {"messages", "acked", "errors", "seconds", "msgs_per_s", "sessions"})
    if (auto st = require_number(s, name, "summary"); !st)
      return st;
  auto lat = s.find("latency_ms");
  if (lat == s.end() || !lat->is_object())
    return core::bad_request("summary.latency_ms: expected an object");
  for (auto name : {"p50", "p90", "p99", "max"})
    if (auto st = require_number(*lat, name, "summary.latency_ms"); !st)
      return st;
  for (auto name : {"target_rate", "resets"})
    if (s.contains(name))
      if (auto st = require_number(s, name, "summary"); !st)
        return st;
  for (auto name : {"verdict", "report_html"})
    if (s.contains(name) && !s[name].is_string())
      return core::bad_request(std::string{"summary."} + name +
                               ": expected a string");
  return {};
}

core::status check_body(const nlohmann::json& b) {
  if (!b.is_object())
    return core::bad_request("body: expected an object");
  auto id = b.find("run_id");
  if (id == b.end() || !id->is_string() || !valid_run_id(*id))
    return core::bad_request(
      "run_id: expected 1-128 characters of A-Z a-z 0-9 . _ : -");
  auto state = b.find("state");
  if (state == b.end() || !state->is_string() ||
      (*state != "running" && *state != "done"))
    return core::bad_request("state: expected \"running\" or \"done\"");
  auto s = b.find("summary");
  if (s == b.end())
    return core::bad_request("summary: required");
  return check_summary(*s);
}

} // namespace

nlohmann::json loadtest_registry::run_json(const run& r) {
  nlohmann::json report = nullptr;
  if (!r.report_html.empty())
    report = "/v1/admin/loadtests/" + r.run_id + "/report";
  else if (r.summary.contains("report_html"))
    report = r.summary["report_html"];
  return {{"run_id", r.run_id},
          {"state", r.state},
          {"summary", r.summary},
          {"report", report},
          {"started_at", core::format_iso_utc(r.started_at)},
          {"updated_at", core::format_iso_utc(r.updated_at)}};
}

core::result<nlohmann::json>
loadtest_registry::publish(const nlohmann::json& body, core::time_point now) {
  if (auto st = check_body(body); !st)
    return st.err();
  auto summary = body["summary"];
  std::string html;
  if (auto it = summary.find("report_html");
      it != summary.end() && it->get<std::string>().rfind('<', 0) == 0) {
    html = it->get<std::string>();
    summary.erase("report_html");
  }
  std::lock_guard lk{mtx_};
  auto id = body["run_id"].get<std::string>();
  auto it = std::find_if(runs_.begin(), runs_.end(),
                         [&](const run& r) { return r.run_id == id; });
  if (it == runs_.end()) {
    runs_.push_back({id, "", {}, {}, now, now});
    it = std::prev(runs_.end());
  }
  it->state = body["state"];
  it->summary = std::move(summary);
  if (!html.empty())
    it->report_html = std::move(html);
  it->updated_at = now;
  auto out = run_json(*it);
  while (runs_.size() > loadtests_kept)
    runs_.pop_front();
  return out;
}

nlohmann::json loadtest_registry::list() const {
  std::lock_guard lk{mtx_};
  auto runs = nlohmann::json::array();
  for (auto it = runs_.rbegin(); it != runs_.rend(); ++it)
    runs.push_back(run_json(*it));
  return {{"runs", std::move(runs)}};
}

std::optional<std::string>
loadtest_registry::report(const std::string& run_id) const {
  std::lock_guard lk{mtx_};
  for (const auto& r : runs_)
    if (r.run_id == run_id && !r.report_html.empty())
      return r.report_html;
  return std::nullopt;
}

} // namespace switchboard::api
