#pragma once

// Character classes shared by the text rules of title.cpp and fts_query.cpp,
// which follow Python's notion of whitespace. (They decode with
// core::decode_utf8_lossy from core/utf8.hpp.)

#include "core/utf8.hpp"

namespace switchboard::core {

/// Python's `str.isspace()` / regex `\s` on str: \t \n \v \f \r, \x1c-\x1f,
/// space, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F,
/// U+205F, U+3000.
bool is_python_space(char32_t c);

} // namespace switchboard::core
