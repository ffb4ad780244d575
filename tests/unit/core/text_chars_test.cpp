#include "core/text_chars.hpp"

#include <gtest/gtest.h>

namespace switchboard::core {
namespace {

TEST(TextCharsTest, PythonWhitespace) {
  for (char32_t c : {U'\t', U'\n', U'\v', U'\f', U'\r', U'\x1c', U'\x1f', U' ',
                     U'\u0085', U'\u00a0', U'\u1680', U'\u2000', U'\u200a',
                     U'\u2028', U'\u2029', U'\u202f', U'\u205f', U'\u3000'})
    EXPECT_TRUE(is_python_space(c)) << static_cast<unsigned>(c);
  for (char32_t c : {U'a', U'\x08', U'\x1b', U'\u200b', U'\u180e', U'\ufeff',
                     U'\u2060', U'\x7f'})
    EXPECT_FALSE(is_python_space(c)) << static_cast<unsigned>(c);
}

TEST(TextCharsTest, DecodesWellFormedUtf8) {
  bool invalid = true;
  EXPECT_EQ(decode_utf8_lossy("a\u00e9\u4e2d\U0001F600", &invalid),
            U"a\u00e9\u4e2d\U0001F600");
  EXPECT_FALSE(invalid);
}

TEST(TextCharsTest, DropsIllFormedBytes) {
  struct bad_case {
    std::string bytes;
    std::u32string kept;
  };
  for (const auto& [bytes, kept] : std::initializer_list<bad_case>{
         {"a\xff"
          "b",
          U"ab"},
         {"\xc0\xaf", U""},     // overlong '/'
         {"\xe0\x80\xaf", U""}, // overlong
         {"\xed\xa0\x80"
          "x",
          U"x"},                    // surrogate
         {"\xf4\x90\x80\x80", U""}, // above U+10FFFF
         {"\xe4\xb8", U""},         // truncated
         {"\x80"
          "a",
          U"a"}}) {
    bool invalid = false;
    EXPECT_EQ(decode_utf8_lossy(bytes, &invalid), kept);
    EXPECT_TRUE(invalid);
  }
}

} // namespace
} // namespace switchboard::core
