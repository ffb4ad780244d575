#pragma once

// Fixtures for CLI tests that work on a data dir: a temporary directory, a
// data dir filled through the persistence API, and a tiny Hermes home (the
// seed's schema v6 written with plain SQL).

#include <string>

namespace switchboard::testing {

/// A fresh directory under the system temp dir, removed with its contents.
class temp_dir {
public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
  std::string path_;
};

/// Writes DIR/state.db with two sessions started at epoch 1000 and 2000:
///  - "20260101_000000_aaaa1111" (telegram, ended, title "alpha"): a user
///    message "hello kangaroo world" and an assistant reply "hi there";
///  - "20260102_000000_bbbb2222" (discord, open): "second session text";
/// and the entry "agent:main:discord:dm:7" -> the second session.
/// Returns "" on success, else what failed.
std::string fill_data_dir(const std::string& dir);

/// Writes HOME/state.db in the seed's schema v6 with one session
/// "20250505_050505_cccc3333" (cli) holding one user message "imported
/// platypus". Returns "" on success, else what failed.
std::string make_hermes_home(const std::string& home);

} // namespace switchboard::testing
