#include "core/ownership.hpp"

#include <gtest/gtest.h>

namespace switchboard::core {
namespace {

const switch_requester ana{"agent:main:telegram:dm:1", "telegram", "42"};

session_owner owned_by(std::optional<std::string> key, std::string source,
                       std::optional<std::string> user) {
  return {std::move(key), std::move(source), std::move(user)};
}

TEST(OwnershipTest, ScopeKeyAllowsOnlyTheSameKey) {
  EXPECT_TRUE(may_switch(switch_scope::key, ana,
                         owned_by(ana.session_key, "telegram", "42")));
  EXPECT_FALSE(
    may_switch(switch_scope::key, ana,
               owned_by("agent:main:telegram:group:g:42", "telegram", "42")));
  EXPECT_FALSE(may_switch(switch_scope::key, ana,
                          owned_by(std::nullopt, "telegram", "42")));
}

TEST(OwnershipTest, ScopeUserAllowsTheSamePlatformAndUser) {
  auto group = owned_by("agent:main:telegram:group:g:42", "telegram", "42");
  EXPECT_TRUE(may_switch(switch_scope::user, ana, group));
  EXPECT_TRUE(may_switch(switch_scope::user, ana,
                         owned_by(std::nullopt, "telegram", "42")));
  EXPECT_FALSE(
    may_switch(switch_scope::user, ana, owned_by("k", "telegram", "43")));
  EXPECT_FALSE(
    may_switch(switch_scope::user, ana, owned_by("k", "discord", "42")));
  EXPECT_FALSE(may_switch(switch_scope::user, ana,
                          owned_by("k", "telegram", std::nullopt)));
  EXPECT_TRUE(may_switch(switch_scope::user, ana,
                         owned_by(ana.session_key, "telegram", "43")));
}

TEST(OwnershipTest, AKeyWithoutAUserReachesOnlyItsOwnSessions) {
  switch_requester anon{"agent:main:webhook:dm", "webhook", std::nullopt};
  EXPECT_FALSE(may_switch(switch_scope::user, anon,
                          owned_by("other", "webhook", std::nullopt)));
  switch_requester blank{"k", "webhook", ""};
  EXPECT_FALSE(
    may_switch(switch_scope::user, blank, owned_by("other", "webhook", "")));
}

TEST(OwnershipTest, ParseScope) {
  EXPECT_EQ(*parse_switch_scope("key"), switch_scope::key);
  EXPECT_EQ(*parse_switch_scope("user"), switch_scope::user);
  auto bad = parse_switch_scope("all");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.err().message, "scope: expected one of key, user");
}

TEST(OwnershipTest, ForbiddenIs403) {
  EXPECT_EQ(http_status(errc::forbidden), 403);
  EXPECT_EQ(to_string(errc::forbidden), "forbidden");
}

} // namespace
} // namespace switchboard::core
