// print_table: aligned, UTF-8 aware columns for the readable output.

#include "tools/client.hpp"

#include <iostream>

namespace switchboard::tools {

namespace {

bool continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

std::size_t code_points(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    n += continuation(c) ? 0 : 1;
  return n;
}

/// At most `max` code points, the last one "…" when cut.
std::string clip(const std::string& s, std::size_t max) {
  if (code_points(s) <= max)
    return s;
  std::size_t n = 0, i = 0;
  for (; i < s.size(); ++i) {
    if (!continuation(static_cast<unsigned char>(s[i])) && n++ == max - 1)
      break;
  }
  return s.substr(0, i) + "\u2026";
}

void print_row(const std::vector<std::string>& cells,
               const std::vector<std::size_t>& widths) {
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    line += cells[i];
    if (i + 1 < cells.size())
      line += std::string(widths[i] - code_points(cells[i]) + 2, ' ');
  }
  std::cout << line << "\n";
}

} // namespace

void print_table(const std::vector<std::string>& headers,
                 const std::vector<std::vector<std::string>>& rows,
                 std::size_t max_width) {
  std::vector<std::vector<std::string>> all{headers};
  for (const auto& r : rows) {
    all.emplace_back();
    for (const auto& c : r)
      all.back().push_back(clip(c, max_width));
  }
  std::vector<std::size_t> widths(headers.size(), 0);
  for (const auto& r : all)
    for (std::size_t i = 0; i < r.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], code_points(r[i]));
  for (const auto& r : all)
    print_row(r, widths);
}

} // namespace switchboard::tools
