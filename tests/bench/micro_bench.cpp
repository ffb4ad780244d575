// Micro-benchmarks of switchboard's pure hot paths (Google Benchmark): key
// building, reset policy evaluation, strict source JSON decoding, the FTS
// query sanitizer and the title sanitizer.

#include "core/fts_query.hpp"
#include "core/reset_policy.hpp"
#include "core/session_key.hpp"
#include "core/source.hpp"
#include "core/title.hpp"
#include "core/zone.hpp"

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

namespace core = switchboard::core;

namespace {

core::source group_source() {
  core::source s;
  s.platform = "telegram";
  s.type = core::chat_type::group;
  s.chat_id = "-1001234567890";
  s.chat_name = "Weekend plans";
  s.user_id = "42";
  s.user_name = "Ana";
  s.thread_id = "17";
  return s;
}

void BM_BuildSessionKey(benchmark::State& state) {
  auto s = group_source();
  core::key_settings cfg;
  for (auto _ : state)
    benchmark::DoNotOptimize(core::build_session_key(s, cfg));
}
BENCHMARK(BM_BuildSessionKey);

void BM_PolicyLookupAndEvaluate(benchmark::State& state) {
  core::policy_table table;
  table.by_type["group"] = {core::reset_mode::idle, 4, 120};
  table.by_platform_type["telegram/thread"] = {core::reset_mode::daily, 6,
                                               1440};
  auto z = core::zone::utc();
  core::time_point now{std::chrono::hours(24 * 20000)};
  auto updated = now - std::chrono::hours(3);
  for (auto _ : state) {
    const auto& p = table.lookup("telegram", core::chat_type::group, false);
    benchmark::DoNotOptimize(core::evaluate(p, updated, now, std::nullopt, z));
  }
}
BENCHMARK(BM_PolicyLookupAndEvaluate);

void BM_DecodeSourceJson(benchmark::State& state) {
  auto text = core::encode_source(group_source()).dump();
  for (auto _ : state) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    auto s = core::decode_source(j);
    benchmark::DoNotOptimize(s.ok());
  }
}
BENCHMARK(BM_DecodeSourceJson);

void BM_SanitizeSearchQuery(benchmark::State& state) {
  std::string q = "\"weekend plans\" AND (hotel OR flight*) -cancelled "
                  "NEAR(train ticket) ^boost: col:value \"unbalanced";
  for (auto _ : state)
    benchmark::DoNotOptimize(core::sanitize_fts_query(q));
}
BENCHMARK(BM_SanitizeSearchQuery);

void BM_SanitizeTitle(benchmark::State& state) {
  std::string t = "  Trip\tplanning \u200bfor  the\n weekend \u2028 with "
                  "friends #2  ";
  for (auto _ : state) {
    auto r = core::sanitize_title(t);
    benchmark::DoNotOptimize(r.ok());
  }
}
BENCHMARK(BM_SanitizeTitle);

} // namespace

BENCHMARK_MAIN();
