#include "actors/mirror.hpp"

#include "core/session_entry.hpp"

#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

namespace switchboard::actors {

namespace {

core::result<nlohmann::json> all_entries(core::store_reader& r,
                                         const core::zone& z) {
  auto out = nlohmann::json::object();
  core::entry_list_query q;
  q.limit = 10000;
  for (;;) {
    auto page = r.list_entries(q);
    if (!page)
      return page.err();
    for (const auto& e : *page)
      out[e.session_key] = core::to_hermes_json(e, z);
    if (static_cast<std::int64_t>(page->size()) < q.limit)
      return out;
    q.offset += q.limit;
  }
}

core::status write_atomically(const std::string& path,
                              const std::string& text) {
  auto tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return core::internal_error("sessions.json mirror: cannot open " + tmp);
  std::size_t off = 0;
  bool ok = true;
  while (ok && off < text.size()) {
    auto n = ::write(fd, text.data() + off, text.size() - off);
    ok = n > 0;
    off += ok ? static_cast<std::size_t>(n) : 0;
  }
  ok = ok && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0)
    return core::internal_error("sessions.json mirror: cannot write " + path);
  return {};
}

} // namespace

core::status write_sessions_mirror(core::store_reader& r,
                                   const std::string& path,
                                   const core::zone& z) {
  auto j = all_entries(r, z);
  if (!j)
    return j.err();
  return write_atomically(path, j->dump(2));
}

} // namespace switchboard::actors
