#pragma once

// Temporary directories for tests: a scoped one removed with its contents,
// and a bare one left in place (for data a failing test should keep).

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

/// A fresh empty directory under the system temp dir, never removed; ""
/// when it cannot be made.
std::string make_temp_dir();

} // namespace switchboard::testing
