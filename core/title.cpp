#include "core/title.hpp"

#include "core/text_chars.hpp"
#include "core/utf8.hpp"

#include <algorithm>
#include <charconv>
#include <climits>

namespace switchboard::core {

namespace {

constexpr std::size_t title_from_code_points = 64;

/// The characters sanitize_title deletes outright (seed 003): ASCII controls
/// other than \t \n \r, zero-width and bidi controls, invisible operators,
/// the BOM and the interlinear annotation / object replacement characters.
bool is_removed_title_char(char32_t c) {
  if (c < 0x20)
    return c != '\t' && c != '\n' && c != '\r';
  return c == 0x7F || (c >= 0x200B && c <= 0x200F) ||
         (c >= 0x2028 && c <= 0x202E) || (c >= 0x2060 && c <= 0x2069) ||
         c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC);
}

/// Python's `re.sub(r'\s+', ' ', s).strip()`.
std::u32string collapse_whitespace(std::u32string_view s) {
  std::u32string out;
  bool pending_space = false;
  for (char32_t c : s) {
    if (is_python_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space)
      out.push_back(U' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

/// Parses a run of ASCII digits; nullopt when empty, not all digits, or too
/// large to be incremented safely.
std::optional<long long> parse_title_number(std::string_view digits) {
  if (digits.empty())
    return std::nullopt;
  long long n = 0;
  auto [end, ec] =
    std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc{} || end != digits.data() + digits.size() || n < 0 ||
      n == LLONG_MAX)
    return std::nullopt;
  return n;
}

/// The N of `title` when it is exactly `base + " #" + N`, N one or more
/// ASCII digits of any length, as a decimal string without leading zeros
/// ("0" for zero). Strings, not integers: like the seed's Python ints, a
/// number past 2^63 still counts, so the next title is never one that
/// exists.
std::optional<std::string> variant_digits(std::string_view title,
                                          std::string_view base) {
  if (title.size() < base.size() + 3 || title.substr(0, base.size()) != base ||
      title.substr(base.size(), 2) != " #")
    return std::nullopt;
  auto digits = title.substr(base.size() + 2);
  if (!std::all_of(digits.begin(), digits.end(),
                   [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  auto first = digits.find_first_not_of('0');
  return std::string(first == std::string_view::npos ? "0"
                                                     : digits.substr(first));
}

/// a < b for decimal strings without leading zeros.
bool digits_less(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

/// d + 1 for a decimal string.
std::string digits_plus_one(std::string d) {
  auto i = d.size();
  while (i > 0 && d[i - 1] == '9')
    d[--i] = '0';
  if (i == 0)
    return "1" + d;
  ++d[i - 1];
  return d;
}

} // namespace

result<std::optional<std::string>> sanitize_title(std::string_view raw) {
  if (!valid_utf8(raw))
    return bad_request("title is not valid UTF-8");
  std::u32string cps = decode_utf8(raw);
  std::erase_if(cps, is_removed_title_char);
  std::u32string cleaned = collapse_whitespace(cps);
  if (cleaned.empty())
    return std::optional<std::string>{};
  if (cleaned.size() > max_title_code_points)
    return bad_request("title too long (" + std::to_string(cleaned.size()) +
                       " code points, max " +
                       std::to_string(max_title_code_points) + ")");
  return std::optional<std::string>{encode_utf8(cleaned)};
}

std::optional<numbered_title> split_numbered_title(std::string_view title) {
  std::size_t digits_at = title.size();
  while (digits_at > 0 && title[digits_at - 1] >= '0' &&
         title[digits_at - 1] <= '9')
    --digits_at;
  if (digits_at < 2 || title.substr(digits_at - 2, 2) != " #")
    return std::nullopt;
  auto number = parse_title_number(title.substr(digits_at));
  if (!number)
    return std::nullopt;
  return numbered_title{std::string(title.substr(0, digits_at - 2)), *number};
}

std::string next_title_in_lineage(std::string_view title,
                                  const std::vector<std::string>& existing) {
  auto numbered = split_numbered_title(title);
  std::string base = numbered ? numbered->base : std::string(title);
  bool taken = false;
  std::string max_number = "1"; // the bare base counts as #1
  for (const auto& t : existing) {
    if (t == base) {
      taken = true;
    } else if (auto n = variant_digits(t, base)) {
      taken = true;
      if (digits_less(max_number, *n))
        max_number = std::move(*n);
    }
  }
  if (!taken)
    return base;
  return base + " #" + digits_plus_one(std::move(max_number));
}

std::optional<std::string>
resolve_by_title(std::string_view title,
                 const std::vector<titled_session>& candidates) {
  const titled_session* newest_variant = nullptr;
  const titled_session* exact = nullptr;
  for (const auto& s : candidates) {
    if (s.title == title && !exact)
      exact = &s;
    if (variant_digits(s.title, title) &&
        (!newest_variant || s.started_at > newest_variant->started_at))
      newest_variant = &s;
  }
  if (newest_variant)
    return newest_variant->id;
  if (exact)
    return exact->id;
  return std::nullopt;
}

std::optional<std::string>
title_from(const std::vector<role_content>& messages) {
  for (const auto& m : messages) {
    if (m.role != "user" || !m.content)
      continue;
    std::u32string text = collapse_whitespace(decode_utf8_lossy(*m.content));
    if (text.empty())
      continue;
    if (text.size() > title_from_code_points)
      text.resize(title_from_code_points);
    return encode_utf8(text);
  }
  return std::nullopt;
}

} // namespace switchboard::core
