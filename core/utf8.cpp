#include "core/utf8.hpp"

// Well-formedness follows the Unicode Standard, table 3-7: the second byte's
// range depends on the lead byte, which is what rules out overlongs,
// surrogates (ED A0..BF) and code points above U+10FFFF (F4 90.., F5..FF).

namespace switchboard::core {

namespace {

bool in(unsigned char c, unsigned char lo, unsigned char hi) {
  return c >= lo && c <= hi;
}

/// The length of the well-formed sequence starting at s[i], or 0 when the
/// bytes there are not one.
std::size_t sequence_length(std::string_view s, std::size_t i) {
  auto at = [&](std::size_t k) -> unsigned char {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0;
  };
  unsigned char b0 = at(0);
  if (b0 < 0x80)
    return 1;
  unsigned char lo = 0x80, hi = 0xBF;
  std::size_t len = 0;
  if (in(b0, 0xC2, 0xDF)) {
    len = 2;
  } else if (in(b0, 0xE0, 0xEF)) {
    len = 3;
    lo = b0 == 0xE0 ? 0xA0 : 0x80; // E0 80..9F would be overlong
    hi = b0 == 0xED ? 0x9F : 0xBF; // ED A0..BF would be a surrogate
  } else if (in(b0, 0xF0, 0xF4)) {
    len = 4;
    lo = b0 == 0xF0 ? 0x90 : 0x80; // F0 80..8F would be overlong
    hi = b0 == 0xF4 ? 0x8F : 0xBF; // F4 90.. would exceed U+10FFFF
  } else {
    return 0; // continuation byte, C0/C1 overlong lead, or F5..FF
  }
  if (!in(at(1), lo, hi))
    return 0;
  for (std::size_t k = 2; k < len; ++k)
    if (!in(at(k), 0x80, 0xBF))
      return 0;
  return len;
}

bool is_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

} // namespace

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto len = sequence_length(s, i);
    if (len == 0)
      return false;
    i += len;
  }
  return true;
}

std::u32string decode_utf8_lossy(std::string_view s, bool* had_invalid) {
  static constexpr unsigned char lead_mask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
  std::u32string out;
  out.reserve(s.size());
  bool invalid = false;
  for (std::size_t i = 0; i < s.size();) {
    auto len = sequence_length(s, i);
    if (len == 0) { // not a well-formed sequence: drop this byte
      invalid = true;
      ++i;
      continue;
    }
    char32_t cp = static_cast<unsigned char>(s[i]) & lead_mask[len];
    for (std::size_t k = 1; k < len; ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += len;
  }
  if (had_invalid)
    *had_invalid = invalid;
  return out;
}

std::u32string decode_utf8(std::string_view s) {
  return decode_utf8_lossy(s);
}

std::string encode_utf8(std::u32string_view cps) {
  std::string out;
  for (char32_t cp : cps) {
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
      cp = 0xFFFD;
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return out;
}

std::size_t count_code_points(std::string_view s) {
  std::size_t n = 0;
  for (char c : s)
    if (!is_continuation(c))
      ++n;
  return n;
}

std::string_view prefix_code_points(std::string_view s, std::size_t n) {
  std::size_t i = 0;
  for (std::size_t seen = 0; i < s.size(); ++i) {
    if (!is_continuation(s[i]) && seen++ == n)
      break;
  }
  return s.substr(0, i);
}

bool has_control_chars(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F)
      return true;
    // C1: U+0080..U+009F are encoded C2 80..C2 9F.
    if (c == 0xC2 && i + 1 < s.size() &&
        static_cast<unsigned char>(s[i + 1]) <= 0x9F)
      return true;
  }
  return false;
}

} // namespace switchboard::core
