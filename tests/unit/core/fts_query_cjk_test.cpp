// The CJK side of search planning (SPEC 10 "every language"): which
// characters count, how a query splits into terms and groups, which index a
// query uses, the trigram MATCH text and the LIKE path's snippets.

#include "core/fts_query.hpp"
#include "core/text_chars.hpp"

#include <gtest/gtest.h>

#include <string>

namespace switchboard::core {
namespace {

using strings = std::vector<std::string>;

TEST(CjkCharsTest, HanKanaAndCjkPunctuationCountHangulDoesNot) {
  for (char32_t c : {U'昨', U'あ', U'ア', U'ｱ', U'。', U'、', U'〆', U'ㄅ',
                     U'㐀', U'\U00020000', U'\U0001B001', U'！', U'豈'})
    EXPECT_TRUE(is_cjk(c)) << static_cast<std::uint32_t>(c);
  for (char32_t c : {U'a', U'é', U'Ж', U'회', U'ㄱ', U'ᄀ', U'ﾡ', U'\u2014',
                     U'🎉', U'\u00a0'})
    EXPECT_FALSE(is_cjk(c)) << static_cast<std::uint32_t>(c);
}

TEST(CjkCharsTest, ContainsCjkScansAnyBytes) {
  EXPECT_FALSE(contains_cjk(""));
  EXPECT_FALSE(contains_cjk("deploy the docker container"));
  EXPECT_FALSE(contains_cjk("naïve café — Привет 🎉"));
  EXPECT_FALSE(contains_cjk("회의는 내일입니다"));
  EXPECT_TRUE(contains_cjk("讨论Agent通信协议"));
  EXPECT_TRUE(contains_cjk("ok 。"));
  EXPECT_TRUE(contains_cjk("x\xf0\xa0\x80\x80")); // U+20000
  EXPECT_FALSE(contains_cjk("\xe6\x98"));         // 昨 cut short
  EXPECT_FALSE(contains_cjk("\xff\xfe\xf8\xa0\x80\x80"));
}

TEST(CjkPlanTest, QueriesWithoutCjkKeepTheOldPath) {
  EXPECT_FALSE(plan_cjk_query("docker deployment"));
  EXPECT_FALSE(plan_cjk_query("회의는"));
  EXPECT_FALSE(plan_cjk_query(""));
  // CJK past the 2048 code points the sanitizer keeps does not count.
  EXPECT_FALSE(plan_cjk_query(std::string(3000, 'a') + " 会議"));
}

TEST(CjkPlanTest, ShortRunsUseLikeLongRunsUseTrigram) {
  auto two = plan_cjk_query("昨晚");
  ASSERT_TRUE(two);
  ASSERT_EQ(two->groups.size(), 1u);
  EXPECT_EQ(two->groups[0].all, strings{"昨晚"});
  EXPECT_FALSE(two->trigram);
  EXPECT_FALSE(two->token_path);
  EXPECT_TRUE(plan_cjk_query("记忆断裂")->trigram);
  EXPECT_TRUE(plan_cjk_query("会議室 東京タワー")->trigram);
  EXPECT_FALSE(plan_cjk_query("会議室 東京")->trigram); // one run of 2
  EXPECT_FALSE(plan_cjk_query("会議室 is")->trigram);   // a term of 2
  // Mixed: the CJK run 通信 has 2 characters.
  auto mixed = plan_cjk_query("Agent通信");
  EXPECT_EQ(mixed->groups[0].all, strings{"Agent通信"});
  EXPECT_FALSE(mixed->trigram);
  EXPECT_TRUE(plan_cjk_query("Agent通信协议")->trigram);
}

TEST(CjkPlanTest, TermsAreLiteralExceptFtsSyntax) {
  EXPECT_EQ(plan_cjk_query("100%完成")->groups[0].all, strings{"100%完成"});
  EXPECT_EQ(plan_cjk_query("会_議")->groups[0].all, strings{"会_議"});
  EXPECT_EQ(plan_cjk_query("(会議) 室* +東京^ {a}:b")->groups[0].all,
            (strings{"会議", "室", "東京", "a", "b"}));
  EXPECT_EQ(plan_cjk_query("\"会議 室\" x")->groups[0].all,
            (strings{"会議 室", "x"}));
  EXPECT_EQ(plan_cjk_query("\"会議 室")->groups[0].all,
            (strings{"会議", "室"})); // an unbalanced quote separates
  EXPECT_EQ(plan_cjk_query("会議\x01室\xff")->groups[0].all,
            (strings{"会議", "室"}));
}

TEST(CjkPlanTest, OperatorsMakeGroups) {
  auto q = plan_cjk_query("记忆系统 OR 会议纪要");
  ASSERT_EQ(q->groups.size(), 2u);
  EXPECT_EQ(q->groups[1].all, strings{"会议纪要"});
  EXPECT_TRUE(q->trigram);
  EXPECT_EQ(trigram_match(*q), "(\"记忆系统\") OR (\"会议纪要\")");

  auto n = plan_cjk_query("会議室 AND 東京都 NOT 草稿です");
  ASSERT_EQ(n->groups.size(), 1u);
  EXPECT_EQ(n->groups[0].all, (strings{"会議室", "東京都"}));
  EXPECT_EQ(n->groups[0].none, strings{"草稿です"});
  EXPECT_EQ(trigram_match(*n),
            "((\"会議室\" AND \"東京都\") NOT \"草稿です\")");

  // Dangling operators go (any case); a second operator in a row goes.
  EXPECT_EQ(plan_cjk_query("or 会議 AND")->groups.size(), 1u);
  auto d = plan_cjk_query("NOT 会議 OR NOT 東京");
  ASSERT_EQ(d->groups.size(), 2u);
  EXPECT_EQ(d->groups[1].all, strings{"東京"});
  EXPECT_TRUE(d->groups[1].none.empty());
  // Lower-case operators in between are words.
  EXPECT_EQ(plan_cjk_query("会議 or 東京")->groups[0].all,
            (strings{"会議", "or", "東京"}));
}

TEST(CjkPlanTest, LatinOnlyGroupsNeedTheTokenPath) {
  EXPECT_TRUE(plan_cjk_query("docker OR 会議")->token_path);
  EXPECT_FALSE(plan_cjk_query("docker 会議")->token_path);
  EXPECT_FALSE(plan_cjk_query("会議 OR 東京")->token_path);
  EXPECT_TRUE(plan_cjk_query("docker NOT 会議")->token_path);
  auto punct = plan_cjk_query("\"\" 。"); // only CJK punctuation
  ASSERT_TRUE(punct);
  ASSERT_EQ(punct->groups.size(), 1u);
  EXPECT_EQ(punct->groups[0].all, strings{"。"});
}

TEST(CjkPlanTest, TermsAreCapped) {
  std::string many;
  for (int i = 0; i < 100; ++i)
    many += "会 ";
  auto q = plan_cjk_query(many);
  ASSERT_EQ(q->groups.size(), 1u);
  EXPECT_EQ(q->groups[0].all.size(), max_cjk_terms);
}

TEST(CjkSnippetTest, MarksTheTermInShortText) {
  EXPECT_EQ(mark_snippet("昨晚讨论了记忆系统", {"记忆"}),
            "昨晚讨论了>>>记忆<<<系统");
  EXPECT_EQ(mark_snippet("讨论AGENT通信协议", {"agent通信"}),
            "讨论>>>AGENT通信<<<协议");
  EXPECT_EQ(mark_snippet("会議と会議", {"会議"}), ">>>会議<<<と>>>会議<<<");
  EXPECT_EQ(mark_snippet("abc", {"会議"}), "");
  EXPECT_EQ(mark_snippet("100%完成", {"100%完成", "完成"}), ">>>100%完成<<<");
}

TEST(CjkSnippetTest, CutsLongTextAroundTheMatch) {
  std::string before, after;
  for (int i = 0; i < 100; ++i) {
    before += "前";
    after += "后";
  }
  auto s = mark_snippet(before + "记忆断裂" + after, {"记忆断裂"});
  EXPECT_EQ(s.rfind("...", 0), 0u) << s;
  EXPECT_NE(s.find("前>>>记忆断裂<<<后"), std::string::npos) << s;
  EXPECT_EQ(s.substr(s.size() - 3), "...");
  EXPECT_LT(count_code_points(s), 60u);
  // A match longer than the window is shown whole.
  std::string term;
  for (int i = 0; i < 50; ++i)
    term += "字";
  auto whole = mark_snippet(before + term, {term});
  EXPECT_NE(whole.find(">>>" + term + "<<<"), std::string::npos);
}

} // namespace
} // namespace switchboard::core
