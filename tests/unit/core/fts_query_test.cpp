#include "core/fts_query.hpp"

#include "core/text_chars.hpp"

#include <gtest/gtest.h>

#include <string>

namespace switchboard::core {
namespace {

std::string sanitize(std::string_view q) {
  return sanitize_fts_query(q);
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    n += (c & 0xC0) != 0x80;
  return n;
}

TEST(FtsQueryTest, PlainWordsPassThrough) {
  EXPECT_EQ(sanitize("docker deployment"), "docker deployment");
  EXPECT_EQ(sanitize("python NOT java"), "python NOT java");
  EXPECT_EQ(sanitize("docker OR kubernetes"), "docker OR kubernetes");
}

TEST(FtsQueryTest, EmptyAndBlankGiveEmpty) {
  EXPECT_EQ(sanitize(""), "");
  EXPECT_EQ(sanitize("   \t\n"), "");
}

TEST(FtsQueryTest, DropsTrailingOperator) {
  EXPECT_EQ(sanitize("hello AND"), "hello");
  EXPECT_EQ(sanitize("hello or"), "hello");
  EXPECT_EQ(sanitize("hello NOT  "), "hello");
}

TEST(FtsQueryTest, DropsLeadingOperator) {
  EXPECT_EQ(sanitize("OR world"), "world");
  EXPECT_EQ(sanitize("not world"), "world");
  EXPECT_EQ(sanitize("AND"), "");
}

TEST(FtsQueryTest, DropsRepeatedDanglingOperators) {
  EXPECT_EQ(sanitize("AND OR NOT"), "");
  EXPECT_EQ(sanitize("NOT and x or AND"), "x");
}

TEST(FtsQueryTest, LowercaseOperatorsInsideAreTerms) {
  EXPECT_EQ(sanitize("salt and pepper"), "salt and pepper");
}

TEST(FtsQueryTest, SecondOfTwoOperatorsIsDropped) {
  EXPECT_EQ(sanitize("a AND OR b"), "a AND b");
  EXPECT_EQ(sanitize("a AND NOT b"), "a AND b");
}

TEST(FtsQueryTest, OperatorLosesItsStar) {
  EXPECT_EQ(sanitize("a AND* b"), "a AND b");
  EXPECT_EQ(sanitize("NOT* a"), "a");
}

TEST(FtsQueryTest, OnlyStarsGiveEmpty) {
  EXPECT_EQ(sanitize("***"), "");
  EXPECT_EQ(sanitize("* * *"), "");
}

TEST(FtsQueryTest, PrefixStarIsKept) {
  EXPECT_EQ(sanitize("deploy*"), "deploy*");
  EXPECT_EQ(sanitize("deploy***"), "deploy*");
}

TEST(FtsQueryTest, LeadingStarIsDropped) {
  EXPECT_EQ(sanitize("*deploy"), "deploy");
  EXPECT_EQ(sanitize("a (*b"), "a b");
  EXPECT_EQ(sanitize("x.*y"), "x y");
}

TEST(FtsQueryTest, HyphenatedWordsAreQuoted) {
  EXPECT_EQ(sanitize("chat-send"), "\"chat-send\"");
  EXPECT_EQ(sanitize("fix chat-send bug"), "fix \"chat-send\" bug");
  EXPECT_EQ(sanitize("a-b-c"), "\"a-b-c\"");
}

TEST(FtsQueryTest, DottedWordsAreQuoted) {
  EXPECT_EQ(sanitize("P2.2"), "\"P2.2\"");
  EXPECT_EQ(sanitize("config_v2.yaml"), "\"config_v2.yaml\"");
}

TEST(FtsQueryTest, UnderscoredWordsAreQuoted) {
  EXPECT_EQ(sanitize("foo_bar"), "\"foo_bar\"");
  EXPECT_EQ(sanitize("a__b"), "\"a__b\"");
  EXPECT_EQ(sanitize("_foo foo_"), "_foo foo_");
}

TEST(FtsQueryTest, CompoundKeepsItsPrefixStar) {
  EXPECT_EQ(sanitize("foo-bar*"), "\"foo-bar\"*");
}

TEST(FtsQueryTest, StrayJoinersBecomeSpaces) {
  EXPECT_EQ(sanitize("-foo"), "foo");
  EXPECT_EQ(sanitize("end."), "end");
  EXPECT_EQ(sanitize("a.b."), "\"a.b\"");
  EXPECT_EQ(sanitize("a..b"), "a b");
  EXPECT_EQ(sanitize("--"), "");
}

TEST(FtsQueryTest, NonAsciiWordsJoin) {
  EXPECT_EQ(sanitize("\u00e9t\u00e9-2024"), "\"\u00e9t\u00e9-2024\"");
  EXPECT_EQ(sanitize("\u65e5\u672c-\u30c6"), "\"\u65e5\u672c-\u30c6\"");
}

TEST(FtsQueryTest, ColonIsStrippedAndWhitespaceCollapsed) {
  EXPECT_EQ(sanitize("TODO: fix"), "TODO fix");
  EXPECT_EQ(sanitize("col:term"), "col term");
  EXPECT_EQ(sanitize("  a \t\n b  "), "a b");
}

TEST(FtsQueryTest, SpecialCharactersAreStripped) {
  EXPECT_EQ(sanitize("c++"), "c");
  EXPECT_EQ(sanitize("{a b}: c"), "a b c");
  EXPECT_EQ(sanitize("^start"), "start");
  EXPECT_EQ(sanitize("a + b"), "a b");
}

TEST(FtsQueryTest, OtherAsciiPunctuationIsStripped) {
  EXPECT_EQ(sanitize("a,b;c!d?e"), "a b c d e");
  EXPECT_EQ(sanitize("100% don't"), "100 don t");
  EXPECT_EQ(sanitize("$HOME/.config"), "HOME config");
  EXPECT_EQ(sanitize("#tag @user <x> [y] `z` |w| ~v = \\u"),
            "tag user x y z w v u");
}

TEST(FtsQueryTest, NearBecomesAPlainTerm) {
  EXPECT_EQ(sanitize("NEAR(a b)"), "NEAR a b");
  EXPECT_EQ(sanitize("NEAR(a b, 5)"), "NEAR a b 5");
}

TEST(FtsQueryTest, UnbalancedQuoteIsStripped) {
  EXPECT_EQ(sanitize("\"hello"), "hello");
  EXPECT_EQ(sanitize("hello\""), "hello");
}

TEST(FtsQueryTest, BalancedPhraseIsKeptVerbatim) {
  EXPECT_EQ(sanitize("\"exact phrase\""), "\"exact phrase\"");
  EXPECT_EQ(sanitize("say \"a-b (c) +d: ^e*\" now"),
            "say \"a-b (c) +d: ^e*\" now");
  EXPECT_EQ(sanitize("\"a b\"*"), "\"a b\"*");
}

TEST(FtsQueryTest, PhrasesPairLeftToRight) {
  EXPECT_EQ(sanitize("\"one two\" three \"four"), "\"one two\" three four");
  EXPECT_EQ(sanitize("\"open and \"closed\" x"), "\"open and \"closed x");
}

TEST(FtsQueryTest, TouchingPhrasesAreSeparated) {
  EXPECT_EQ(sanitize("\"a\"\"b\""), "\"a\" \"b\"");
  EXPECT_EQ(sanitize("x-y\"z\""), "\"x-y\" \"z\"");
}

TEST(FtsQueryTest, PhraseMayTouchAWord) {
  EXPECT_EQ(sanitize("a\"b\"c"), "a\"b\"c");
}

TEST(FtsQueryTest, OperatorsBesidePhrasesGetSpaces) {
  EXPECT_EQ(sanitize("\"x\"AND\"y\""), "\"x\" AND \"y\"");
  EXPECT_EQ(sanitize("\"x\"AND"), "\"x\"");
}

TEST(FtsQueryTest, SqlFragmentsAreHarmless) {
  EXPECT_EQ(sanitize("'; DROP TABLE messages; --"), "DROP TABLE messages");
  EXPECT_EQ(sanitize("x' OR '1'='1"), "x OR 1 1");
}

TEST(FtsQueryTest, ControlCharactersBecomeSpaces) {
  EXPECT_EQ(sanitize(std::string("nul\0byte", 8)), "nul byte");
  EXPECT_EQ(sanitize("a\x1a"
                     "b\x7f"
                     "c"),
            "a b c");
}

TEST(FtsQueryTest, UnicodeWhitespaceSeparates) {
  EXPECT_EQ(sanitize("a\u3000AND"), "a");
  EXPECT_EQ(sanitize("a\u00a0b"), "a b");
}

TEST(FtsQueryTest, LongInputIsTruncated) {
  std::string q;
  for (int i = 0; i < 1000; ++i)
    q += "word ";
  std::string out = sanitize(q);
  EXPECT_LE(code_points(out), max_search_query_chars);
  EXPECT_EQ(out.substr(0, 10), "word word ");

  std::string a(5000, 'a');
  EXPECT_EQ(sanitize(a), std::string(max_search_query_chars, 'a'));
}

TEST(FtsQueryTest, TruncationCountsCodePoints) {
  std::string q;
  for (int i = 0; i < 3000; ++i)
    q += "\u00e9";
  std::string out = sanitize(q);
  EXPECT_EQ(code_points(out), max_search_query_chars);
  EXPECT_EQ(out.size(), 2 * max_search_query_chars);
}

TEST(FtsQueryTest, InvalidUtf8BytesAreDropped) {
  EXPECT_EQ(sanitize("ab\xff"
                     "cd"),
            "abcd");
  EXPECT_EQ(sanitize("\xc3"), "");
  EXPECT_EQ(sanitize("x \xed\xa0\x80 y"), "x y");
  EXPECT_EQ(sanitize("\xc0\xaf"
                     "etc"),
            "etc");
}

TEST(FtsQueryTest, OutputIsValidUtf8ForArbitraryBytes) {
  std::string q;
  for (int i = 0; i < 256; ++i)
    q.push_back(static_cast<char>(i));
  std::string out = sanitize(q + q + "\xe2\x82" + q);
  bool invalid = true;
  decode_utf8_lossy(out, &invalid);
  EXPECT_FALSE(invalid) << out;
  EXPECT_NE(out, "");
}

} // namespace
} // namespace switchboard::core
