// api/event_log: ids, the resume ring, events_lost, filters, opt-in types.

#include "api/event_log.hpp"

#include <gtest/gtest.h>

namespace switchboard::api {
namespace {

std::vector<std::uint64_t> ids(const std::vector<logged_event>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& e : events)
    out.push_back(e.id);
  return out;
}

nlohmann::json keyed(const std::string& key) {
  return {{"session_key", key}};
}

TEST(EventLogTest, IdsIncreaseAndLiveEventsReachAttachedQueues) {
  event_log log{8};
  auto q = log.attach({}, std::nullopt);
  EXPECT_EQ(log.append("session_created", keyed("a")), 1u);
  EXPECT_EQ(log.append("session_reset", keyed("a")), 2u);
  auto got = q->drain();
  EXPECT_EQ(ids(got), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(format_sse(got[0]),
            "id: 1\nevent: session_created\ndata: {\"session_key\":\"a\"}\n\n");
}

TEST(EventLogTest, ResumeReplaysExactlyTheEventsAfterTheId) {
  event_log log{8};
  for (int i = 0; i < 5; ++i)
    log.append("session_created", keyed("k"));
  auto q = log.attach({}, 3);
  log.append("session_created", keyed("k"));
  EXPECT_EQ(ids(q->drain()), (std::vector<std::uint64_t>{4, 5, 6}));
  auto up_to_date = log.attach({}, 6);
  EXPECT_TRUE(up_to_date->drain().empty());
}

TEST(EventLogTest, EventsLostWhenTheIdLeftTheRing) {
  event_log log{4};
  for (int i = 0; i < 10; ++i)
    log.append("session_created", keyed("k"));
  auto q = log.attach({}, 2);
  auto got = q->drain();
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].type, "events_lost");
  EXPECT_EQ(got[0].id, 6u);
  EXPECT_EQ(nlohmann::json::parse(got[0].data),
            (nlohmann::json{{"after", 2}, {"oldest", 7}}));
  EXPECT_EQ(got[1].id, 7u);
  EXPECT_EQ(got[4].id, 10u);
  // Exactly the oldest minus one is no loss.
  EXPECT_EQ(log.attach({}, 6)->drain().front().id, 7u);
}

TEST(EventLogTest, AnIdFromTheFutureIsALoss) {
  event_log log{4};
  log.append("session_created", keyed("k"));
  auto got = log.attach({}, 50)->drain();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].type, "events_lost");
}

TEST(EventLogTest, TypeAndKeyFilters) {
  event_log log{16};
  auto f = event_filter::parse({"session_expired"}, std::string{"b"});
  ASSERT_TRUE(f.ok());
  auto q = log.attach(f.value(), std::nullopt);
  log.append("session_expired", keyed("a"));
  log.append("session_created", keyed("b"));
  log.append("session_expired", keyed("b"));
  auto got = q->drain();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, 3u);
  auto bad = event_filter::parse({"nope"}, std::nullopt);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.err().message, "query.types: unknown event type 'nope'");
}

TEST(EventLogTest, OptInTypesOnlyWhenNamedAndOnlyRecordedWhenWanted) {
  event_log log{16};
  auto t0 = event_log::clock::now();
  EXPECT_FALSE(log.recording("message_appended", t0));
  EXPECT_TRUE(log.recording("session_created", t0));
  auto plain = log.attach({}, std::nullopt);
  auto f = event_filter::parse({"message_appended"}, std::nullopt);
  auto opted = log.attach(f.value(), std::nullopt);
  EXPECT_TRUE(log.recording("message_appended", t0));
  log.append("message_appended", keyed("k"));
  EXPECT_TRUE(plain->drain().empty());
  EXPECT_EQ(opted->drain().size(), 1u);
  log.detach(opted, t0);
  EXPECT_TRUE(log.recording("message_appended", t0 + opt_in_grace / 2));
  EXPECT_FALSE(log.recording("message_appended", t0 + opt_in_grace));
}

TEST(EventLogTest, StatsAreNotReplayed) {
  event_log log{8};
  log.append("session_created", keyed("k"));
  auto f = event_filter::parse({"stats", "session_created"}, std::nullopt);
  log.append("stats", {{"x", 1}});
  log.append("session_created", keyed("k"));
  EXPECT_EQ(ids(log.attach(f.value(), 0)->drain()),
            (std::vector<std::uint64_t>{1, 3}));
}

TEST(EventLogTest, ASlowQueueIsClosedNotGrown) {
  event_log log{4};
  auto q = log.attach({}, std::nullopt);
  for (std::size_t i = 0; i <= stream_queue_capacity; ++i)
    log.append("session_created", keyed("k"));
  EXPECT_TRUE(q->closed());
  EXPECT_EQ(q->drain().size(), stream_queue_capacity);
}

} // namespace
} // namespace switchboard::api
