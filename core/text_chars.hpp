#pragma once

// Character classes and a tolerant UTF-8 codec shared by the text rules of
// title.cpp and fts_query.cpp. Kept apart from core/utf8.hpp (strict codec)
// because these rules need Python's notion of whitespace and a decoder that
// keeps going over bad bytes.

#include <string>
#include <string_view>

namespace switchboard::core {

/// Python's `str.isspace()` / regex `\s` on str: \t \n \v \f \r, \x1c-\x1f,
/// space, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F,
/// U+205F, U+3000.
bool is_python_space(char32_t c);

/// Decodes UTF-8, dropping every byte that does not start a well-formed
/// sequence (overlongs, surrogates and values above U+10FFFF are
/// ill-formed). Sets `*had_invalid` (when given) to whether anything was
/// dropped. Never fails.
std::u32string decode_utf8_lossy(std::string_view s,
                                 bool* had_invalid = nullptr);

/// Appends the UTF-8 encoding of `c`. REQUIRES: c <= U+10FFFF, not a
/// surrogate.
void append_utf8(std::string& out, char32_t c);

/// The UTF-8 encoding of `cps`. Same REQUIRES as append_utf8.
std::string to_utf8(std::u32string_view cps);

} // namespace switchboard::core
