#pragma once

// Character classes shared by the text rules of title.cpp and fts_query.cpp,
// which follow Python's notion of whitespace, and the CJK test that decides
// which messages the trigram search index holds (SPEC 10 "every language").
// (They decode with core::decode_utf8_lossy from core/utf8.hpp.)

#include "core/utf8.hpp"

#include <string_view>

namespace switchboard::core {

/// Python's `str.isspace()` / regex `\s` on str: \t \n \v \f \r, \x1c-\x1f,
/// space, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F,
/// U+205F, U+3000.
bool is_python_space(char32_t c);

/// A character of a script written without spaces between words, which
/// FTS5's default tokenizer would index as one token per run: Han
/// (U+2E80-U+2FFF radicals, U+3400-U+4DBF, U+4E00-U+9FFF, U+F900-U+FAFF,
/// U+20000-U+3FFFF), Hiragana and Katakana (U+3040-U+30FF, U+31F0-U+31FF,
/// halfwidth U+FF61-U+FF9F, U+1AFF0-U+1B16F), Bopomofo and CJK symbols and
/// punctuation (U+3000-U+303F, U+3100-U+312F, U+3190-U+33FF, U+FE30-U+FE4F,
/// fullwidth forms U+FF00-U+FF60 and U+FFE0-U+FFEF). Hangul is NOT: Korean
/// is written with spaces and keeps the default tokenizer.
bool is_cjk(char32_t c);

/// Whether `s` (any bytes; ill-formed UTF-8 is skipped) holds an is_cjk
/// character. Cheap on text without one: every CJK character is at or above
/// U+2E80, so only bytes >= 0xE2 (a 3- or 4-byte lead) are looked at.
bool contains_cjk(std::string_view s);

} // namespace switchboard::core
