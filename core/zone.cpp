#include "core/zone.hpp"

#include <date/tz.h>

#include <cctype>
#include <exception>
#include <optional>

namespace switchboard::core {

namespace {

/// The machine's zone, or nullptr (UTC) when it cannot be determined.
const date::time_zone* current_zone_or_utc() {
  try {
    return date::current_zone();
  } catch (const std::exception&) {
    return nullptr;
  }
}

} // namespace

result<zone> zone::make(std::string_view name) {
  if (name == "local")
    return zone{"local", current_zone_or_utc()};
  if (name == "UTC")
    return utc();
  try {
    return zone{std::string{name}, date::locate_zone(name)};
  } catch (const std::exception&) {
    return bad_request("reset.timezone: unknown time zone '" +
                       std::string{name} + "'");
  }
}

zone zone::utc() {
  return zone{"UTC", nullptr};
}

local_time zone::to_local(time_point t) const {
  if (tz_ == nullptr)
    return local_time{t.time_since_epoch()};
  return tz_->to_local(t);
}

time_point zone::from_local(local_time t) const {
  if (tz_ == nullptr)
    return time_point{t.time_since_epoch()};
  const auto info = tz_->get_info(t);
  switch (info.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous: // first is the earlier offset period
      return time_point{t.time_since_epoch() - info.first.offset};
    case date::local_info::nonexistent: // the gap ends where `second` begins
      return time_point{info.second.begin};
  }
  return time_point{t.time_since_epoch() - info.first.offset};
}

std::string format_iso_utc(time_point t) {
  return date::format("%FT%TZ", t);
}

// -- parse_iso ---------------------------------------------------------------
//
// Grammar (what Python's isoformat() writes, plus 'Z' and compact offsets):
//   DATE [('T' | 't' | ' ') HH ':' MM [':' SS ['.' FRACTION]] [OFFSET]]
//   DATE   = YYYY '-' MM '-' DD
//   OFFSET = 'Z' | 'z' | ('+' | '-') HH [[':'] MM]
// The fraction has 1-9 digits; digits beyond microseconds are truncated.

namespace {

/// A cursor over the text being parsed.
class iso_reader {
public:
  explicit iso_reader(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_ == text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }

  /// Consumes `c` when it is next.
  bool eat(char c) {
    if (peek() != c)
      return false;
    ++pos_;
    return true;
  }

  /// Reads exactly `n` decimal digits.
  std::optional<int> digits(int n) {
    int value = 0;
    for (int i = 0; i < n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(peek())))
        return std::nullopt;
      value = value * 10 + (text_[pos_++] - '0');
    }
    return value;
  }

  /// Reads 1-9 fraction digits as microseconds (truncating the rest).
  std::optional<int> fraction_micros() {
    int value = 0;
    int count = 0;
    while (std::isdigit(static_cast<unsigned char>(peek())) && count < 9) {
      if (count < 6)
        value = value * 10 + (text_[pos_] - '0');
      ++pos_;
      ++count;
    }
    if (count == 0)
      return std::nullopt;
    for (int i = count; i < 6; ++i)
      value *= 10;
    return value;
  }

private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

std::optional<date::sys_days> read_date(iso_reader& in) {
  const auto y = in.digits(4);
  if (!y || !in.eat('-'))
    return std::nullopt;
  const auto m = in.digits(2);
  if (!m || !in.eat('-'))
    return std::nullopt;
  const auto d = in.digits(2);
  if (!d)
    return std::nullopt;
  const date::year_month_day ymd{date::year{*y},
                                 date::month{static_cast<unsigned>(*m)},
                                 date::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok())
    return std::nullopt;
  return date::sys_days{ymd};
}

/// HH:MM[:SS[.f]] as a duration since midnight.
std::optional<duration> read_time_of_day(iso_reader& in) {
  const auto h = in.digits(2);
  if (!h || *h > 23 || !in.eat(':'))
    return std::nullopt;
  const auto m = in.digits(2);
  if (!m || *m > 59)
    return std::nullopt;
  duration result = std::chrono::hours{*h} + std::chrono::minutes{*m};
  if (!in.eat(':'))
    return result;
  const auto s = in.digits(2);
  if (!s || *s > 59)
    return std::nullopt;
  result += std::chrono::seconds{*s};
  if (!in.eat('.'))
    return result;
  const auto micros = in.fraction_micros();
  if (!micros)
    return std::nullopt;
  return result + duration{*micros};
}

/// The outcome of reading an offset: `ok` false when malformed; `offset`
/// empty for a naive time (nothing left to read).
struct offset_parse {
  bool ok = true;
  std::optional<duration> offset;
};

offset_parse read_offset(iso_reader& in) {
  if (in.at_end())
    return {};
  if (in.eat('Z') || in.eat('z'))
    return {true, duration{0}};
  const int sign = in.eat('+') ? 1 : (in.eat('-') ? -1 : 0);
  const auto h = sign == 0 ? std::nullopt : in.digits(2);
  if (!h || *h > 23)
    return {false, std::nullopt};
  if (in.at_end())
    return {true, sign * duration{std::chrono::hours{*h}}};
  in.eat(':');
  const auto m = in.digits(2);
  if (!m || *m > 59)
    return {false, std::nullopt};
  return {true,
          sign * duration{std::chrono::hours{*h} + std::chrono::minutes{*m}}};
}

} // namespace

result<time_point> parse_iso(std::string_view text, const zone& z) {
  const auto invalid = [&] {
    return bad_request("expected an ISO-8601 time such as "
                       "2026-11-22T04:00:00Z, got '" +
                       std::string{text} + "'");
  };
  iso_reader in{text};
  const auto day = read_date(in);
  if (!day)
    return invalid();
  if (in.at_end()) // a bare date is midnight, like Python's fromisoformat
    return z.from_local(local_time{day->time_since_epoch()});
  if (!(in.eat('T') || in.eat('t') || in.eat(' ')))
    return invalid();
  const auto time_of_day = read_time_of_day(in);
  if (!time_of_day)
    return invalid();
  const auto off = read_offset(in);
  if (!off.ok || !in.at_end())
    return invalid();
  const duration wall = day->time_since_epoch() + *time_of_day;
  if (off.offset)
    return time_point{wall - *off.offset};
  return z.from_local(local_time{wall});
}

} // namespace switchboard::core
