#include "actors/flush_hook.hpp"

#include <curl/curl.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <mutex>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace switchboard::actors {

namespace {

std::size_t discard_body(char*, std::size_t size, std::size_t n, void*) {
  return size * n;
}

/// Writes `text` to a fresh temporary file and returns its descriptor,
/// positioned at the start (the command's stdin: no pipe, no SIGPIPE).
int stdin_file(const std::string& dir, const std::string& text) {
  std::string tmpl =
    (dir.empty() ? std::string("/tmp") : dir) + "/.flush-XXXXXX";
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0)
    return -1;
  ::unlink(tmpl.c_str());
  std::size_t off = 0;
  while (off < text.size()) {
    auto n = ::write(fd, text.data() + off, text.size() - off);
    if (n <= 0) {
      ::close(fd);
      return -1;
    }
    off += static_cast<std::size_t>(n);
  }
  ::lseek(fd, 0, SEEK_SET);
  return fd;
}

/// Waits for `pid` (the leader of its own process group) until `deadline`;
/// after it, kills the whole group (the shell and whatever it started, which
/// may hold our stdout open) and reaps only the shell. Returns the wait
/// status or -1 on timeout.
int wait_until(pid_t pid, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    int status = 0;
    auto r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid)
      return status;
    if (r < 0)
      return -1;
    if (std::chrono::steady_clock::now() >= deadline) {
      ::killpg(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

} // namespace

core::status run_webhook(const std::string& url, const nlohmann::json& payload,
                         double timeout_seconds) {
  // curl_easy_init's implicit global init is not thread-safe: do it once.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURL* curl = curl_easy_init();
  if (!curl)
    return core::internal_error("webhook: curl_easy_init failed");
  auto body = payload.dump();
  curl_slist* headers =
    curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(timeout_seconds * 1000));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_body);
  auto rc = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK)
    return core::internal_error(std::string("webhook: ") +
                                curl_easy_strerror(rc));
  if (code < 200 || code > 299)
    return core::internal_error("webhook: HTTP " + std::to_string(code));
  return {};
}

core::status run_command(const std::string& command,
                         const nlohmann::json& payload, double timeout_seconds,
                         const std::string& scratch_dir) {
  int fd = stdin_file(scratch_dir, payload.dump());
  if (fd < 0)
    return core::internal_error("flush command: cannot write its stdin");
  auto deadline =
    std::chrono::steady_clock::now() +
    std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(timeout_seconds));
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0); // its own group, so a timeout kills its children too
    ::dup2(fd, 0);
    ::execl("/bin/sh", "sh", "-c", command.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fd);
  if (pid < 0)
    return core::internal_error("flush command: fork failed");
  ::setpgid(pid, pid); // also here: the group must exist before any killpg
  int status = wait_until(pid, deadline);
  if (status < 0)
    return core::internal_error("flush command: timed out");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return core::internal_error("flush command: failed");
  return {};
}

flush_hook_fn make_flush_hook(const core::settings& cfg) {
  const auto& f = cfg.flush;
  auto timeout = f.timeout_seconds;
  if (f.hook == core::flush_hook::webhook && f.url) {
    auto url = *f.url;
    return [url, timeout](const nlohmann::json& p) {
      return run_webhook(url, p, timeout);
    };
  }
  if (f.hook == core::flush_hook::command && f.command) {
    auto cmd = *f.command;
    auto dir = cfg.data_dir;
    return [cmd, timeout, dir](const nlohmann::json& p) {
      return run_command(cmd, p, timeout, dir);
    };
  }
  return [](const nlohmann::json&) {
    return core::status{};
  };
}

} // namespace switchboard::actors
