#pragma once
// Which sanitizer instruments this build, for the few tests whose bounds
// (memory, time) hold only in a plain build. GCC defines __SANITIZE_*__,
// clang (make test-asan's compiler) answers __has_feature instead.

#if defined(__SANITIZE_ADDRESS__)
#define SWITCHBOARD_UNDER_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__)
#define SWITCHBOARD_UNDER_TSAN 1
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SWITCHBOARD_UNDER_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define SWITCHBOARD_UNDER_TSAN 1
#endif
#endif

namespace switchboard::testing {

#if defined(SWITCHBOARD_UNDER_ASAN)
inline constexpr bool under_address_sanitizer = true;
#else
inline constexpr bool under_address_sanitizer = false;
#endif

#if defined(SWITCHBOARD_UNDER_TSAN)
inline constexpr bool under_thread_sanitizer = true;
#else
inline constexpr bool under_thread_sanitizer = false;
#endif

} // namespace switchboard::testing
