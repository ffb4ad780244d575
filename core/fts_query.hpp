#pragma once

// The FTS5 query sanitizer (SPEC 10; seed 003 _sanitize_fts5_query with the
// newer peer fixes).

#include <string>
#include <string_view>

namespace switchboard::core {

inline constexpr std::size_t max_search_query_chars = 2048;

/// Turns user input into an FTS5 MATCH expression that SQLite always
/// accepts, step by step:
/// 1. decode UTF-8 dropping invalid bytes, truncate to 2048 code points,
///    turn ASCII controls (NUL included) into spaces;
/// 2. protect balanced "phrases" (the seed's `"[^"]*"`, left to right); they
///    come back verbatim;
/// 3. outside them, replace each of + { } ( ) : " ^ with a space, and so
///    every other ASCII character FTS5 would read as syntax (, ; ! ? # $ %
///    & ' / < = > @ [ \ ] ` | ~) and all Unicode whitespace (Python's \s);
///    '*', '.' and '-' are left to the next steps;
/// 4. collapse runs of '*'; a '*' not right after a word or phrase (so also
///    one starting a word) becomes a space;
/// 5. wrap words joined by '.', '-' or '_' in quotes (chat-send, P2.2,
///    config_v2.yaml; the seed's `\b(\w+(?:[-._]\w+)+)\b`), then turn the
///    '.' and '-' left over into spaces;
/// 6. drop an AND/OR/NOT (any case, without '*') at either end, repeatedly;
///    an upper-case AND/OR/NOT (an FTS5 operator) loses a '*' and, right
///    after another operator, is dropped;
/// 7. restore the phrases; whitespace runs become one space, trimmed; two
///    quoted units that touched get a space between them (FTS5 would read
///    `"a""b"` as one string); operators get a space on both sides.
/// Word characters are ASCII letters, digits and '_' plus every non-ASCII
/// code point that is not whitespace (what FTS5 itself reads as a bareword),
/// not Python's Unicode-aware \w.
/// The output may exceed 2048 code points only by the quotes of step 5.
/// Empty result means "no query": search returns no hits.
std::string sanitize_fts_query(std::string_view query);

} // namespace switchboard::core
