#include "core/session_id.hpp"

#include <date/date.h>

#include <algorithm>
#include <array>
#include <random>

namespace switchboard::core {

namespace {

constexpr std::size_t max_session_id_bytes = 64;

/// Eight lowercase hex digits, zero-padded.
std::string hex8(std::uint32_t v) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i, v >>= 4)
    out[static_cast<std::size_t>(i)] = digits[v & 0xF];
  return out;
}

bool id_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
         (c >= 'a' && c <= 'z') || c == '_' || c == '-';
}

} // namespace

random_source default_random_source() {
  // One generator per thread: the returned function may be called from any
  // thread without locking.
  return [] {
    thread_local std::mt19937 gen = [] {
      std::random_device rd;
      std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
      return std::mt19937{seq};
    }();
    return static_cast<std::uint32_t>(gen());
  };
}

std::string make_session_id(local_time at, const random_source& rnd) {
  auto seconds = date::floor<std::chrono::seconds>(at);
  return date::format("%Y%m%d_%H%M%S", seconds) + "_" + hex8(rnd());
}

bool valid_session_id(std::string_view id) {
  return !id.empty() && id.size() <= max_session_id_bytes &&
         std::all_of(id.begin(), id.end(), id_char);
}

} // namespace switchboard::core
