#include "tools/progress.hpp"

#include <unistd.h>

#include <algorithm>

namespace switchboard::tools {

bool stdout_is_terminal() {
  return ::isatty(STDOUT_FILENO) == 1;
}

progress_bar::progress_bar(std::string label, std::optional<std::int64_t> total,
                           bool enabled)
  : label_(std::move(label)), total_(total),
    enabled_(enabled && stdout_is_terminal()) {}

progress_bar::~progress_bar() {
  finish();
}

std::string progress_bar::render(const std::string& label,
                                 std::optional<std::int64_t> total,
                                 std::int64_t done, int width) {
  if (!total || *total <= 0)
    return label + " " + std::to_string(done);
  auto shown = std::clamp<std::int64_t>(done, 0, *total);
  int filled = static_cast<int>(shown * width / *total);
  int percent = static_cast<int>(shown * 100 / *total);
  return label + " [" + std::string(filled, '#') +
         std::string(width - filled, '.') + "] " + std::to_string(percent) +
         "% " + std::to_string(done) + "/" + std::to_string(*total);
}

void progress_bar::update(std::int64_t done) {
  done_ = done;
  if (!enabled_ || finished_)
    return;
  auto text = render(label_, total_, done);
  if (text == last_)
    return;
  last_ = text;
  std::fprintf(stdout, "\r%s", text.c_str());
  std::fflush(stdout);
}

void progress_bar::finish() {
  if (!enabled_ || finished_)
    return;
  finished_ = true;
  // Clear the line: the command's own result follows.
  std::fprintf(stdout, "\r%s\r", std::string(last_.size(), ' ').c_str());
  std::fflush(stdout);
}

} // namespace switchboard::tools
