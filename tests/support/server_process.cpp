#include "tests/support/server_process.hpp"

#include "tests/support/process.hpp"

#include <csignal>

#include <sys/wait.h>
#include <unistd.h>

namespace switchboard::testing {

namespace {

std::string read_line(int fd) {
  std::string line;
  char c = 0;
  while (::read(fd, &c, 1) == 1 && c != '\n')
    line.push_back(c);
  return line;
}

} // namespace

server_process::server_process(const std::vector<std::string>& extra_args) {
  std::vector<std::string> args{switchboard_bin(), "serve", "--listen",
                                "127.0.0.1:0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  int fds[2];
  if (::pipe(fds) != 0)
    return;
  // argv is built before fork: the child of a multi-threaded test may not
  // allocate (another thread may hold the allocator's lock).
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  out_fd_ = fds[0];
  line_ = read_line(out_fd_);
  const std::string prefix = "switchboard listening on ";
  if (line_.rfind(prefix, 0) == 0)
    url_ = line_.substr(prefix.size());
}

server_process::~server_process() {
  if (pid_ > 0)
    stop(SIGKILL);
  if (out_fd_ >= 0)
    ::close(out_fd_);
}

int server_process::stop(int sig) {
  if (pid_ <= 0)
    return -1;
  ::kill(pid_, sig);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

} // namespace switchboard::testing
