// The load generator's workload model: deterministic for a seed, Zipf-shaped
// activity, the platform mix within tolerance, texts of real words.

#include "loadgen/workload.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

namespace lg = switchboard::loadgen;

namespace {

std::vector<std::size_t> draws(std::uint64_t seed, int n) {
  lg::zipf_sampler z{100, 1.1};
  lg::rng r{seed};
  std::vector<std::size_t> out;
  for (int i = 0; i < n; ++i)
    out.push_back(z(r));
  return out;
}

lg::workload_options small(std::uint64_t seed) {
  lg::workload_options o;
  o.chats = 50;
  o.seed = seed;
  return o;
}

} // namespace

TEST(ZipfSamplerTest, SameSeedSameDraws) {
  EXPECT_EQ(draws(7, 1000), draws(7, 1000));
  EXPECT_NE(draws(7, 1000), draws(8, 1000));
}

TEST(ZipfSamplerTest, TopRankGetsTheMost) {
  std::vector<int> counts(100);
  for (auto k : draws(3, 50000))
    ++counts[k];
  EXPECT_EQ(std::max_element(counts.begin(), counts.end()) - counts.begin(), 0);
  EXPECT_GT(counts[0], counts[1]);
  EXPECT_GT(counts[1], counts[9]);
  EXPECT_GT(counts[9], counts[99]);
  // P(0)/P(1) = 2^1.1 ~ 2.14
  EXPECT_NEAR(static_cast<double>(counts[0]) / counts[1], 2.14, 0.25);
}

TEST(ZipfSamplerTest, ExponentZeroIsUniform) {
  lg::zipf_sampler z{4, 0.0};
  lg::rng r{1};
  std::vector<int> counts(4);
  for (int i = 0; i < 40000; ++i)
    ++counts[z(r)];
  for (int c : counts)
    EXPECT_NEAR(c, 10000, 600);
}

TEST(PlatformMixTest, ParsesNamesAndWeights) {
  auto mix = lg::parse_platform_mix("telegram:40,discord:30,my_chat:2.5");
  ASSERT_TRUE(mix);
  ASSERT_EQ(mix->size(), 3u);
  EXPECT_EQ((*mix)[2].platform, "my_chat");
  EXPECT_DOUBLE_EQ((*mix)[2].weight, 2.5);
}

TEST(PlatformMixTest, RejectsBadItems) {
  EXPECT_FALSE(lg::parse_platform_mix(""));
  EXPECT_FALSE(lg::parse_platform_mix("telegram"));
  EXPECT_FALSE(lg::parse_platform_mix("Tele:1"));
  EXPECT_FALSE(lg::parse_platform_mix("telegram:0"));
  EXPECT_FALSE(lg::parse_platform_mix("telegram:x"));
  EXPECT_FALSE(lg::parse_platform_mix("telegram:1,,slack:1"));
}

TEST(PlatformMixTest, SharesWithinToleranceOverManyChats) {
  lg::workload_options o;
  o.chats = 20000;
  lg::workload w{o};
  std::map<std::string, int> counts;
  for (const auto& c : w.chats())
    ++counts[c.base.platform];
  EXPECT_NEAR(counts["telegram"] / 20000.0, 0.40, 0.02);
  EXPECT_NEAR(counts["discord"] / 20000.0, 0.30, 0.02);
  EXPECT_NEAR(counts["slack"] / 20000.0, 0.20, 0.02);
  EXPECT_NEAR(counts["whatsapp"] / 20000.0, 0.10, 0.02);
}

TEST(WorkloadTest, ChatTypesFollowTheShares) {
  lg::workload_options o;
  o.chats = 20000;
  o.groups = 0.3;
  o.threads = 0.1;
  lg::workload w{o};
  int groups = 0, threads = 0;
  for (const auto& c : w.chats()) {
    if (c.base.type == switchboard::core::chat_type::group) {
      ++groups;
      EXPECT_GE(c.people.size(), 2u);
    }
    if (c.base.type == switchboard::core::chat_type::thread) {
      ++threads;
      EXPECT_TRUE(c.base.thread_id);
    }
  }
  EXPECT_NEAR(groups / 20000.0, 0.3, 0.02);
  EXPECT_NEAR(threads / 20000.0, 0.1, 0.02);
}

TEST(WorkloadTest, SameSeedSameTurns) {
  lg::workload a{small(5)}, b{small(5)}, c{small(6)};
  bool differs = false;
  for (int i = 0; i < 200; ++i) {
    auto x = a.next(), y = b.next(), z = c.next();
    EXPECT_EQ(x.origin, y.origin);
    EXPECT_EQ(x.user_text, y.user_text);
    EXPECT_EQ(x.reply_text, y.reply_text);
    differs = differs || x.user_text != z.user_text;
  }
  EXPECT_TRUE(differs);
}

TEST(WorkloadTest, TopChatIsTheMostActive) {
  lg::workload w{small(9)};
  std::vector<int> counts(50);
  for (int i = 0; i < 20000; ++i)
    ++counts[w.next().chat];
  EXPECT_EQ(std::max_element(counts.begin(), counts.end()) - counts.begin(), 0);
}

TEST(WorkloadTest, RepliesFollowTheShare) {
  auto o = small(2);
  o.replies = 0.5;
  lg::workload w{o};
  int replies = 0;
  for (int i = 0; i < 10000; ++i)
    replies += w.next().reply_text ? 1 : 0;
  EXPECT_NEAR(replies / 10000.0, 0.5, 0.03);
}

TEST(WorkloadTest, SpeakerIsAParticipantOfTheChat) {
  lg::workload w{small(4)};
  for (int i = 0; i < 500; ++i) {
    auto t = w.next();
    const auto& people = w.chats()[t.chat].people;
    EXPECT_TRUE(std::any_of(people.begin(), people.end(), [&](const auto& p) {
      return p.user_id == t.origin.user_id;
    }));
  }
}

TEST(MessageTextTest, SizeAroundTargetAndMadeOfListedWords) {
  lg::rng r{11};
  std::set<std::string_view> words(lg::common_words().begin(),
                                   lg::common_words().end());
  EXPECT_GE(words.size(), 300u);
  for (int i = 0; i < 200; ++i) {
    auto text = lg::make_text(r, 200);
    EXPECT_GE(text.size(), 100u);
    EXPECT_LE(text.size(), 320u);
    std::istringstream in{text};
    std::string word;
    while (in >> word) {
      while (!word.empty() &&
             std::ispunct(static_cast<unsigned char>(word.back())))
        word.pop_back();
      word[0] =
        static_cast<char>(std::tolower(static_cast<unsigned char>(word[0])));
      EXPECT_TRUE(words.count(word)) << word;
    }
  }
}
