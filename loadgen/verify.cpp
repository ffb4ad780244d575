#include "loadgen/verify.hpp"

#include "loadgen/http_request.hpp"
#include "persistence/sqlite_store.hpp"

#include <sqlite3.h>

#include <algorithm>

namespace switchboard::loadgen {

namespace {

struct checker {
  std::vector<std::string> problems;
  std::size_t limit;
  void fail(std::string what) {
    if (problems.size() < limit)
      problems.push_back(std::move(what));
  }
};

void check_session(checker& c, const store_view& v, const std::string& id,
                   const ledger::session_info& s) {
  auto row = v.session(id);
  if (!row)
    return c.fail("session " + id + ": " + row.err().message);
  if (!*row)
    return c.fail("session " + id + " (key " + s.key + ") is not in the store");
  const auto& r = **row;
  if (r.contains("session_key") && r["session_key"].is_string() &&
      r["session_key"] != s.key)
    c.fail("session " + id + " belongs to " + r["session_key"].dump() +
           ", acknowledged for " + s.key);
  auto n = v.count(id);
  auto want = static_cast<std::int64_t>(s.message_ids.size());
  if (!n)
    c.fail("session " + id + ": " + n.err().message);
  else if (s.created ? *n != want : *n < want)
    c.fail("session " + id + " has " + std::to_string(*n) +
           " messages in the store, " + std::to_string(want) + " acknowledged");
}

/// A key has one session per auto reset, plus one more: created new in this
/// run, or there before it (at most one; none when the key's first reply
/// in this run already reset the old session). In a fresh store every key
/// starts new.
void check_key(checker& c, const std::string& key, const ledger::key_info& k,
               const std::map<std::string, ledger::session_info>& sessions,
               bool fresh_store) {
  std::int64_t before = 0;
  for (const auto& id : k.sessions)
    if (auto it = sessions.find(id);
        it != sessions.end() && !it->second.created)
      ++before;
  auto got = static_cast<std::int64_t>(k.sessions.size());
  bool ok = got == before + k.fresh + k.resets &&
            (fresh_store ? before == 0 && k.fresh == 1 : before + k.fresh <= 1);
  if (!ok)
    c.fail("key " + key + " has " + std::to_string(got) + " sessions: " +
           std::to_string(k.fresh) + " new, " + std::to_string(k.resets) +
           " auto resets, " + std::to_string(before) +
           " from before the run (want one new plus one per reset)");
}

void check_total(checker& c, const char* what,
                 const std::function<core::result<std::int64_t>()>& total,
                 std::int64_t want) {
  if (!total)
    return;
  auto n = total();
  if (!n)
    return c.fail(std::string{what} + ": " + n.err().message);
  if (*n != want)
    c.fail(std::string{what} + ": " + std::to_string(*n) + " in the store, " +
           std::to_string(want) + " acknowledged");
}

} // namespace

std::vector<std::string> verify_run(const ledger& acked, const store_view& v,
                                    std::size_t limit) {
  checker c{{}, limit};
  auto sessions = acked.sessions();
  std::int64_t messages = 0;
  for (const auto& [id, s] : sessions) {
    check_session(c, v, id, s);
    messages += static_cast<std::int64_t>(s.message_ids.size());
  }
  for (const auto& [key, k] : acked.keys())
    check_key(c, key, k, sessions, static_cast<bool>(v.total_sessions));
  check_total(c, "messages", v.total_messages, messages);
  check_total(c, "sessions", v.total_sessions,
              static_cast<std::int64_t>(sessions.size()));
  return c.problems;
}

core::result<store_view> data_dir_view(const std::string& data_dir,
                                       bool fresh) {
  auto opened = persistence::open_reader(data_dir + "/state.db");
  if (!opened)
    return opened.err();
  std::shared_ptr<persistence::sqlite_reader> r = std::move(opened).value();
  store_view v;
  v.session = [r](const std::string& id) {
    return r->get_session(id);
  };
  v.count = [r](const std::string& id) {
    return r->message_count(id);
  };
  if (fresh) {
    v.total_messages = [r] {
      return r->message_count(std::nullopt);
    };
    v.total_sessions = [r] {
      return r->session_count(std::nullopt);
    };
  }
  return v;
}

store_view http_view(const std::string& url,
                     const std::optional<std::string>& token) {
  auto get =
    [url, token](
      const std::string& id) -> core::result<std::optional<nlohmann::json>> {
    auto reply = http_call("GET", url + "/v1/session-ids/" + escape_segment(id),
                           "", token);
    if (!reply)
      return reply.err();
    if (reply->status == 404)
      return std::optional<nlohmann::json>{};
    auto j = nlohmann::json::parse(reply->body, nullptr, false);
    if (reply->status != 200 || j.is_discarded())
      return core::internal_error("HTTP " + std::to_string(reply->status));
    return std::optional<nlohmann::json>{j};
  };
  store_view v;
  v.session = get;
  v.count = [get](const std::string& id) -> core::result<std::int64_t> {
    auto row = get(id);
    if (!row)
      return row.err();
    if (!*row)
      return core::not_found("session " + id);
    return (**row).value("message_count", std::int64_t{-1});
  };
  return v;
}

core::status drop_acked_message(const std::string& data_dir,
                                const ledger& acked, std::int64_t n) {
  std::vector<std::int64_t> ids;
  for (const auto& [id, s] : acked.sessions())
    ids.insert(ids.end(), s.message_ids.begin(), s.message_ids.end());
  if (ids.empty())
    return core::not_found("no acknowledged message to drop");
  std::sort(ids.begin(), ids.end());
  auto victim = ids[static_cast<std::size_t>(n) % ids.size()];
  sqlite3* db = nullptr;
  auto path = data_dir + "/state.db";
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    return core::internal_error("cannot open " + path);
  }
  auto sql = "DELETE FROM messages WHERE id = " + std::to_string(victim);
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(db);
  if (rc != SQLITE_OK)
    return core::internal_error("cannot delete message " +
                                std::to_string(victim));
  return {};
}

} // namespace switchboard::loadgen
