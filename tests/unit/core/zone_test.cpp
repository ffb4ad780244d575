#include "core/zone.hpp"
#include "tests/unit/core/test_time.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace {

using namespace std::chrono_literals;
using namespace switchboard::core;
using date::days;
using switchboard::core::test_time::make_zone;
using switchboard::core::test_time::utc;

/// A local wall-clock time.
local_time wall(int y, unsigned m, unsigned d, int hh = 0, int mm = 0,
                int ss = 0) {
  return local_time{date::local_days{date::year{y} / m / d}} +
         std::chrono::hours{hh} + std::chrono::minutes{mm} +
         std::chrono::seconds{ss};
}

TEST(ZoneTest, UtcIsIdentity) {
  const auto z = make_zone("UTC");
  EXPECT_EQ(z.name(), "UTC");
  const auto t = utc(2026, 3, 8, 7, 30, 0, 12);
  EXPECT_EQ(z.to_local(t).time_since_epoch(), t.time_since_epoch());
  EXPECT_EQ(z.from_local(z.to_local(t)), t);
  EXPECT_EQ(zone::utc().name(), "UTC");
}

TEST(ZoneTest, LocalKeepsItsNameAndRoundTrips) {
  const auto z = make_zone("local");
  EXPECT_EQ(z.name(), "local");
  const auto t = utc(2026, 6, 1, 12);
  EXPECT_EQ(z.from_local(z.to_local(t)), t);
}

TEST(ZoneTest, IanaZoneAppliesItsOffset) {
  const auto z = make_zone("Europe/Berlin");
  EXPECT_EQ(z.name(), "Europe/Berlin");
  // Winter: UTC+1; summer: UTC+2.
  EXPECT_EQ(z.to_local(utc(2026, 1, 15, 10)), wall(2026, 1, 15, 11));
  EXPECT_EQ(z.to_local(utc(2026, 7, 15, 10)), wall(2026, 7, 15, 12));
  EXPECT_EQ(z.from_local(wall(2026, 7, 15, 12)), utc(2026, 7, 15, 10));
}

TEST(ZoneTest, UnknownZoneIsBadRequestNamingIt) {
  const auto z = zone::make("Mars/Olympus_Mons");
  ASSERT_FALSE(z.ok());
  EXPECT_EQ(z.err().code, errc::bad_request);
  EXPECT_EQ(z.err().message,
            "reset.timezone: unknown time zone 'Mars/Olympus_Mons'");
  EXPECT_FALSE(zone::make("").ok());
}

TEST(ZoneTest, GapMapsToFirstInstantAfterIt) {
  // New York 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00 UTC).
  const auto z = make_zone("America/New_York");
  EXPECT_EQ(z.from_local(wall(2026, 3, 8, 2, 0)), utc(2026, 3, 8, 7));
  EXPECT_EQ(z.from_local(wall(2026, 3, 8, 2, 30)), utc(2026, 3, 8, 7));
  EXPECT_EQ(z.from_local(wall(2026, 3, 8, 3, 0)), utc(2026, 3, 8, 7));
  EXPECT_EQ(z.from_local(wall(2026, 3, 8, 1, 59, 59)),
            utc(2026, 3, 8, 6, 59, 59));
}

TEST(ZoneTest, AmbiguousMapsToEarlierInstant) {
  // New York 2026-11-01: 01:00-02:00 happens twice (EDT, then EST).
  const auto z = make_zone("America/New_York");
  EXPECT_EQ(z.from_local(wall(2026, 11, 1, 1, 30)), utc(2026, 11, 1, 5, 30));
  // Berlin 2026-10-25: 02:00-03:00 twice (CEST, then CET).
  const auto b = make_zone("Europe/Berlin");
  EXPECT_EQ(b.from_local(wall(2026, 10, 25, 2, 30)), utc(2026, 10, 25, 0, 30));
}

TEST(ZoneTest, FormatIsoUtcHasMicrosecondsAndZ) {
  EXPECT_EQ(format_iso_utc(utc(2026, 11, 21, 10, 15)),
            "2026-11-21T10:15:00.000000Z");
  EXPECT_EQ(format_iso_utc(utc(2026, 11, 21, 10, 15, 7, 123456)),
            "2026-11-21T10:15:07.123456Z");
}

TEST(ZoneTest, ParseIsoWithZ) {
  const auto t = parse_iso("2026-11-22T04:00:00Z", zone::utc());
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, utc(2026, 11, 22, 4));
  // The zone does not matter when the text carries its offset.
  const auto b = parse_iso("2026-11-22T04:00:00Z", make_zone("Europe/Berlin"));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, utc(2026, 11, 22, 4));
}

TEST(ZoneTest, ParseIsoWithOffsets) {
  const auto z = zone::utc();
  EXPECT_EQ(*parse_iso("2026-11-22T05:00:00+01:00", z), utc(2026, 11, 22, 4));
  EXPECT_EQ(*parse_iso("2026-11-22T05:00:00+0100", z), utc(2026, 11, 22, 4));
  EXPECT_EQ(*parse_iso("2026-11-22T05:00:00+01", z), utc(2026, 11, 22, 4));
  EXPECT_EQ(*parse_iso("2026-11-21T23:30:00-04:30", z), utc(2026, 11, 22, 4));
  EXPECT_EQ(*parse_iso("2026-11-22T04:00:00+00:00", z), utc(2026, 11, 22, 4));
}

TEST(ZoneTest, ParseIsoFractionalSeconds) {
  const auto z = zone::utc();
  EXPECT_EQ(*parse_iso("2026-11-22T04:00:00.5Z", z),
            utc(2026, 11, 22, 4, 0, 0, 500000));
  EXPECT_EQ(*parse_iso("2026-11-22T04:00:00.123456Z", z),
            utc(2026, 11, 22, 4, 0, 0, 123456));
  EXPECT_EQ(*parse_iso("2026-11-22T04:00:00.123456789Z", z),
            utc(2026, 11, 22, 4, 0, 0, 123456));
  EXPECT_EQ(*parse_iso("2026-03-25T15:15:37.000001", z),
            utc(2026, 3, 25, 15, 15, 37, 1));
}

TEST(ZoneTest, ParseIsoNaiveIsReadInTheZone) {
  const auto b = make_zone("Europe/Berlin");
  EXPECT_EQ(*parse_iso("2026-07-15T12:00:00", b), utc(2026, 7, 15, 10));
  EXPECT_EQ(*parse_iso("2026-07-15T12:00:00", zone::utc()),
            utc(2026, 7, 15, 12));
  // Python isoformat() omits seconds only with timespec; minutes alone and a
  // space separator are still accepted, as fromisoformat does.
  EXPECT_EQ(*parse_iso("2026-07-15 12:00", b), utc(2026, 7, 15, 10));
  EXPECT_EQ(*parse_iso("2026-07-15", zone::utc()), utc(2026, 7, 15));
  // A naive time inside a gap follows from_local.
  EXPECT_EQ(*parse_iso("2026-03-08T02:30:00", make_zone("America/New_York")),
            utc(2026, 3, 8, 7));
}

TEST(ZoneTest, ParseIsoRoundTripsFormat) {
  const auto t = utc(2026, 11, 21, 10, 15, 7, 42);
  EXPECT_EQ(*parse_iso(format_iso_utc(t), make_zone("Asia/Tokyo")), t);
}

TEST(ZoneTest, ParseIsoRejectsMalformed) {
  const auto z = zone::utc();
  for (const char* bad :
       {"", "yesterday", "2026-11-22T", "2026-11-22T4:00:00Z",
        "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-22T24:00:00Z",
        "2026-11-22T04:60:00Z", "2026-11-22T04:00:61Z", "2026-11-22T04:00:00.Z",
        "2026-11-22T04:00:00+1", "2026-11-22T04:00:00+01:0",
        "2026-11-22T04:00:00Zjunk", "2026-11-22T04:00:00 ", "2026/11/22",
        "2026-11-22Z", "2026-11-22X04:00:00", "26-11-22T04:00:00Z"}) {
    const auto t = parse_iso(bad, z);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.err().code, errc::bad_request);
    EXPECT_NE(t.err().message.find(bad), std::string::npos);
  }
}

} // namespace
