#pragma once

// One owner per data dir (SPEC 15). A process that writes a data dir holds an
// exclusive flock(2) on <data_dir>/switchboard.lock for as long as it runs;
// the file holds the holder's pid so a refused writer can name it.
//
// Why flock and not fcntl: an fcntl lock belongs to the process and goes
// away when *any* descriptor of the file is closed (SQLite or a library
// opening the same path would silently drop it); a flock belongs to the open
// file description. The kernel releases it when the process dies, however
// it dies (kill -9 included), so there is never a stale lock. The
// descriptor is close-on-exec: a flush hook command never inherits it.
// A stale pid left in the file by a killed holder is harmless: only the
// lock counts, and the next holder rewrites the pid.
//
// Readers take no lock: they open state.db read-only beside a writer.

#include "core/result.hpp"

#include <string>

namespace switchboard::persistence {

class data_dir_lock {
public:
  /// Locks `data_dir` (which must exist) without waiting. Errors:
  /// conflict "data dir DIR is in use by pid N" when another process (or
  /// another lock in this one) holds it; internal when the lock file cannot
  /// be opened. Changes nothing but the lock file.
  static core::result<data_dir_lock> acquire(const std::string& data_dir);

  data_dir_lock(data_dir_lock&& other) noexcept;
  data_dir_lock& operator=(data_dir_lock&& other) noexcept;
  data_dir_lock(const data_dir_lock&) = delete;
  data_dir_lock& operator=(const data_dir_lock&) = delete;
  /// Releases the lock (closing the descriptor releases the flock).
  ~data_dir_lock();

  /// The lock file's path.
  static std::string path_for(const std::string& data_dir);

private:
  explicit data_dir_lock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

} // namespace switchboard::persistence
