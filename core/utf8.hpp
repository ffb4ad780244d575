#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::core {

/// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool valid_utf8(std::string_view s);

/// Decodes valid UTF-8 into code points. REQUIRES: valid_utf8(s).
std::u32string decode_utf8(std::string_view s);
std::string encode_utf8(std::u32string_view cps);

/// Number of code points. REQUIRES: valid_utf8(s).
std::size_t count_code_points(std::string_view s);

/// The first n code points of s. REQUIRES: valid_utf8(s).
std::string_view prefix_code_points(std::string_view s, std::size_t n);

} // namespace switchboard::core
