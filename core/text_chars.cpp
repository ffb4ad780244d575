#include "core/text_chars.hpp"

#include <cstddef>

namespace switchboard::core {

namespace {

struct sequence_shape {
  std::size_t length; // 0: not a lead byte
  char32_t min;       // smallest value this length may encode
};

sequence_shape shape_of(unsigned char lead) {
  if (lead < 0x80)
    return {1, 0};
  if (lead >= 0xC2 && lead <= 0xDF)
    return {2, 0x80};
  if (lead >= 0xE0 && lead <= 0xEF)
    return {3, 0x800};
  if (lead >= 0xF0 && lead <= 0xF4)
    return {4, 0x10000};
  return {0, 0};
}

/// Decodes the sequence at s[i]; returns its length, or 0 when ill-formed.
std::size_t decode_one(std::string_view s, std::size_t i, char32_t& out) {
  auto lead = static_cast<unsigned char>(s[i]);
  auto [len, min] = shape_of(lead);
  if (len == 0 || s.size() - i < len)
    return 0;
  char32_t c = len == 1 ? lead : lead & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80)
      return 0;
    c = (c << 6) | (b & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
    return 0;
  out = c;
  return len;
}

} // namespace

bool is_python_space(char32_t c) {
  if (c <= 0x20)
    return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
  return c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

std::u32string decode_utf8_lossy(std::string_view s, bool* had_invalid) {
  std::u32string out;
  out.reserve(s.size());
  bool invalid = false;
  for (std::size_t i = 0; i < s.size();) {
    char32_t c = 0;
    std::size_t len = decode_one(s, i, c);
    if (len == 0) {
      invalid = true;
      ++i;
      continue;
    }
    out.push_back(c);
    i += len;
  }
  if (had_invalid)
    *had_invalid = invalid;
  return out;
}

} // namespace switchboard::core
