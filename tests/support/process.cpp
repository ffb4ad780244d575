#include "tests/support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>

namespace switchboard::testing {

namespace {

/// In the child: wires up the pipes and execs. Never returns.
[[noreturn]] void exec_child(const std::vector<std::string>& args, int out_fd,
                             int err_fd) {
  int null_fd = ::open("/dev/null", O_RDONLY);
  ::dup2(null_fd, STDIN_FILENO);
  ::dup2(out_fd, STDOUT_FILENO);
  ::dup2(err_fd, STDERR_FILENO);
  std::vector<char*> argv;
  for (const auto& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

/// Reads both pipes until each reaches EOF.
void drain(int out_fd, int err_fd, process_result& r) {
  std::array<pollfd, 2> fds{{{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}}};
  std::array<std::string*, 2> sinks{&r.out, &r.err};
  int open_count = 2;
  char buf[4096];
  while (open_count > 0) {
    if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR)
      return;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0)
        continue;
      auto n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1; // poll ignores negative descriptors
        --open_count;
      }
    }
  }
}

int exit_code_of(int status) {
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return -1;
}

} // namespace

process_result run_command(const std::vector<std::string>& args) {
  process_result r;
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0)
    return r;
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    return r;
  }
  pid_t pid = ::fork();
  if (pid == 0)
    exec_child(args, out[1], err[1]);
  ::close(out[1]);
  ::close(err[1]);
  if (pid > 0)
    drain(out[0], err[0], r);
  ::close(out[0]);
  ::close(err[0]);
  int status = 0;
  if (pid > 0 && ::waitpid(pid, &status, 0) == pid)
    r.exit_code = exit_code_of(status);
  return r;
}

pid_t spawn_quiet(const std::vector<std::string>& args) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int null_fd = ::open("/dev/null", O_RDWR);
    exec_child(args, null_fd, null_fd);
  }
  return pid;
}

std::string switchboard_bin() {
  const char* bin = std::getenv("SWITCHBOARD_BIN");
  return bin && *bin ? bin : SWITCHBOARD_BIN_PATH;
}

} // namespace switchboard::testing
