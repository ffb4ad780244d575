#pragma once

// Session ids (SPEC 2): YYYYMMDD_HHMMSS_<8 lowercase hex>, local time in the
// reset-policy zone.

#include "core/zone.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace switchboard::core {

/// Returns 32 random bits. Injectable so tests can force collisions.
using random_source = std::function<std::uint32_t()>;

/// A random_source seeded from std::random_device. Thread-safe: each calling
/// thread draws from its own generator.
random_source default_random_source();

/// "20261121_101500_ab12cd34" for local time `at` (sub-seconds dropped) and
/// one draw of `rnd` as 8 zero-padded lowercase hex digits. Not unique by
/// itself: callers retry with a new draw on conflict (SPEC 2).
std::string make_session_id(local_time at, const random_source& rnd);

/// True when an id from outside is acceptable: ^[0-9A-Za-z_-]{1,64}$
/// (rejects "..", "/", "\", drive letters, empty).
bool valid_session_id(std::string_view id);

} // namespace switchboard::core
