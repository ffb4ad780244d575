#pragma once

// The FTS5 query sanitizer (SPEC 10; seed 003 _sanitize_fts5_query with the
// newer peer fixes), and the planning of queries in scripts written without
// spaces (SPEC 10 "every language"; implemented in fts_query_cjk.cpp).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

/// Step 1 of both planners: decoded (invalid bytes dropped), truncated to
/// 2048 code points, ASCII controls turned into spaces.
std::u32string query_code_points(std::string_view query);

/// Most terms a CJK query keeps (later ones are ignored): bounds the SQL a
/// hostile query can build (SQLite's expression depth) and the snippet work.
inline constexpr std::size_t max_cjk_terms = 32;

/// One AND group of a CJK query: a hit holds every `all` term and no `none`
/// term, each as a literal substring (of content or tool_name).
struct cjk_group {
  std::vector<std::string> all;
  std::vector<std::string> none;
};

/// How a query that holds CJK characters (core::is_cjk) is searched.
/// Messages with CJK are matched by substring, in the trigram table: with
/// MATCH when `trigram`, else by an escaped LIKE scan. Messages without CJK
/// can only match a group with no CJK `all` term; when there is one,
/// `token_path` says to run the sanitized query on messages_fts for them.
struct cjk_query {
  std::vector<cjk_group> groups; // OR of groups; none: nothing by substring
  bool trigram = false;    // every term >= 3 code points, every CJK run too
  bool token_path = false; // a group without CJK (or no group at all)
};

/// Parses a query for the CJK path, or nullopt when its first 2048 code
/// points hold no CJK character (the query then takes the FTS5 path alone,
/// exactly as before). The rules, on query_code_points(query):
/// - terms are separated by whitespace and by the FTS5 syntax characters
///   + { } ( ) : ^ * ; a balanced "phrase" is one term, spaces and all; an
///   unbalanced '"' separates. Every other character is literal (so the '%'
///   of `100%完成` is a percent sign);
/// - AND/OR/NOT (any case) at either end are dropped, repeatedly; in between,
///   upper-case OR starts a new group, NOT makes the next term a `none` term,
///   AND is implied; an operator right after another is dropped (as
///   sanitize_fts_query does); a group without `all` terms is dropped;
/// - at most max_cjk_terms terms are kept.
std::optional<cjk_query> plan_cjk_query(std::string_view query);

/// The FTS5 MATCH expression of `q` for the trigram table: every term a
/// quoted string, e.g. `(("记忆系统" AND "agent") NOT "草稿") OR ("会議室")`.
/// Empty when q has no groups.
std::string trigram_match(const cjk_query& q);

/// A snippet of `text` in the style of FTS5's snippet(..., '>>>', '<<<',
/// '...', 40): about `window` code points around the first occurrence of
/// any of `terms` (ASCII case folded, as LIKE does), every occurrence in it
/// marked >>> <<<, "..." where text was cut. Empty when no term occurs.
std::string mark_snippet(std::string_view text,
                         const std::vector<std::string>& terms,
                         std::size_t window = 40);

} // namespace switchboard::core
