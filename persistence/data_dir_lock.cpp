#include "persistence/data_dir_lock.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace switchboard::persistence {

namespace {

/// The pid written in the lock file, or "" when it cannot be read yet.
std::string read_pid(int fd) {
  char buf[32] = {};
  auto n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0)
    return {};
  std::string pid(buf, static_cast<std::size_t>(n));
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' '))
    pid.pop_back();
  return pid;
}

/// The holder's pid. Why retry: the holder writes its pid just after it
/// locks; a refused writer may look in between and find the file empty.
std::string holder_pid(int fd) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    auto pid = read_pid(fd);
    if (!pid.empty())
      return pid;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return "unknown";
}

core::status write_pid(int fd) {
  auto text = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) !=
                                   static_cast<ssize_t>(text.size()))
    return core::internal_error(std::string{"cannot write the lock file: "} +
                                std::strerror(errno));
  return {};
}

} // namespace

std::string data_dir_lock::path_for(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "switchboard.lock").string();
}

core::result<data_dir_lock>
data_dir_lock::acquire(const std::string& data_dir) {
  auto path = path_for(data_dir);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return core::internal_error("cannot open the lock file " + path + ": " +
                                std::strerror(errno));
  data_dir_lock lock(fd);
  int rc;
  do {
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    if (errno != EWOULDBLOCK)
      return core::internal_error("cannot lock " + path + ": " +
                                  std::strerror(errno));
    return core::conflict("data dir " + data_dir + " is in use by pid " +
                          holder_pid(fd));
  }
  if (auto st = write_pid(fd); !st)
    return st.err();
  return core::result<data_dir_lock>(std::move(lock));
}

data_dir_lock::data_dir_lock(data_dir_lock&& other) noexcept : fd_(other.fd_) {
  other.fd_ = -1;
}

data_dir_lock& data_dir_lock::operator=(data_dir_lock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

data_dir_lock::~data_dir_lock() {
  if (fd_ >= 0)
    ::close(fd_);
}

} // namespace switchboard::persistence
