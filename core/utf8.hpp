#pragma once

// UTF-8 helpers for validating and measuring untrusted text (sources,
// messages, titles). Validity follows Unicode table 3-7.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::core {

/// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, <=
/// U+10FFFF).
bool valid_utf8(std::string_view s);

/// Decodes valid UTF-8 into code points. REQUIRES: valid_utf8(s) (bytes of
/// an ill-formed sequence are skipped, never read past the end).
std::u32string decode_utf8(std::string_view s);

/// Encodes code points as UTF-8. Surrogates and values above U+10FFFF are
/// not scalar values: each becomes U+FFFD, so the result is always valid.
std::string encode_utf8(std::u32string_view cps);

/// Decodes UTF-8, dropping every byte that does not start a well-formed
/// sequence (overlongs, surrogates and values above U+10FFFF are
/// ill-formed). Sets `*had_invalid` (when given) to whether anything was
/// dropped. Never fails.
std::u32string decode_utf8_lossy(std::string_view s,
                                 bool* had_invalid = nullptr);

/// True when `s` holds a control character: C0 (U+0000..U+001F), DEL, or
/// C1 (U+0080..U+009F). REQUIRES: valid_utf8(s).
bool has_control_chars(std::string_view s);

/// Number of code points. REQUIRES: valid_utf8(s).
std::size_t count_code_points(std::string_view s);

/// The first n code points of s (all of s when it has fewer).
/// REQUIRES: valid_utf8(s).
std::string_view prefix_code_points(std::string_view s, std::size_t n);

} // namespace switchboard::core
