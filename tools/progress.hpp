#pragma once

// A one-line progress bar for long CLI operations (export, import, prune).
// It draws only when stdout is a terminal and stays silent otherwise, so
// pipes and scripts see only the command's output.

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace switchboard::tools {

class progress_bar {
public:
  /// `total` unknown: shows a count instead of a bar. `enabled` false (or
  /// stdout not a terminal) makes every call a no-op.
  progress_bar(std::string label, std::optional<std::int64_t> total,
               bool enabled = true);
  ~progress_bar();
  progress_bar(const progress_bar&) = delete;
  progress_bar& operator=(const progress_bar&) = delete;

  /// Sets the number of items done; redraws when the shown text changes.
  void update(std::int64_t done);
  /// Completes the line (idempotent).
  void finish();

  bool active() const { return enabled_; }

  /// The text drawn for `done` items (without the carriage return); public
  /// for tests.
  static std::string render(const std::string& label,
                            std::optional<std::int64_t> total,
                            std::int64_t done, int width = 30);

private:
  std::string label_;
  std::optional<std::int64_t> total_;
  bool enabled_;
  bool finished_ = false;
  std::string last_;
  std::int64_t done_ = 0;
};

/// True when stdout is a terminal.
bool stdout_is_terminal();

} // namespace switchboard::tools
