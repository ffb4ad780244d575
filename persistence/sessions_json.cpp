#include "persistence/sessions_json.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <unistd.h>

namespace switchboard::persistence {

namespace {

constexpr const char* temp_prefix = ".sessions_";
constexpr const char* temp_suffix = ".tmp";

core::error io_error(const std::string& what) {
  return core::internal_error(what + ": " + std::strerror(errno));
}

core::status write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return io_error("write sessions.json");
    done += static_cast<std::size_t>(n);
  }
  return {};
}

core::status fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0)
    return io_error("open " + dir);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? core::status{} : core::status{io_error("fsync " + dir)};
}

// Writes, syncs and closes the temp file.
core::status fill_temp(int fd, const std::string& text) {
  auto st = write_all(fd, text);
  if (st && ::fsync(fd) != 0)
    st = io_error("fsync sessions.json");
  if (::close(fd) != 0 && st)
    st = io_error("close sessions.json");
  return st;
}

} // namespace

core::status
write_sessions_json(const std::string& dir,
                    const std::vector<core::session_entry>& entries,
                    const core::zone& z) {
  nlohmann::json doc = nlohmann::json::object();
  for (const auto& e : entries)
    doc[e.session_key] = core::to_hermes_json(e, z);
  std::string tmpl = dir + "/" + temp_prefix + "XXXXXX" + temp_suffix;
  int fd = ::mkstemps(tmpl.data(), static_cast<int>(std::strlen(temp_suffix)));
  if (fd < 0)
    return io_error("create temp file in " + dir);
  // indent 2 and ASCII escapes, like the seed's json.dump(data, f, indent=2).
  auto st = fill_temp(fd, doc.dump(2, ' ', true));
  if (st && std::rename(tmpl.c_str(), (dir + "/sessions.json").c_str()) != 0)
    st = io_error("rename sessions.json");
  if (!st) {
    ::unlink(tmpl.c_str());
    return st;
  }
  return fsync_dir(dir);
}

void clean_stale_temp_files(const std::string& dir) {
  std::error_code ec;
  for (const auto& f : std::filesystem::directory_iterator(dir, ec)) {
    auto name = f.path().filename().string();
    if (name.starts_with(temp_prefix) && name.ends_with(temp_suffix))
      std::filesystem::remove(f.path(), ec);
  }
}

} // namespace switchboard::persistence
