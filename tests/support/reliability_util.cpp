#include "tests/support/reliability_util.hpp"

#include <sqlite3.h>

#include <fstream>
#include <regex>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace switchboard::testing {

int port_of(const std::string& url) {
  auto colon = url.rfind(':');
  return colon == std::string::npos ? 0 : std::stoi(url.substr(colon + 1));
}

raw_result raw_exchange(int port, const std::string& bytes, bool half_close,
                        std::chrono::milliseconds read_budget) {
  raw_result out;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    out.closed = true;
    return out;
  }
  size_t sent = 0;
  while (sent < bytes.size()) {
    auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0)
      break;
    sent += static_cast<size_t>(n);
  }
  if (half_close)
    ::shutdown(fd, SHUT_WR);
  char buf[65536];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(read_budget.count()));
    if (ready <= 0)
      break;
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      out.closed = true;
      break;
    }
    out.received.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

std::vector<int> response_statuses(const std::string& raw) {
  std::vector<int> out;
  static const std::regex status_line{R"(HTTP/1\.[01] (\d{3}) )"};
  for (std::sregex_iterator it{raw.begin(), raw.end(), status_line}, end;
       it != end; ++it)
    out.push_back(std::stoi((*it)[1].str()));
  return out;
}

namespace {

struct ro_db {
  explicit ro_db(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) !=
        SQLITE_OK) {
      sqlite3_close(db);
      db = nullptr;
    }
  }
  ~ro_db() { sqlite3_close(db); }
  sqlite3* db = nullptr;
};

nlohmann::json column_json(sqlite3_stmt* s, int i) {
  switch (sqlite3_column_type(s, i)) {
    case SQLITE_INTEGER:
      return sqlite3_column_int64(s, i);
    case SQLITE_FLOAT:
      return sqlite3_column_double(s, i);
    case SQLITE_NULL:
      return nullptr;
    default: {
      auto* t = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
      return std::string(t ? t : "");
    }
  }
}

nlohmann::json rows(sqlite3* db, const std::string& sql) {
  nlohmann::json out = nlohmann::json::array();
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
    return {{"error", sqlite3_errmsg(db)}};
  while (sqlite3_step(s) == SQLITE_ROW) {
    nlohmann::json row = nlohmann::json::array();
    for (int i = 0; i < sqlite3_column_count(s); ++i)
      row.push_back(column_json(s, i));
    out.push_back(std::move(row));
  }
  sqlite3_finalize(s);
  return out;
}

} // namespace

std::string sqlite_scalar(const std::string& db_path, const std::string& sql) {
  ro_db d{db_path};
  if (!d.db)
    return "<error: cannot open " + db_path + ">";
  auto r = rows(d.db, sql);
  if (r.is_object())
    return "<error: " + r["error"].get<std::string>() + ">";
  if (r.empty() || r[0].empty())
    return "<no rows>";
  return r[0][0].is_string() ? r[0][0].get<std::string>() : r[0][0].dump();
}

nlohmann::json sqlite_rows(const std::string& db_path, const std::string& sql) {
  ro_db d{db_path};
  if (!d.db)
    return {{"error", "cannot open"}};
  return rows(d.db, sql);
}

nlohmann::json dump_tables(const std::string& db_path) {
  ro_db d{db_path};
  if (!d.db)
    return {{"error", "cannot open"}};
  nlohmann::json out;
  out["sessions"] = rows(d.db, "SELECT * FROM sessions ORDER BY id");
  out["messages"] = rows(d.db, "SELECT * FROM messages ORDER BY id");
  out["session_entries"] =
    rows(d.db, "SELECT * FROM session_entries ORDER BY session_key");
  out["transcript_rewrites"] =
    rows(d.db, "SELECT * FROM transcript_rewrites ORDER BY id");
  return out;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream{path} << text;
}

std::int64_t rss_kib(int pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stoll(line.substr(6));
  return 0;
}

std::string key_path(const std::string& chat) {
  return "/v1/sessions/" + encoded_dm_key(chat);
}

bool has_error_shape(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  return j.is_object() && j.contains("error") && j["error"].is_object() &&
         j["error"].contains("code") && j["error"]["code"].is_string() &&
         j["error"].contains("message") && j["error"]["message"].is_string();
}

} // namespace switchboard::testing
