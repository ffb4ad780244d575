#include "core/title.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace switchboard::core {
namespace {

// The sanitized title, or "<none>" / "<error: message>".
std::string clean(std::string_view raw) {
  auto r = sanitize_title(raw);
  if (!r.ok())
    return "<error: " + r.err().message + ">";
  return r->value_or("<none>");
}

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i)
    out += s;
  return out;
}

TEST(SanitizeTitleTest, KeepsAPlainTitle) {
  EXPECT_EQ(clean("My Project"), "My Project");
}

TEST(SanitizeTitleTest, EmptyAndBlankAreNoTitle) {
  EXPECT_EQ(clean(""), "<none>");
  EXPECT_EQ(clean("   "), "<none>");
  EXPECT_EQ(clean("\t\n\r "), "<none>");
  EXPECT_EQ(clean("\u00a0\u3000\u2003"), "<none>");
  EXPECT_EQ(clean("\u200b\ufeff\x01"), "<none>");
}

TEST(SanitizeTitleTest, RemovesAsciiControls) {
  EXPECT_EQ(clean(std::string("a\x00"
                              "b",
                              3)),
            "ab");
  EXPECT_EQ(clean("a\x01\x08\x0b\x0c\x0e\x1b\x1f\x7f"
                  "b"),
            "ab");
}

TEST(SanitizeTitleTest, FileSeparatorControlsAreRemovedNotSpaced) {
  // \x1c-\x1f are whitespace to Python but are removed first.
  EXPECT_EQ(clean("a\x1c\x1d\x1e\x1f"
                  "b"),
            "ab");
}

TEST(SanitizeTitleTest, TabNewlineReturnBecomeOneSpace) {
  EXPECT_EQ(clean("a\tb\nc\r\nd"), "a b c d");
}

TEST(SanitizeTitleTest, CollapsesWhitespaceRunsAndTrims) {
  EXPECT_EQ(clean("  hello    big \t\n world  "), "hello big world");
}

TEST(SanitizeTitleTest, UnicodeWhitespaceCollapses) {
  EXPECT_EQ(clean("a\u00a0b\u3000c\u2000\u200ad\u205fe\u202ff\u1680g\u0085h"),
            "a b c d e f g h");
}

TEST(SanitizeTitleTest, RemovesZeroWidthCharacters) {
  EXPECT_EQ(clean("a\u200bb\u200cc\u200dd\u200ee\u200ff"), "abcdef");
}

TEST(SanitizeTitleTest, RemovesBidiOverridesAndSeparators) {
  EXPECT_EQ(clean("a\u2028b\u2029c\u202ad\u202be\u202cf\u202dg\u202eh"),
            "abcdefgh");
}

TEST(SanitizeTitleTest, RemovesInvisibleOperatorsAndIsolates) {
  EXPECT_EQ(clean("a\u2060b\u2061c\u2064d\u2066e\u2067f\u2068g\u2069h"),
            "abcdefgh");
}

TEST(SanitizeTitleTest, RemovesBomAndAnnotationCharacters) {
  EXPECT_EQ(clean("\ufeffa\ufff9b\ufffac\ufffbd\ufffce"), "abcde");
}

TEST(SanitizeTitleTest, KeepsNeighboursOfRemovedRanges) {
  // U+200A is a space, U+2010 a hyphen, U+205F a space, U+206A and
  // U+FFFD are kept as they are.
  EXPECT_EQ(clean("a\u2010b\u206ac\ufffdd\ufff8e"),
            "a\u2010b\u206ac\ufffdd\ufff8e");
}

TEST(SanitizeTitleTest, RemovalHappensBeforeCollapsing) {
  // A zero-width space between two spaces leaves one run.
  EXPECT_EQ(clean("a \u200b b"), "a b");
  EXPECT_EQ(clean("\u200b a \u200b"), "a");
}

TEST(SanitizeTitleTest, HundredMultiByteCodePointsAreAllowed) {
  std::string title = repeat("\u00e9", 100); // 200 bytes
  EXPECT_EQ(clean(title), title);
  std::string cjk = repeat("\u4e2d", 100); // 300 bytes
  EXPECT_EQ(clean(cjk), cjk);
  std::string emoji = repeat("\U0001F600", 100); // 400 bytes
  EXPECT_EQ(clean(emoji), emoji);
}

TEST(SanitizeTitleTest, HundredAndOneCodePointsAreTooLong) {
  EXPECT_EQ(clean(repeat("\u00e9", 101)),
            "<error: title too long (101 code points, max 100)>");
  auto r = sanitize_title(repeat("a", 101));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().code, errc::bad_request);
}

TEST(SanitizeTitleTest, LengthIsCountedAfterCleaning) {
  std::string padded = "   " + repeat("x", 100) + "\u200b\u200b   ";
  EXPECT_EQ(clean(padded), repeat("x", 100));
}

TEST(SanitizeTitleTest, InvalidUtf8IsAnError) {
  for (std::string bad : {"\xff", "a\xc3", "\xc0\xaf", "\xed\xa0\x80",
                          "\xf4\x90\x80\x80", "\x80"}) {
    auto r = sanitize_title(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.err().code, errc::bad_request);
  }
}

TEST(SplitNumberedTitleTest, SplitsTrailingNumber) {
  auto n = split_numbered_title("my session #12");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->base, "my session");
  EXPECT_EQ(n->number, 12);
}

TEST(SplitNumberedTitleTest, OnlyTheLastSuffixIsSplit) {
  auto n = split_numbered_title("a #1 #2");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->base, "a #1");
  EXPECT_EQ(n->number, 2);
}

TEST(SplitNumberedTitleTest, NoSuffixIsNullopt) {
  EXPECT_FALSE(split_numbered_title("plain"));
  EXPECT_FALSE(split_numbered_title("a #"));
  EXPECT_FALSE(split_numbered_title("a#2"));
  EXPECT_FALSE(split_numbered_title("a #2x"));
  EXPECT_FALSE(split_numbered_title("a # 2"));
  EXPECT_FALSE(split_numbered_title("#2"));
}

TEST(SplitNumberedTitleTest, EmptyBaseIsAllowed) {
  auto n = split_numbered_title(" #5");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->base, "");
  EXPECT_EQ(n->number, 5);
}

TEST(SplitNumberedTitleTest, HugeNumberIsNotANumber) {
  EXPECT_FALSE(split_numbered_title("a #99999999999999999999999"));
}

TEST(NextTitleInLineageTest, FreeBaseIsReturnedAsIs) {
  EXPECT_EQ(next_title_in_lineage("my project", {}), "my project");
  EXPECT_EQ(next_title_in_lineage("my project", {"other", "other #2"}),
            "my project");
}

TEST(NextTitleInLineageTest, SecondAfterTheBase) {
  EXPECT_EQ(next_title_in_lineage("my project", {"my project"}),
            "my project #2");
}

TEST(NextTitleInLineageTest, OneAfterTheHighestNumber) {
  EXPECT_EQ(next_title_in_lineage("p", {"p", "p #2", "p #3"}), "p #4");
  EXPECT_EQ(next_title_in_lineage("p", {"p #3", "p", "p #2"}), "p #4");
  EXPECT_EQ(next_title_in_lineage("p", {"p #7"}), "p #8");
}

TEST(NextTitleInLineageTest, StripsTheGivenNumber) {
  EXPECT_EQ(next_title_in_lineage("base #2", {"base", "base #2"}), "base #3");
}

TEST(NextTitleInLineageTest, NumberedTitleWithFreeBaseGivesTheBase) {
  EXPECT_EQ(next_title_in_lineage("base #2", {}), "base");
}

TEST(NextTitleInLineageTest, BareBaseCountsAsOne) {
  EXPECT_EQ(next_title_in_lineage("p", {"p", "p #1"}), "p #2");
  EXPECT_EQ(next_title_in_lineage("p", {"p #0"}), "p #2");
}

TEST(NextTitleInLineageTest, NumbersPastInt64StillCount) {
  // Found by fuzz_title: at 2^63 - 2 the next number was one that existed
  // but was not counted (too large for long long).
  EXPECT_EQ(next_title_in_lineage(
              "t", {"t", "t #9223372036854775806", "t #9223372036854775807"}),
            "t #9223372036854775808");
  EXPECT_EQ(next_title_in_lineage("t", {"t #99999999999999999999999"}),
            "t #100000000000000000000000");
  EXPECT_EQ(next_title_in_lineage("t", {"t #0009", "t #10"}), "t #11");
}

TEST(NextTitleInLineageTest, IsCaseSensitive) {
  EXPECT_EQ(
    next_title_in_lineage("my project", {"My Project", "My Project #2"}),
    "my project");
  EXPECT_EQ(
    next_title_in_lineage("My Project", {"my project #5", "My Project"}),
    "My Project #2");
}

TEST(NextTitleInLineageTest, LikeWildcardsAreLiteral) {
  EXPECT_EQ(next_title_in_lineage("50% done", {"50X done", "50X done #2"}),
            "50% done");
  EXPECT_EQ(next_title_in_lineage("a_b", {"aXb", "aXb #4"}), "a_b");
  EXPECT_EQ(next_title_in_lineage("a\\b", {"a\\b #3"}), "a\\b #4");
  EXPECT_EQ(next_title_in_lineage("50% done", {"50% done", "50% done #2"}),
            "50% done #3");
}

TEST(NextTitleInLineageTest, OnlyExactNumberedVariantsCount) {
  // Longer titles sharing the prefix are other lineages.
  EXPECT_EQ(
    next_title_in_lineage("p", {"p #2 #3", "p #x", "px #4", "p  #4", "p #"}),
    "p");
}

TEST(ResolveByTitleTest, NewestNumberedVariantWins) {
  std::vector<titled_session> c = {
    {"s1", "proj", 1.0}, {"s3", "proj #3", 3.0}, {"s2", "proj #2", 2.0}};
  EXPECT_EQ(resolve_by_title("proj", c), "s3");
}

TEST(ResolveByTitleTest, NewestByStartedAtNotByNumber) {
  std::vector<titled_session> c = {
    {"s1", "proj", 1.0}, {"s2", "proj #5", 2.0}, {"s3", "proj #2", 9.0}};
  EXPECT_EQ(resolve_by_title("proj", c), "s3");
}

TEST(ResolveByTitleTest, VariantWinsEvenWhenExactIsNewer) {
  std::vector<titled_session> c = {{"s1", "proj", 10.0},
                                   {"s2", "proj #2", 2.0}};
  EXPECT_EQ(resolve_by_title("proj", c), "s2");
}

TEST(ResolveByTitleTest, ExactWhenNoVariant) {
  std::vector<titled_session> c = {{"s1", "other", 5.0}, {"s2", "proj", 1.0}};
  EXPECT_EQ(resolve_by_title("proj", c), "s2");
}

TEST(ResolveByTitleTest, NothingMatches) {
  std::vector<titled_session> c = {{"s1", "other", 5.0}};
  EXPECT_EQ(resolve_by_title("proj", c), std::nullopt);
  EXPECT_EQ(resolve_by_title("proj", {}), std::nullopt);
}

TEST(ResolveByTitleTest, IsCaseSensitive) {
  std::vector<titled_session> c = {{"s1", "my project", 1.0},
                                   {"s2", "My Project #2", 2.0}};
  EXPECT_EQ(resolve_by_title("my project", c), "s1");
  EXPECT_EQ(resolve_by_title("My Project", c), "s2");
  EXPECT_EQ(resolve_by_title("MY PROJECT", c), std::nullopt);
}

TEST(ResolveByTitleTest, LikeWildcardsAreLiteral) {
  std::vector<titled_session> c = {
    {"s1", "50X done #2", 2.0}, {"s2", "50% done", 1.0}, {"s3", "aXb #2", 3.0}};
  EXPECT_EQ(resolve_by_title("50% done", c), "s2");
  EXPECT_EQ(resolve_by_title("a_b", c), std::nullopt);
}

TEST(ResolveByTitleTest, ResolvingANumberedTitleLooksForItsOwnVariants) {
  std::vector<titled_session> c = {{"s2", "proj #2", 2.0},
                                   {"s3", "proj #3", 3.0}};
  EXPECT_EQ(resolve_by_title("proj #2", c), "s2");
}

TEST(ResolveByTitleTest, NonNumericSuffixIsNotAVariant) {
  std::vector<titled_session> c = {{"s1", "proj", 1.0},
                                   {"s2", "proj #draft", 2.0}};
  EXPECT_EQ(resolve_by_title("proj", c), "s1");
}

TEST(TitleFromTest, FirstUserMessageWithContent) {
  std::vector<role_content> m = {
    {"system", "you are a bot"}, {"assistant", "hi"},
    {"user", std::nullopt},      {"user", "  \n\t "},
    {"user", "Deploy the app"},  {"user", "later"}};
  EXPECT_EQ(title_from(m), "Deploy the app");
}

TEST(TitleFromTest, CollapsesWhitespaceAndTrims) {
  EXPECT_EQ(title_from({{"user", "\n  fix   the\n\nbuild \t"}}),
            "fix the build");
}

TEST(TitleFromTest, FirstSixtyFourCodePoints) {
  std::string long_text = repeat("\u00e9", 70);
  EXPECT_EQ(title_from({{"user", long_text}}), repeat("\u00e9", 64));
  EXPECT_EQ(title_from({{"user", repeat("a", 64)}}), repeat("a", 64));
}

TEST(TitleFromTest, NoneWithoutUserContent) {
  EXPECT_EQ(title_from({}), std::nullopt);
  EXPECT_EQ(title_from({{"assistant", "hello"}, {"user", "   "}}),
            std::nullopt);
}

} // namespace
} // namespace switchboard::core
