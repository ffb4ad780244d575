#pragma once

// Character classes and a tolerant UTF-8 decoder shared by the text rules of
// title.cpp and fts_query.cpp. core/utf8.hpp is the strict codec (encode
// with its encode_utf8); these rules also need Python's notion of
// whitespace and a decoder whose contract is to keep going over bad bytes.

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

} // namespace switchboard::core
