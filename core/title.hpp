#pragma once

// Session titles and lineage (SPEC 6, seeds 003 and 004). Pure functions:
// the store supplies the titles that exist.

#include "core/result.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::core {

inline constexpr std::size_t max_title_code_points = 100;

/// Removes ASCII controls except \t \n \r, and U+200B-U+200F, U+2028-U+202E,
/// U+2060-U+2069, U+FEFF, U+FFF9-U+FFFC; collapses whitespace runs to one
/// space; trims. Empty -> nullopt. More than 100 code points -> bad_request
/// "title too long (N code points, max 100)", N counted after cleaning.
/// Invalid UTF-8 -> bad_request "title is not valid UTF-8". Whitespace is
/// Python's \s (see is_python_space in core/text_chars.hpp).
result<std::optional<std::string>> sanitize_title(std::string_view raw);

/// Splits "base #N" into base and N (the seed's `^(.*?) #(\d+)$`: only the
/// last suffix, "a #1 #2" -> "a #1", 2); nullopt when there is no " #N"
/// suffix. N is ASCII digits only (Python's \d would also take other
/// scripts' digits) and must stay below LLONG_MAX, else it is no number.
struct numbered_title {
  std::string base;
  long long number;
};
std::optional<numbered_title> split_numbered_title(std::string_view title);

/// next_title_in_lineage: strips a trailing " #N"; if no existing title is the
/// base or "base #N" returns the base; else "base #(max N + 1)" with the bare
/// base counting as #1. Case-sensitive; `%` and `_` are ordinary characters.
/// `existing` may hold any titles; only the base and its numbered variants
/// count: a variant is exactly base + " #" + ASCII digits ("base #x" and
/// "base #2 #3", which the seed's LIKE 'base #%' also caught, do not count).
std::string next_title_in_lineage(std::string_view title,
                                  const std::vector<std::string>& existing);

struct titled_session {
  std::string id;
  std::string title;
  double started_at = 0;
};

/// resolve_by_title: the newest (by started_at) "title #N" variant if any,
/// else the session whose title is exactly `title`, else nullopt.
/// Case-sensitive; a variant is title + " #" + ASCII digits. Of variants
/// with the same started_at the first in `candidates` wins.
std::optional<std::string>
resolve_by_title(std::string_view title,
                 const std::vector<titled_session>& candidates);

/// The display title of an untitled session (seed 004 title_from): the first
/// user message with non-blank content, whitespace runs collapsed, trimmed,
/// first 64 code points; nullopt when there is none (the caller shows its
/// fallback, the seed's "Untitled"). An absent content is skipped (the seed
/// would have printed "None"); invalid UTF-8 bytes are dropped.
struct role_content {
  std::string role;
  std::optional<std::string> content;
};
std::optional<std::string>
title_from(const std::vector<role_content>& messages);

} // namespace switchboard::core
