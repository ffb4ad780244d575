#include "core/text_chars.hpp"

namespace switchboard::core {

bool is_python_space(char32_t c) {
  if (c <= 0x20)
    return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
  return c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

bool is_cjk(char32_t c) {
  if (c < 0x2E80)
    return false;
  if (c <= 0x9FFF) // radicals, symbols, kana, bopomofo, Han; not Hangul jamo
    return c <= 0x303F || (c >= 0x3040 && c <= 0x312F) || c >= 0x3190;
  if (c >= 0xF900 && c <= 0xFAFF)
    return true;
  if (c >= 0xFE30 && c <= 0xFE4F)
    return true;
  if (c >= 0xFF00 && c <= 0xFFEF) // not the halfwidth Hangul FFA0-FFDF
    return c <= 0xFF9F || c >= 0xFFE0;
  return (c >= 0x1AFF0 && c <= 0x1B16F) || (c >= 0x20000 && c <= 0x3FFFF);
}

namespace {

bool continuation(unsigned char b) {
  return (b & 0xC0) == 0x80;
}

/// The code point of the 3- or 4-byte sequence at s[i] (lead >= 0xE2), or
/// 0 when it is cut short or malformed.
char32_t decode_wide(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) {
    return static_cast<unsigned char>(s[i + k]);
  };
  if (b(0) > 0xF4)
    return 0;
  if (b(0) < 0xF0) {
    if (i + 2 >= s.size() || !continuation(b(1)) || !continuation(b(2)))
      return 0;
    return (char32_t{b(0) & 0x0Fu} << 12) | (char32_t{b(1) & 0x3Fu} << 6) |
           (b(2) & 0x3Fu);
  }
  if (i + 3 >= s.size() || !continuation(b(1)) || !continuation(b(2)) ||
      !continuation(b(3)))
    return 0;
  return (char32_t{b(0) & 0x07u} << 18) | (char32_t{b(1) & 0x3Fu} << 12) |
         (char32_t{b(2) & 0x3Fu} << 6) | (b(3) & 0x3Fu);
}

} // namespace

bool contains_cjk(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i)
    if (static_cast<unsigned char>(s[i]) >= 0xE2 && is_cjk(decode_wide(s, i)))
      return true;
  return false;
}

} // namespace switchboard::core
