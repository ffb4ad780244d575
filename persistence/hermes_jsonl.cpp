#include "persistence/hermes_jsonl.hpp"

#include "core/legacy_transcript.hpp"
#include "core/session_id.hpp"
#include "persistence/store_util.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

namespace switchboard::persistence {

using core::result;
using core::status;

namespace {

namespace fs = std::filesystem;

struct transcript_file {
  std::vector<core::legacy_message> messages;
  std::int64_t lines_skipped = 0;
};

/// Python's str.strip() on ASCII whitespace.
std::string_view strip(std::string_view s) {
  constexpr std::string_view ws = " \t\n\r\f\v";
  auto first = s.find_first_not_of(ws);
  if (first == std::string_view::npos)
    return {};
  return s.substr(first, s.find_last_not_of(ws) - first + 1);
}

result<transcript_file> read_transcript(const fs::path& path,
                                        const core::zone& z) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return core::internal_error("cannot read " + path.string());
  transcript_file out;
  for (std::string line; std::getline(in, line);) {
    auto text = strip(line);
    if (text.empty())
      continue;
    if (auto m = core::parse_legacy_transcript_line(text, z))
      out.messages.push_back(std::move(*m));
    else
      ++out.lines_skipped;
  }
  if (in.bad())
    return core::internal_error("cannot read " + path.string());
  return out;
}

/// The `<id>.jsonl` files of HOME/sessions, sorted by name.
std::vector<fs::path> transcript_files(const std::string& home) {
  std::vector<fs::path> out;
  std::error_code ec;
  fs::directory_iterator it(fs::path(home) / "sessions", ec), end;
  for (; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".jsonl" && it->is_regular_file(ec))
      out.push_back(it->path());
  std::sort(out.begin(), out.end());
  return out;
}

/// has_rows on switchboard's own file, through its session index (v9).
result<bool> has_indexed_rows(connection& db, const std::string& id) {
  SB_QUERY(q, db,
           "SELECT 1 FROM message_index WHERE session_id = ?1 UNION ALL "
           "SELECT 1 FROM message_tail WHERE session_id = ?1 LIMIT 1");
  q->bind(1, id);
  auto row = q->step();
  if (!row)
    return std::move(row).err();
  bool found = *row;
  q->done();
  return found;
}

result<bool> has_rows(connection& db, const std::string& id) {
  SB_QUERY(q, db, "SELECT 1 FROM messages WHERE session_id = ? LIMIT 1");
  q->bind(1, id);
  auto row = q->step();
  if (!row)
    return std::move(row).err();
  bool found = *row;
  q->done();
  return found;
}

/// The start of a session id's YYYYMMDD_HHMMSS prefix, read in `z`.
std::optional<core::time_point> time_of_id(const std::string& id,
                                           const core::zone& z) {
  if (id.size() < 15 || id[8] != '_')
    return std::nullopt;
  std::string iso = id.substr(0, 4) + "-" + id.substr(4, 2) + "-" +
                    id.substr(6, 2) + "T" + id.substr(9, 2) + ":" +
                    id.substr(11, 2) + ":" + id.substr(13, 2);
  auto t = core::parse_iso(iso, z);
  return t ? std::optional<core::time_point>{*t} : std::nullopt;
}

core::time_point file_time(const fs::path& path) {
  std::error_code ec;
  auto t = fs::last_write_time(path, ec);
  if (ec)
    return core::time_point{};
  return std::chrono::time_point_cast<core::duration>(
    std::chrono::file_clock::to_sys(t));
}

/// The row of a JSONL-only session (see the header for the rules).
core::session_row_init
row_for(const std::string& id, const transcript_file& t, const fs::path& path,
        const core::zone& z,
        const std::map<std::string, core::session_entry>& entries) {
  core::session_row_init r;
  r.id = id;
  r.source = "unknown";
  if (auto it = entries.find(id); it != entries.end()) {
    const auto& e = it->second;
    r.started_at = e.created_at;
    r.session_key = e.session_key;
    r.chat_type = std::string(core::to_string(e.type));
    if (!e.platform.empty())
      r.source = e.platform;
    if (e.origin) {
      r.user_id = e.origin->user_id;
      r.chat_id = e.origin->chat_id;
      r.thread_id = e.origin->thread_id;
    }
    return r;
  }
  if (auto t_id = time_of_id(id, z))
    r.started_at = *t_id;
  else if (!t.messages.empty() && t.messages.front().at)
    r.started_at = *t.messages.front().at;
  else
    r.started_at = file_time(path);
  return r;
}

class jsonl_importer {
public:
  jsonl_importer(connection* src, sqlite_writer& dest, const core::zone& z,
                 const std::map<std::string, core::session_entry>& entries)
    : src_(src), dest_(dest), z_(z), entries_(entries) {}

  status import_file(const fs::path& path);
  jsonl_counts counts;

private:
  result<bool> wanted(const std::string& id);
  status write(const std::string& id, const transcript_file& t,
               const fs::path& path);

  connection* src_;
  sqlite_writer& dest_;
  const core::zone& z_;
  const std::map<std::string, core::session_entry>& entries_;
};

/// Whether the file's messages should come in: no rows on either side.
result<bool> jsonl_importer::wanted(const std::string& id) {
  if (src_) {
    auto rows = has_rows(*src_, id);
    if (!rows)
      return std::move(rows).err();
    if (*rows)
      return false; // the rows win
  }
  auto rows = has_indexed_rows(dest_.db(), id);
  if (!rows)
    return std::move(rows).err();
  return !*rows;
}

status jsonl_importer::import_file(const fs::path& path) {
  std::string id = path.stem().string();
  auto want = core::valid_session_id(id) ? wanted(id) : result<bool>{false};
  if (!want)
    return std::move(want).err();
  if (!*want) {
    ++counts.files_skipped;
    return {};
  }
  auto t = read_transcript(path, z_);
  if (!t)
    return std::move(t).err();
  counts.lines_skipped += t->lines_skipped;
  if (t->messages.empty()) {
    ++counts.files_skipped;
    return {};
  }
  SB_TRY(dest_.begin());
  if (auto st = write(id, *t, path); !st) {
    dest_.rollback();
    return st;
  }
  SB_TRY(dest_.commit());
  ++counts.sessions_imported;
  counts.messages_imported += static_cast<std::int64_t>(t->messages.size());
  return {};
}

status jsonl_importer::write(const std::string& id, const transcript_file& t,
                             const fs::path& path) {
  auto existing = dest_.get_session(id);
  if (!existing)
    return std::move(existing).err();
  core::time_point at;
  if (!*existing) {
    auto row = row_for(id, t, path, z_, entries_);
    SB_TRY(dest_.create_session(row));
    ++counts.sessions_created;
    at = row.started_at;
  } else {
    at = core::from_epoch_seconds((**existing).value("started_at", 0.0));
    // No message rows: the counters restart from the transcript's.
    SB_QUERY(q, dest_.db(),
             "UPDATE sessions SET message_count = 0, tool_call_count = 0 "
             "WHERE id = ?");
    q->bind(1, id);
    SB_TRY(q->run());
  }
  for (const auto& m : t.messages) {
    at = m.at.value_or(at);
    auto added = dest_.append_message(id, m.msg, at);
    if (!added)
      return std::move(added).err();
  }
  return {};
}

} // namespace

result<jsonl_counts> import_jsonl_transcripts(
  const std::string& home, connection* src, sqlite_writer& dest,
  const core::zone& z,
  const std::map<std::string, core::session_entry>& entries,
  const std::function<void(std::int64_t done, std::int64_t total)>& progress) {
  auto files = transcript_files(home);
  jsonl_importer imp{src, dest, z, entries};
  std::int64_t done = 0, total = static_cast<std::int64_t>(files.size());
  for (const auto& f : files) {
    SB_TRY(imp.import_file(f));
    if (progress)
      progress(++done, total);
  }
  return imp.counts;
}

} // namespace switchboard::persistence
