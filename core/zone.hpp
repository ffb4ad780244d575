#pragma once

// The reset-policy time zone (SPEC 4.5): "local" (the machine's zone, like the
// seed), "UTC", or an IANA name such as "Europe/Berlin", via Howard Hinnant's
// date/tz on the system's zoneinfo.

#include "core/result.hpp"
#include "core/time.hpp"

#include <date/date.h>

#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace switchboard::core {

using local_time = date::local_time<duration>;

class zone {
public:
  /// "local", "UTC" or an IANA name; bad_request naming the zone otherwise
  /// ("reset.timezone: unknown time zone 'X'"). "local" is the machine's zone
  /// (/etc/localtime), or UTC when that cannot be determined.
  static result<zone> make(std::string_view name);
  static zone utc();

  /// The name it was made from ("local", "UTC", "Europe/Berlin").
  const std::string& name() const { return name_; }

  local_time to_local(time_point t) const;

  /// The instant of a local wall-clock time. A time inside a DST gap maps to
  /// the first instant after the gap; an ambiguous time to the earlier one.
  time_point from_local(local_time t) const;

private:
  zone(std::string name, const date::time_zone* tz)
    : name_(std::move(name)), tz_(tz) {}
  std::string name_;
  const date::time_zone* tz_ = nullptr; // nullptr means UTC
};

/// ISO-8601 in UTC with microseconds and 'Z': "2026-11-21T10:15:00.000000Z".
std::string format_iso_utc(time_point t);

/// Parses ISO-8601 with an offset or 'Z'; a time without offset is read in `z`
/// (through from_local). Accepts YYYY-MM-DD, then 'T' (or 't' or a space)
/// HH:MM[:SS[.fraction]] and an optional 'Z', +HH:MM, +HHMM or +HH; a bare
/// date is local midnight. Fractions beyond microseconds are truncated.
/// Malformed text -> bad_request quoting it (callers prefix the field).
result<time_point> parse_iso(std::string_view text, const zone& z);

} // namespace switchboard::core
