#include "server_process.hpp"

#include "process.hpp"

#include <curl/curl.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>

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

size_t on_body(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

} // namespace

server_process::server_process(const std::vector<std::string>& extra_args) {
  std::vector<std::string> args{switchboard_bin(), "serve", "--listen",
                                "127.0.0.1:0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  int fds[2];
  if (::pipe(fds) != 0)
    return;
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
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

std::string make_temp_dir() {
  auto tmpl = (std::filesystem::temp_directory_path() / "switchboard-XXXXXX")
                .string();
  return ::mkdtemp(tmpl.data()) ? tmpl : std::string{};
}

http_result http(const std::string& method, const std::string& url,
                 const std::string& body,
                 const std::vector<std::string>& headers) {
  http_result r;
  CURL* c = curl_easy_init();
  curl_slist* list = nullptr;
  for (const auto& h : headers)
    list = curl_slist_append(list, h.c_str());
  list = curl_slist_append(list, "Expect:");
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST" || method == "PUT") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
  if (curl_easy_perform(c) == CURLE_OK)
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(c);
  return r;
}

} // namespace switchboard::testing
