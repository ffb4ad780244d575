#include "cluster/membership.hpp"

#include "cluster/kv.hpp"

#include "tests/cluster/cluster_test_util.hpp"

#include <thread>

namespace switchboard::cluster {
namespace {

using namespace std::chrono_literals;
using testing::connect_or_fail;
using testing::nats_servers;

bool listed(const std::vector<member>& members, const std::string& id) {
  for (const auto& m : members)
    if (m.node_id == id)
      return true;
  return false;
}

TEST(MembershipTest, NodeIdsAreKvAndSubjectSafe) {
  EXPECT_TRUE(check_node_id("node-1_A", "--node-id"));
  for (const char* bad : {"", "a.b", "a b", "a*", "a>", "n/1", "é"}) {
    auto s = check_node_id(bad, "--node-id");
    ASSERT_FALSE(s) << bad;
    EXPECT_EQ(s.err().message, "--node-id must be 1 to 64 characters of A-Z, "
                               "a-z, 0-9, '_' and '-'");
  }
  EXPECT_FALSE(check_node_id(std::string(65, 'a'), "--node-id"));
}

TEST(MembershipTest, OpeningWithoutInitSaysSo) {
  nats_servers servers(1);
  ASSERT_EQ(servers.error(), "");
  auto c = connect_or_fail(servers.url_list());
  ASSERT_TRUE(c);
  auto m = membership::open(*c);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.err().code, core::errc::not_found);
  EXPECT_NE(m.err().message.find("run switchboard cluster init"),
            std::string::npos);
}

TEST(MembershipTest, PutMembersAreListedInIdOrder) {
  nats_servers servers(1);
  ASSERT_EQ(servers.error(), "");
  auto c = connect_or_fail(servers.url_list());
  ASSERT_TRUE(c);
  auto m = membership::create(*c, 60, 1);
  ASSERT_TRUE(m) << m.err().message;
  ASSERT_TRUE(membership::create(*c, 60, 1)); // same config: found
  EXPECT_TRUE(m->list()->empty());
  member b{"node-b", "http://127.0.0.1:2", "2026-11-30T10:00:00.000000Z"};
  member a{"node-a", "http://127.0.0.1:1", "2026-11-30T10:00:01.000000Z"};
  ASSERT_TRUE(m->put(b));
  ASSERT_TRUE(m->put(a));
  auto live = m->list();
  ASSERT_TRUE(live) << live.err().message;
  EXPECT_EQ(*live, (std::vector<member>{a, b}));
  a.last_seen = "2026-11-30T10:00:02.000000Z";
  ASSERT_TRUE(m->put(a)); // a refresh replaces the value
  EXPECT_EQ(m->list()->front(), a);
  auto other = membership::open(*c);
  ASSERT_TRUE(other) << other.err().message;
  EXPECT_EQ(other->list()->size(), 2u);
}

TEST(MembershipTest, TheAppliedSequencesTravelWithTheMember) {
  nats_servers servers(1);
  ASSERT_EQ(servers.error(), "");
  auto c = connect_or_fail(servers.url_list());
  ASSERT_TRUE(c);
  auto m = membership::create(*c, 60, 1);
  ASSERT_TRUE(m) << m.err().message;
  member a{"node-a",
           "http://127.0.0.1:1",
           "2026-11-30T10:00:01.000000Z",
           {{0, 17}, {15, 1}, {99, 123456789012}}};
  ASSERT_TRUE(m->put(a));
  EXPECT_EQ(m->list()->front(), a);
  EXPECT_EQ(**m->find("node-a"), a);
  // A malformed map costs the map, not the membership.
  auto kv = find_bucket(*c, member_bucket);
  ASSERT_TRUE(kv && *kv);
  for (const char* applied :
       {R"({"x": 1})", R"({"100": 1})", R"({"-1": 1})", R"({"3": -1})",
        R"({"3": "1"})", R"([1])", R"({"3 ": 1})"}) {
    ASSERT_TRUE(kv_put(kv->get(), "node-b",
                       std::string(R"({"node_id": "node-b", "applied": )") +
                         applied + "}"));
    auto b = m->find("node-b");
    ASSERT_TRUE(b && *b) << applied;
    EXPECT_TRUE((*b)->applied.empty()) << applied;
  }
}

TEST(MembershipTest, ARemovedMemberIsNotListedAndCanRejoin) {
  nats_servers servers(1);
  auto c = connect_or_fail(servers.url_list());
  ASSERT_TRUE(c) << servers.error();
  auto m = membership::create(*c, 60, 1);
  ASSERT_TRUE(m && m->put({"a", "", ""}));
  ASSERT_TRUE(m->put({"b", "", ""}));
  ASSERT_TRUE(m->remove("b")); // a delete marker is b's last message
  auto live = m->list();
  ASSERT_TRUE(live) << live.err().message;
  EXPECT_TRUE(listed(*live, "a"));
  EXPECT_FALSE(listed(*live, "b"));
  ASSERT_TRUE(m->put({"b", "", ""}));
  EXPECT_TRUE(listed(*m->list(), "b"));
}

TEST(MembershipTest, AMemberThatStopsPuttingExpires) {
  nats_servers servers(1);
  ASSERT_EQ(servers.error(), "");
  auto c = connect_or_fail(servers.url_list());
  ASSERT_TRUE(c);
  auto m = membership::create(*c, 1, 1); // TTL 1 s
  ASSERT_TRUE(m) << m.err().message;
  ASSERT_TRUE(m->put({"alive", "", ""}));
  ASSERT_TRUE(m->put({"gone", "", ""}));
  ASSERT_TRUE(listed(*m->list(), "gone"));
  // "alive" keeps putting (as a node does every second); "gone" stopped.
  // Bounded: a TTL of 1 s expires well within 15 s.
  bool expired = false;
  for (int i = 0; i < 75 && !expired; ++i) {
    std::this_thread::sleep_for(200ms);
    ASSERT_TRUE(m->put({"alive", "", ""}));
    auto live = m->list();
    ASSERT_TRUE(live) << live.err().message;
    expired = !listed(*live, "gone");
  }
  EXPECT_TRUE(expired);
  EXPECT_TRUE(listed(*m->list(), "alive"));
}

} // namespace
} // namespace switchboard::cluster
