// Overload of the real `switchboard serve` (issue 7, item 6): small limits
// (api.max_in_flight 8, writer.max_queue 16 from a --config file) and a
// flood from 32 keep-alive clients, far above capacity. Every response must
// be 200 or 503 with Retry-After and the error shape (batch: 200 with
// per-item results or errors, or 503 for the whole batch), never anything
// else; the server's resident memory (VmRSS, sampled during the flood) stays
// under a generous bound of 512 MiB; every acknowledged message is durable
// (checked in the file after a SIGKILL and a restart); and once the flood
// stops a normal request succeeds.

#include "tests/support/reliability_util.hpp"
#include "tests/support/sanitizers.hpp"
#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace switchboard::testing {
namespace {

using json = nlohmann::json;

constexpr int clients = 32;
constexpr int requests_per_client = 60;
constexpr std::int64_t rss_bound_kib = 512 * 1024;
// Under AddressSanitizer the server's RSS is mostly the sanitizer's own
// (shadow memory, a 256 MiB quarantine of freed blocks): about 650 MiB for
// a flood the plain build serves in 30 MiB. The bound is checked in the
// plain build (`make test`, also in CI); here only printed.
constexpr bool rss_bound_checked = !under_address_sanitizer;

struct flood_log {
  std::mutex mtx;
  std::vector<std::string> acked; // message contents
  std::map<long, int> statuses;
  std::vector<std::string> unexpected;
  int item_errors = 0;

  void bad(const std::string& what) {
    std::lock_guard lock{mtx};
    if (unexpected.size() < 20)
      unexpected.push_back(what);
  }
};

bool is_overloaded_503(const full_response& r) {
  auto j = json::parse(r.body, nullptr, false);
  return r.status == 503 && has_error_shape(r.body) &&
         j["error"]["code"] == "overloaded" &&
         r.headers.find("retry-after:") != std::string::npos;
}

void check_single(const full_response& r, const std::string& content,
                  flood_log& log) {
  if (r.status == 200) {
    std::lock_guard lock{log.mtx};
    log.acked.push_back(content);
  } else if (!is_overloaded_503(r)) {
    log.bad("single " + std::to_string(r.status) + " " + r.headers + r.body);
  }
}

void check_batch(const full_response& r, const std::vector<std::string>& sent,
                 flood_log& log) {
  if (r.status != 200) {
    if (!is_overloaded_503(r))
      log.bad("batch " + std::to_string(r.status) + " " + r.body);
    return;
  }
  auto results = json::parse(r.body, nullptr, false)["results"];
  if (!results.is_array() || results.size() != sent.size())
    return log.bad("batch results " + r.body.substr(0, 300));
  std::lock_guard lock{log.mtx};
  for (size_t i = 0; i < sent.size(); ++i) {
    if (results[i].contains("error")) {
      ++log.item_errors;
      if (results[i]["error"]["code"] != "overloaded" &&
          log.unexpected.size() < 20)
        log.unexpected.push_back("item " + results[i].dump());
    } else if (results[i].contains("session_id")) {
      log.acked.push_back(sent[i]);
    } else if (log.unexpected.size() < 20) {
      log.unexpected.push_back("item " + results[i].dump());
    }
  }
}

json route_item(const std::string& chat, const std::string& text) {
  return json::parse(route_body(chat, text));
}

void flood(const std::string& url, int worker, flood_log& log) {
  keep_alive_client c;
  for (int seq = 0; seq < requests_per_client; ++seq) {
    auto chat =
      "o" + std::to_string(worker % 16) + "c" + std::to_string(seq % 4);
    // ~4 KiB per message, so queued work shows in the resident memory.
    auto base = "ov" + std::to_string(worker) + "x" + std::to_string(seq) +
                " " + std::string(4000, 'p');
    full_response r;
    if (seq % 10 == 9) {
      json items = json::array();
      std::vector<std::string> sent;
      for (int i = 0; i < 20; ++i) {
        sent.push_back(std::to_string(i) + base);
        items.push_back(route_item(chat, sent.back()));
      }
      r = c.request("POST", url + "/v1/messages:batch",
                    json{{"items", items}}.dump());
      check_batch(r, sent, log);
    } else {
      r = c.request("POST", url + "/v1/messages", route_body(chat, base));
      check_single(r, base, log);
    }
    std::lock_guard lock{log.mtx};
    ++log.statuses[r.status];
  }
}

TEST(OverloadTest, FloodGets200Or503AndLosesNothing) {
  auto dir = make_temp_dir();
  write_file(dir + "/config.json",
             R"({"api": {"max_in_flight": 8}, "writer": {"max_queue": 16}})");
  std::vector<std::string> args{"--data-dir", dir + "/data", "--config",
                                dir + "/config.json"};
  flood_log log;
  std::int64_t max_rss = 0;
  {
    server_process s(args);
    ASSERT_FALSE(s.url().empty()) << s.line();
    std::atomic<bool> done{false};
    std::thread sampler([&] {
      while (!done) {
        max_rss = std::max(max_rss, rss_kib(s.pid()));
        std::this_thread::sleep_for(
          std::chrono::milliseconds{5}); // sampling period
      }
    });
    std::vector<std::thread> workers;
    for (int w = 0; w < clients; ++w)
      workers.emplace_back(flood, s.url(), w, std::ref(log));
    for (auto& t : workers)
      t.join();
    done = true;
    sampler.join();

    keep_alive_client c;
    EXPECT_EQ(c.request("GET", s.url() + "/healthz").status, 200);
    auto after = c.request("POST", s.url() + "/v1/messages",
                           route_body("calm", "after the flood"));
    EXPECT_EQ(after.status, 200) << after.body;
    if (after.status == 200)
      log.acked.push_back("after the flood");
    EXPECT_EQ(s.stop(SIGKILL), 128 + SIGKILL);
  }
  for (const auto& u : log.unexpected)
    ADD_FAILURE() << "unexpected: " << u.substr(0, 400);
  for (const auto& [status, n] : log.statuses)
    EXPECT_TRUE(status == 200 || status == 503) << n << " x status " << status;
  EXPECT_GT(log.statuses[503] + log.item_errors, 0)
    << "the flood never hit the limits";
  EXPECT_GT(max_rss, 0);
  if (rss_bound_checked) {
    EXPECT_LT(max_rss, rss_bound_kib) << "VmRSS " << max_rss << " KiB";
  }
  std::printf("[ overload ] 200: %d, 503: %d, batch item errors: %d, acked "
              "messages: %zu, max VmRSS: %lld KiB\n",
              log.statuses[200], log.statuses[503], log.item_errors,
              log.acked.size(), static_cast<long long>(max_rss));

  server_process again(args); // recovers the WAL after the SIGKILL
  ASSERT_FALSE(again.url().empty()) << again.line();
  EXPECT_EQ(again.stop(SIGTERM), 0);
  std::set<std::string> stored;
  for (const auto& row :
       sqlite_rows(dir + "/data/state.db", "SELECT content FROM messages"))
    stored.insert(row[0].get<std::string>());
  size_t lost = 0;
  for (const auto& content : log.acked)
    lost += stored.count(content) ? 0 : 1;
  EXPECT_EQ(lost, 0u) << "acknowledged messages missing after restart";
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

} // namespace
} // namespace switchboard::testing
