#pragma once

// Reset policies, their lookup and evaluation (SPEC 4, seed 000).

#include "core/result.hpp"
#include "core/source.hpp"
#include "core/time.hpp"
#include "core/zone.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::core {

enum class reset_mode { daily, idle, both, none };
/// Why a session ended by expiry. `manual`: an operator expired it before
/// its policy said so (POST /v1/sessions/KEY/expire); evaluate() never
/// returns it.
enum class reset_reason { none, idle, daily, manual };

std::string_view to_string(reset_mode m);
std::optional<reset_mode> parse_reset_mode(std::string_view s);
/// "idle", "daily", "manual"; "none" for reset_reason::none.
std::string_view to_string(reset_reason r);
/// Inverse of to_string(reset_reason): "none", "idle", "daily", "manual".
std::optional<reset_reason> parse_reset_reason(std::string_view s);

struct reset_policy {
  reset_mode mode = reset_mode::both;
  int at_hour = 4;         // 0..23
  int idle_minutes = 1440; // > 0
  /// SPEC 4.6: a due daily reset waits for a quiet gap this long (0: the
  /// seed's rule, reset at once). 0..1440.
  int defer_daily_minutes = 0;

  friend bool operator==(const reset_policy&, const reset_policy&) = default;
};

/// The policies by level. Keys: by_platform_type "telegram/group",
/// by_platform "telegram", by_type "group" / "thread".
struct policy_table {
  reset_policy default_policy;
  std::map<std::string, reset_policy, std::less<>> by_platform_type;
  std::map<std::string, reset_policy, std::less<>> by_platform;
  std::map<std::string, reset_policy, std::less<>> by_type;

  /// by_platform_type["<platform>/<chat_type>"] -> by_platform[platform] ->
  /// by_type["thread"] if has_thread -> by_type[chat_type] -> default.
  /// The first hit replaces the whole policy.
  const reset_policy& lookup(std::string_view platform, chat_type type,
                             bool has_thread) const;
};

/// The daily boundary at `now`: today at at_hour:00:00 local time, or
/// yesterday's when now's local hour < at_hour. A boundary inside a DST gap
/// moves to the first instant after it.
time_point daily_boundary(time_point now, int at_hour, const zone& z);

/// Whether a session last active at `updated_at` resets at `now`:
/// busy (busy_until > now) -> none; mode none -> none; idle checked before
/// daily, both strict (now > updated_at + idle; updated_at < boundary).
/// With defer_daily_minutes > 0: evaluate_deferred for an entry that owes
/// nothing yet.
reset_reason evaluate(const reset_policy& p, time_point updated_at,
                      time_point now, std::optional<time_point> busy_until,
                      const zone& z);

/// What evaluate_deferred knows of an entry.
struct reset_state {
  time_point updated_at;
  std::optional<time_point> busy_until;
  /// A daily reset came due and was deferred (SPEC 4.6); persisted on the
  /// entry so that later messages postpone it but never cancel it.
  bool daily_owed = false;
};

/// The outcome of evaluate_deferred: the reset to do now, and whether the
/// entry owes a daily reset afterwards (meaningful when reason is none).
struct reset_verdict {
  reset_reason reason = reset_reason::none;
  bool daily_owed = false;

  friend bool operator==(const reset_verdict&, const reset_verdict&) = default;
};

/// SPEC 4 with rule 6. Busy -> none (the debt is kept); mode none -> none
/// (kept); idle as evaluate(). Daily is due when the entry owes one or
/// updated_at < boundary; with defer_daily_minutes D > 0 a due daily reset
/// happens only once now >= updated_at + D (a quiet gap of D), otherwise the
/// verdict is none with daily_owed = true. A mode without daily clears the
/// debt. With D = 0 this is evaluate() (an owed reset happens at once).
reset_verdict evaluate_deferred(const reset_policy& p, const reset_state& s,
                                time_point now, const zone& z);

/// The busy_until to store when a session is marked busy at `now` (SPEC 4.1:
/// a busy mark lasts at most `busy_max_hours`). No ttl, a non-finite ttl or
/// one longer than the maximum -> now + busy_max_hours; a ttl <= 0 -> now
/// (i.e. not busy).
time_point clamp_busy_until(time_point now, std::optional<double> ttl_seconds,
                            int busy_max_hours);

} // namespace switchboard::core
