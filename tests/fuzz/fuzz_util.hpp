#pragma once

// Helpers shared by the libFuzzer targets: an invariant check that aborts
// (so libFuzzer records the input as a crash) and input conversions.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace switchboard::fuzz {

/// Aborts with `what` (and `detail`) when `ok` is false: a broken invariant
/// is a finding, like a crash.
inline void check(bool ok, const char* what, std::string_view detail = {}) {
  if (ok)
    return;
  std::fprintf(stderr, "fuzz invariant failed: %s\n  detail: %.*s\n", what,
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

/// The fuzzer's bytes as text (any bytes, not necessarily UTF-8).
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// The input parsed as JSON; a discarded value when it is not JSON.
inline nlohmann::json as_json(const std::uint8_t* data, std::size_t size) {
  return nlohmann::json::parse(as_text(data, size), nullptr, false);
}

/// j.dump() must not throw (it does on invalid UTF-8 in a string): our
/// outputs are written to clients and files this way.
inline std::string dump_or_abort(const nlohmann::json& j, const char* what) {
  try {
    return j.dump();
  } catch (const std::exception& e) {
    check(false, what, e.what());
  }
  return {};
}

} // namespace switchboard::fuzz
