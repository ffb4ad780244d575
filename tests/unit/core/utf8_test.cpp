#include "core/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace switchboard::core {
namespace {

TEST(Utf8Test, AcceptsAsciiAndEmpty) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("hello, world"));
  EXPECT_TRUE(valid_utf8(std::string_view{"a\0b", 3}));
}

TEST(Utf8Test, AcceptsEveryLengthAtItsBounds) {
  EXPECT_TRUE(valid_utf8("\xC2\x80"));         // U+0080
  EXPECT_TRUE(valid_utf8("\xDF\xBF"));         // U+07FF
  EXPECT_TRUE(valid_utf8("\xE0\xA0\x80"));     // U+0800
  EXPECT_TRUE(valid_utf8("\xED\x9F\xBF"));     // U+D7FF
  EXPECT_TRUE(valid_utf8("\xEE\x80\x80"));     // U+E000
  EXPECT_TRUE(valid_utf8("\xEF\xBF\xBF"));     // U+FFFF
  EXPECT_TRUE(valid_utf8("\xF0\x90\x80\x80")); // U+10000
  EXPECT_TRUE(valid_utf8("\xF4\x8F\xBF\xBF")); // U+10FFFF
  EXPECT_TRUE(valid_utf8("Grüße, 日本, 😀"));
}

TEST(Utf8Test, RejectsOverlongs) {
  EXPECT_FALSE(valid_utf8("\xC0\x80"));         // NUL in two bytes
  EXPECT_FALSE(valid_utf8("\xC1\xBF"));         // U+007F in two bytes
  EXPECT_FALSE(valid_utf8("\xE0\x80\x80"));     // NUL in three bytes
  EXPECT_FALSE(valid_utf8("\xE0\x9F\xBF"));     // U+07FF in three bytes
  EXPECT_FALSE(valid_utf8("\xF0\x80\x80\x80")); // NUL in four bytes
  EXPECT_FALSE(valid_utf8("\xF0\x8F\xBF\xBF")); // U+FFFF in four bytes
}

TEST(Utf8Test, RejectsSurrogates) {
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));             // U+D800
  EXPECT_FALSE(valid_utf8("\xED\xAF\xBF"));             // U+DBFF
  EXPECT_FALSE(valid_utf8("\xED\xB0\x80"));             // U+DC00
  EXPECT_FALSE(valid_utf8("\xED\xBF\xBF"));             // U+DFFF
  EXPECT_FALSE(valid_utf8("\xED\xA0\xBD\xED\xB8\x80")); // CESU-8 pair
}

TEST(Utf8Test, RejectsAboveMaxCodePoint) {
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80")); // U+110000
  EXPECT_FALSE(valid_utf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(valid_utf8("\xF7\xBF\xBF\xBF"));
  EXPECT_FALSE(valid_utf8("\xF8\x88\x80\x80\x80")); // old 5-byte form
  EXPECT_FALSE(valid_utf8("\xFF"));
  EXPECT_FALSE(valid_utf8("\xFE"));
}

TEST(Utf8Test, RejectsTruncatedSequences) {
  EXPECT_FALSE(valid_utf8("\xC3"));
  EXPECT_FALSE(valid_utf8("\xE6\x97"));
  EXPECT_FALSE(valid_utf8("\xF0\x9F\x98"));
  EXPECT_FALSE(valid_utf8("abc\xF0\x9F"));
  EXPECT_FALSE(valid_utf8("\xE6\x97"
                          "a")); // interrupted by ASCII
}

TEST(Utf8Test, RejectsStrayContinuationBytes) {
  EXPECT_FALSE(valid_utf8("\x80"));
  EXPECT_FALSE(valid_utf8("a\xBF"));
  EXPECT_FALSE(valid_utf8("\xC3\xA9\xA9"));
}

TEST(Utf8Test, DecodesEveryLength) {
  EXPECT_EQ(decode_utf8("a\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80"),
            (std::u32string{U'a', U'\u00E9', U'\u65E5', U'\U0001F600'}));
  EXPECT_EQ(decode_utf8("\xF4\x8F\xBF\xBF"), std::u32string{U'\U0010FFFF'});
  EXPECT_EQ(decode_utf8(""), std::u32string{});
}

TEST(Utf8Test, DecodeSkipsIllFormedBytesWithoutOverrun) {
  EXPECT_EQ(decode_utf8("a\xF0\x9F"), std::u32string{U'a'});
}

TEST(Utf8Test, EncodesEveryLength) {
  EXPECT_EQ(encode_utf8(U"a\u00E9\u65E5\U0001F600"),
            "a\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80");
  EXPECT_EQ(encode_utf8(U"\u07FF\u0800\uFFFF\U00010000"),
            "\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF\xF0\x90\x80\x80");
}

TEST(Utf8Test, EncodeReplacesNonScalarValues) {
  std::u32string bad{char32_t{0xD800}, char32_t{0x110000}};
  EXPECT_EQ(encode_utf8(bad), "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Utf8Test, RoundTripsEveryScalarValue) {
  std::u32string all;
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp)
    if (cp < 0xD800 || cp > 0xDFFF)
      all.push_back(cp);
  auto bytes = encode_utf8(all);
  ASSERT_TRUE(valid_utf8(bytes));
  EXPECT_EQ(decode_utf8(bytes), all);
  EXPECT_EQ(count_code_points(bytes), all.size());
}

TEST(Utf8Test, CountsCodePointsNotBytes) {
  EXPECT_EQ(count_code_points(""), 0u);
  EXPECT_EQ(count_code_points("abc"), 3u);
  EXPECT_EQ(count_code_points("Grüße"), 5u);
  EXPECT_EQ(count_code_points("日本😀"), 3u);
}

TEST(Utf8Test, PrefixCutsOnlyBetweenCodePoints) {
  EXPECT_EQ(prefix_code_points("Grüße", 3), "Grü");
  EXPECT_EQ(prefix_code_points("日本😀", 2), "日本");
  EXPECT_EQ(prefix_code_points("日本😀", 3), "日本😀");
  EXPECT_EQ(prefix_code_points("日本😀", 0), "");
  EXPECT_EQ(prefix_code_points("abc", 10), "abc");
  EXPECT_EQ(prefix_code_points("", 1), "");
}

} // namespace
} // namespace switchboard::core
