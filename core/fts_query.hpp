#pragma once

// The FTS5 query sanitizer (SPEC 10; seed 003 _sanitize_fts5_query with the
// newer peer fixes).

#include <string>
#include <string_view>

namespace switchboard::core {

inline constexpr std::size_t max_search_query_chars = 2048;

/// Turns user input into an FTS5 MATCH expression, step by step:
/// 1. truncate to 2048 code points (invalid UTF-8 bytes dropped);
/// 2. protect balanced "phrases";
/// 3. replace each of + { } ( ) : " ^ left outside them with a space;
/// 4. collapse runs of '*', drop a '*' that starts a word;
/// 5. drop a leading or trailing AND/OR/NOT (any case);
/// 6. wrap words joined by '.', '-' or '_' in quotes (chat-send, P2.2,
///    config_v2.yaml);
/// 7. restore the phrases; trim.
/// Empty result means "no query": search returns no hits.
std::string sanitize_fts_query(std::string_view query);

} // namespace switchboard::core
