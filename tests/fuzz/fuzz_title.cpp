// fuzz_title: the title functions of core/title.hpp on raw bytes.
//
// Input: the first line is the title, the other lines are existing titles
// (for next_title_in_lineage / resolve_by_title) and user messages (for
// title_from).
//
// Invariants (SPEC 6): sanitize_title rejects invalid UTF-8; an accepted
// title is valid UTF-8, non-empty, at most 100 code points, trimmed, with no
// whitespace run, no removed character left, and sanitizing it again gives
// it back unchanged (idempotent). next_title_in_lineage gives a title no
// existing session holds; resolve_by_title gives one of the candidates'
// ids; title_from gives valid UTF-8 of 1-64 code points, trimmed before the
// cut to 64 (so a 64-code-point title may end in a space, as in the seed).

#include "core/text_chars.hpp"
#include "core/title.hpp"
#include "core/utf8.hpp"
#include "fuzz_util.hpp"

#include <algorithm>
#include <vector>

namespace {

using namespace switchboard;
using fuzz::check;

bool removed_char(char32_t c) {
  return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f ||
         (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
         (c >= 0x2060 && c <= 0x2069) || c == 0xfeff ||
         (c >= 0xfff9 && c <= 0xfffc);
}

/// Trimmed, one space between words. `cut_at_max`: the text was cut to
/// max_cps after trimming (title_from, like the seed's strip()[:64]), so it
/// may end in the space it was cut after.
void check_clean(std::string_view t, std::size_t max_cps, const char* what,
                 bool cut_at_max = false) {
  check(!t.empty(), what, "empty");
  check(core::valid_utf8(t), what, "invalid UTF-8");
  auto cps = core::decode_utf8(t);
  check(cps.size() <= max_cps, what, "too many code points");
  bool cut = cut_at_max && cps.size() == max_cps;
  check(!core::is_python_space(cps.front()) &&
          (cut || !core::is_python_space(cps.back())),
        what, "not trimmed");
  for (std::size_t i = 0; i < cps.size(); ++i) {
    bool space = core::is_python_space(cps[i]);
    check(!space || cps[i] == U' ', what, "whitespace other than ' '");
    check(!space || i + 1 == cps.size() || !core::is_python_space(cps[i + 1]),
          what, "whitespace run");
  }
}

void check_sanitize(std::string_view raw) {
  auto r = core::sanitize_title(raw);
  if (!core::valid_utf8(raw))
    check(!r.ok(), "invalid UTF-8 title accepted", raw);
  if (!r) {
    check(r.err().code == core::errc::bad_request,
          "title error not bad_request");
    return;
  }
  if (!*r)
    return;
  const auto& t = **r;
  check_clean(t, core::max_title_code_points, "sanitized title");
  for (char32_t c : core::decode_utf8(t))
    check(!removed_char(c), "sanitized title keeps a removed character", t);
  auto again = core::sanitize_title(t);
  check(again.ok() && *again && **again == t, "sanitize_title not idempotent",
        t);
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = std::min(text.find('\n', start), text.size());
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

void check_lineage(const std::vector<std::string>& lines) {
  std::vector<std::string> existing(lines.begin() + 1, lines.end());
  auto next = core::next_title_in_lineage(lines[0], existing);
  check(std::find(existing.begin(), existing.end(), next) == existing.end(),
        "next_title_in_lineage gives an existing title", next);
  std::vector<core::titled_session> candidates;
  for (std::size_t i = 0; i < existing.size(); ++i)
    candidates.push_back(
      {"id" + std::to_string(i), existing[i], static_cast<double>(i % 3)});
  auto id = core::resolve_by_title(lines[0], candidates);
  check(!id || std::any_of(candidates.begin(), candidates.end(),
                           [&](const auto& c) { return c.id == *id; }),
        "resolve_by_title gives an unknown id");
}

void check_title_from(const std::vector<std::string>& lines) {
  std::vector<core::role_content> messages;
  for (std::size_t i = 0; i < lines.size(); ++i)
    messages.push_back({i % 2 ? "assistant" : "user", lines[i]});
  auto t = core::title_from(messages);
  if (t)
    check_clean(*t, 64, "title_from", true);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  auto text = fuzz::as_text(data, size);
  auto lines = split_lines(text);
  check_sanitize(lines[0]);
  check_sanitize(text);
  check_lineage(lines);
  check_title_from(lines);
  return 0;
}
