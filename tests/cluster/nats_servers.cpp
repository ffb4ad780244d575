#include "tests/cluster/nats_servers.hpp"

#include "cluster/nats_client.hpp"
#include "tests/support/process.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace switchboard::testing {

namespace {

using namespace std::chrono_literals;

/// `n` distinct free TCP ports on 127.0.0.1 (bound together, then
/// released: another process could take one meanwhile, so start() retries).
std::vector<int> free_ports(int n) {
  std::vector<int> fds, ports;
  for (int i = 0; i < n; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      ports.push_back(0);
    else
      ports.push_back(ntohs(addr.sin_port));
    fds.push_back(fd);
  }
  for (int fd : fds)
    ::close(fd);
  return ports;
}

std::string route_list(const std::vector<int>& cluster_ports) {
  std::string out;
  for (int p : cluster_ports)
    out += (out.empty() ? "" : ",") + std::string{"nats://127.0.0.1:"} +
           std::to_string(p);
  return out;
}

/// Creates and deletes a stream with `replicas` replicas: JetStream is up
/// and every server has joined it.
bool can_place(const std::vector<std::string>& urls, int replicas) {
  auto c = cluster::nats_client::connect(urls, 2s);
  if (!c)
    return false;
  jsStreamConfig sc;
  jsStreamConfig_Init(&sc);
  sc.Name = "READY_PROBE";
  sc.Replicas = replicas;
  sc.Storage = js_MemoryStorage;
  jsStreamInfo* si = nullptr;
  auto s = js_AddStream(&si, (*c)->js(), &sc, nullptr, nullptr);
  jsStreamInfo_Destroy(si);
  if (s != NATS_OK)
    return false;
  return js_DeleteStream((*c)->js(), "READY_PROBE", nullptr, nullptr) ==
         NATS_OK;
}

/// Reaps `pid` if it has exited (then sets it to -1).
bool exited(pid_t& pid) {
  int status = 0;
  if (pid <= 0 || ::waitpid(pid, &status, WNOHANG) != pid)
    return false;
  pid = -1;
  return true;
}

/// The last `n` bytes of a file.
std::string tail(const std::string& path, std::size_t n) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  return text.size() > n ? text.substr(text.size() - n) : text;
}

} // namespace

std::string nats_server_bin() {
  if (const char* env = std::getenv("NATS_SERVER_BIN"); env && *env)
    return env;
  for (const char* path : {"/usr/sbin/nats-server", "/usr/bin/nats-server"})
    if (::access(path, X_OK) == 0)
      return path;
  return "";
}

nats_servers::nats_servers(int count) {
  if (nats_server_bin().empty()) {
    error_ = "nats-server is not installed (tools/install-deps.sh installs "
             "it; or set NATS_SERVER_BIN)";
    return;
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    start(count);
    if (wait_ready(count)) {
      error_.clear();
      return;
    }
    stop_all();
  }
}

nats_servers::~nats_servers() {
  stop_all();
}

std::string nats_servers::urls() const {
  std::string out;
  for (const auto& u : urls_)
    out += (out.empty() ? "" : ",") + u;
  return out;
}

void nats_servers::start(int count) {
  auto ports = free_ports(2 * count); // client ports, then cluster ports
  std::vector<int> cluster_ports(ports.begin() + count, ports.end());
  for (int i = 0; i < count; ++i) {
    auto name = "n" + std::to_string(i + 1);
    auto store = dir_.file("store-" + name + "-" + std::to_string(ports[i]));
    std::vector<std::string> args{nats_server_bin(),
                                  "-js",
                                  "-a",
                                  "127.0.0.1",
                                  "-p",
                                  std::to_string(ports[i]),
                                  "--server_name",
                                  name,
                                  "-sd",
                                  store,
                                  "-l",
                                  dir_.file(name + ".log")};
    if (count > 1) {
      args.insert(
        args.end(),
        {"--cluster", "nats://127.0.0.1:" + std::to_string(cluster_ports[i]),
         "--cluster_name", "sbtest", "--routes", route_list(cluster_ports)});
    }
    pids_.push_back(spawn_quiet(args));
    args_.push_back(args);
    urls_.push_back("nats://127.0.0.1:" + std::to_string(ports[i]));
  }
}

bool nats_servers::wait_ready(int count) {
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    for (std::size_t i = 0; i < pids_.size(); ++i)
      if (exited(pids_[i])) {
        error_ = "nats-server n" + std::to_string(i + 1) +
                 " exited at start; its log ends:\n" +
                 tail(dir_.file("n" + std::to_string(i + 1) + ".log"), 1500);
        return false;
      }
    if (can_place(urls_, count))
      return true;
    std::this_thread::sleep_for(100ms);
  }
  error_ = "nats-server did not get ready within 30 s; n1's log ends:\n" +
           tail(dir_.file("n1.log"), 1500);
  return false;
}

void nats_servers::kill(std::size_t index) {
  if (index >= pids_.size() || pids_[index] <= 0)
    return;
  ::kill(pids_[index], SIGKILL);
  int status = 0;
  ::waitpid(pids_[index], &status, 0);
  pids_[index] = -1;
}

void nats_servers::restart(std::size_t index) {
  if (index >= pids_.size() || pids_[index] > 0)
    return;
  pids_[index] = spawn_quiet(args_[index]);
}

void nats_servers::stop_all() {
  for (pid_t pid : pids_) {
    if (pid <= 0)
      continue;
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
  }
  pids_.clear();
  args_.clear();
  urls_.clear();
}

} // namespace switchboard::testing
