#include "loadgen/publish.hpp"

#include "loadgen/http_request.hpp"
#include "loadgen/report.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>

namespace switchboard::loadgen {

std::string make_run_id() {
  auto now =
    std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  char hex[8];
  std::snprintf(hex, sizeof hex, "%06x",
                static_cast<unsigned>(std::random_device{}() & 0xffffffu));
  return std::string{"lg-"} + stamp + "-" + hex;
}

publisher::publisher(publish_options o, const run_result& run)
  : opts_(std::move(o)), run_(run) {
  if (opts_.run_id.empty())
    opts_.run_id = make_run_id();
  thread_ = std::thread([this] { loop(); });
}

publisher::~publisher() {
  stop();
}

void publisher::stop() {
  {
    std::lock_guard lock{mtx_};
    stopped_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void publisher::finish(nlohmann::json summary, const std::string& verdict) {
  stop();
  summary["verdict"] = verdict;
  if (!opts_.report_html.empty())
    summary["report_html"] = opts_.report_html;
  post("done", std::move(summary));
}

int publisher::failures() const {
  std::lock_guard lock{mtx_};
  return failures_;
}

void publisher::loop() {
  std::unique_lock lock{mtx_};
  while (
    !cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopped_; })) {
    lock.unlock();
    post("running", live_summary(run_));
    lock.lock();
  }
}

void publisher::post(const std::string& state, nlohmann::json summary) {
  if (opts_.target_rate > 0)
    summary["target_rate"] = opts_.target_rate;
  nlohmann::json body = {{"run_id", opts_.run_id},
                         {"state", state},
                         {"summary", std::move(summary)}};
  auto url = opts_.url + "/v1/admin/loadtests";
  auto r = http_call("POST", url, body.dump(), opts_.token);
  if (r && r->status >= 200 && r->status <= 299)
    return;
  std::lock_guard lock{mtx_};
  if (failures_++ > 0)
    return;
  std::string why = r ? "HTTP " + std::to_string(r->status) : r.err().message;
  std::fprintf(stderr,
               "loadgen: warning: cannot publish to %s (%s)%s; the run goes "
               "on without publishing\n",
               url.c_str(), why.c_str(),
               r && r->status == 404 ? ": the server is older than --publish"
                                     : "");
}

} // namespace switchboard::loadgen
