#include "persistence/hermes_import.hpp"

#include "persistence/hermes_jsonl.hpp"
#include "persistence/store_util.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <vector>

namespace switchboard::persistence {

using core::result;
using core::status;

namespace {

// The seed v6 columns copied from the source. Older layouts (or a trimmed
// one) lack some: only the columns the source has are selected and inserted,
// so the destination's defaults fill the rest. message_count and
// tool_call_count are not copied: they are derived from the imported rows at
// commit (derived_state.cpp), so they count what was really imported.
const std::vector<std::string> session_cols{"id",
                                            "source",
                                            "user_id",
                                            "model",
                                            "model_config",
                                            "system_prompt",
                                            "parent_session_id",
                                            "started_at",
                                            "ended_at",
                                            "end_reason",
                                            "input_tokens",
                                            "output_tokens",
                                            "cache_read_tokens",
                                            "cache_write_tokens",
                                            "reasoning_tokens",
                                            "billing_provider",
                                            "billing_base_url",
                                            "billing_mode",
                                            "estimated_cost_usd",
                                            "actual_cost_usd",
                                            "cost_status",
                                            "cost_source",
                                            "pricing_version",
                                            "title"};
const std::vector<std::string> session_required{"id", "source", "started_at"};

const std::vector<std::string> message_cols{
  "session_id",    "role",      "content",           "tool_call_id",
  "tool_calls",    "tool_name", "timestamp",         "token_count",
  "finish_reason", "reasoning", "reasoning_details", "codex_reasoning_items"};
const std::vector<std::string> message_required{"session_id", "role",
                                                "timestamp"};

result<std::set<std::string>> columns_of(connection& db, const char* table) {
  SB_QUERY(q, db, "SELECT name FROM pragma_table_info(?)");
  q->bind(1, table);
  std::set<std::string> out;
  auto row = q->step();
  for (; row && *row; row = q->step())
    out.insert(q->text(0));
  if (!row)
    return std::move(row).err();
  if (out.empty())
    return core::bad_request(std::string{"the source has no "} + table +
                             " table");
  return out;
}

/// The columns of `table` to copy: those of `wanted` that `have` holds.
/// bad_request when one of `required` is missing.
result<std::vector<std::string>>
copied_columns(const char* table, const std::vector<std::string>& wanted,
               const std::vector<std::string>& required,
               const std::set<std::string>& have) {
  for (const auto& c : required)
    if (!have.count(c))
      return core::bad_request(std::string{"the source's "} + table +
                               " table has no " + c + " column");
  std::vector<std::string> out;
  for (const auto& c : wanted)
    if (have.count(c))
      out.push_back(c);
  return out;
}

/// The position of `name` in `cols`, or -1.
int index_of(const std::vector<std::string>& cols, const std::string& name) {
  for (std::size_t i = 0; i < cols.size(); ++i)
    if (cols[i] == name)
      return static_cast<int>(i);
  return -1;
}

std::string select_list(const std::vector<std::string>& cols) {
  std::string out;
  for (const auto& c : cols)
    out += (out.empty() ? "\"" : ", \"") + c + "\"";
  return out;
}

std::string insert_sql(const char* table,
                       const std::vector<std::string>& cols) {
  std::string names, marks;
  for (std::size_t i = 0; i < cols.size(); ++i) {
    names += (i ? ", " : "") + cols[i];
    marks += i ? ", ?" : "?";
  }
  return std::string{"INSERT INTO "} + table + " (" + names + ") VALUES (" +
         marks + ")";
}

class importer {
public:
  importer(connection& src, sqlite_writer& dest,
           const std::function<void(const import_progress&)>& progress)
    : src_(src), dest_(dest), progress_(progress) {}

  status run();
  import_counts counts;

private:
  status prepare();
  status import_session(const statement& s);
  status insert_session(const statement& s);
  status copy_messages(const std::string& id);
  status index_cjk(const statement& src, std::int64_t id);
  status link_parents();
  void report(std::int64_t done, std::int64_t total) {
    if (progress_)
      progress_({"sessions", done, total});
  }

  connection& src_;
  sqlite_writer& dest_;
  const std::function<void(const import_progress&)>& progress_;
  std::vector<std::string> sessions_, messages_; // the columns copied
  std::string session_select_, message_select_;
  int col_id_ = -1, col_parent_ = -1, col_title_ = -1, col_content_ = -1,
      col_tool_name_ = -1;
};

status importer::prepare() {
  auto s = columns_of(src_, "sessions");
  if (!s)
    return std::move(s).err();
  auto m = columns_of(src_, "messages");
  if (!m)
    return std::move(m).err();
  auto sc = copied_columns("sessions", session_cols, session_required, *s);
  if (!sc)
    return std::move(sc).err();
  auto mc = copied_columns("messages", message_cols, message_required, *m);
  if (!mc)
    return std::move(mc).err();
  sessions_ = std::move(*sc);
  messages_ = std::move(*mc);
  col_id_ = index_of(sessions_, "id");
  col_parent_ = index_of(sessions_, "parent_session_id");
  col_title_ = index_of(sessions_, "title");
  col_content_ = index_of(messages_, "content");
  col_tool_name_ = index_of(messages_, "tool_name");
  session_select_ = "SELECT " + select_list(sessions_) +
                    " FROM sessions ORDER BY started_at, id";
  // rowid is id when id is the INTEGER PRIMARY KEY, and insertion order else.
  message_select_ = "SELECT " + select_list(messages_) +
                    " FROM messages WHERE session_id = ? ORDER BY " +
                    (m->count("id") ? "id" : "rowid");
  return {};
}

status importer::run() {
  SB_TRY(prepare());
  auto total = src_.scalar("SELECT count(*) FROM sessions");
  if (!total)
    return std::move(total).err();
  SB_QUERY(q, src_, session_select_);
  std::int64_t done = 0;
  for (;;) {
    auto row = q->step();
    if (!row)
      return std::move(row).err();
    if (!*row)
      break;
    SB_TRY(import_session(*q));
    report(++done, total->value_or(0));
  }
  return link_parents();
}

status importer::import_session(const statement& s) {
  std::string id = s.text(col_id_);
  if (dest_.get_session(id).ok() && dest_.get_session(id)->has_value()) {
    ++counts.sessions_skipped;
    return {};
  }
  SB_TRY(dest_.begin());
  auto st = insert_session(s);
  if (st)
    st = dest_.roll_up_session(id); // SPEC 14: from its token columns
  if (st)
    st = copy_messages(id);
  if (st)
    st = dest_.commit();
  if (!st) {
    dest_.rollback();
    return st;
  }
  ++counts.sessions_imported;
  return {};
}

status importer::insert_session(const statement& s) {
  bool title_taken = false;
  if (col_title_ >= 0 && !s.is_null(col_title_)) {
    SB_QUERY(t, dest_.db(), "SELECT 1 FROM sessions WHERE title = ?");
    t->bind(1, s.text(col_title_));
    auto row = t->step();
    if (!row)
      return std::move(row).err();
    title_taken = *row;
  }
  SB_QUERY(q, dest_.db(), insert_sql("sessions", sessions_));
  for (int i = 0; i < static_cast<int>(sessions_.size()); ++i)
    q->bind_column(i + 1, s, i);
  if (col_parent_ >= 0)
    q->bind_null(col_parent_ + 1); // linked later, once the parent exists
  if (title_taken) {
    q->bind_null(col_title_ + 1);
    ++counts.titles_dropped;
  }
  return q->run();
}

status importer::copy_messages(const std::string& id) {
  const std::string sql = insert_sql("messages", messages_);
  SB_QUERY(src, src_, message_select_);
  src->bind(1, id);
  for (;;) {
    auto row = src->step();
    if (!row)
      return std::move(row).err();
    if (!*row)
      return {};
    SB_QUERY(ins, dest_.db(), sql);
    for (int i = 0; i < static_cast<int>(messages_.size()); ++i)
      ins->bind_column(i + 1, *src, i);
    SB_TRY(ins->run());
    // Every message gets its FTS row (schema invariant), NULL content too.
    std::int64_t row_id = dest_.db().last_rowid();
    // And its session index entry (schema.cpp, v9).
    SB_QUERY(tail, dest_.db(),
             "INSERT INTO message_tail (session_id, at_us, id) "
             "SELECT session_id, " SB_MICROS("timestamp") ", id FROM messages "
                                                          "WHERE id = ?");
    tail->bind(1, row_id);
    SB_TRY(tail->run());
    SB_QUERY(fts, dest_.db(),
             "INSERT INTO messages_fts(rowid, content) VALUES (?, ?)");
    fts->bind(1, row_id).bind_null(2);
    if (col_content_ >= 0)
      fts->bind_column(2, *src, col_content_);
    SB_TRY(fts->run());
    SB_TRY(index_cjk(*src, row_id));
    ++counts.messages_imported;
  }
}

// Messages with CJK also get their messages_trigram row (schema invariant).
status importer::index_cjk(const statement& src, std::int64_t id) {
  auto text_of = [&](int col) {
    return col >= 0 ? src.opt_text(col) : std::optional<std::string>{};
  };
  auto content = text_of(col_content_);
  auto tool_name = text_of(col_tool_name_);
  if (!detail::holds_cjk(content, tool_name))
    return {};
  return detail::add_trigram_row(dest_.db(), id, content, tool_name);
}

status importer::link_parents() {
  if (col_parent_ < 0)
    return {}; // a layout without parent links
  SB_QUERY(q, src_,
           "SELECT id, parent_session_id FROM sessions "
           "WHERE parent_session_id IS NOT NULL");
  SB_TRY(dest_.begin());
  for (;;) {
    auto row = q->step();
    if (!row || !*row) {
      if (!row) {
        dest_.rollback();
        return std::move(row).err();
      }
      return dest_.commit();
    }
    SB_QUERY(u, dest_.db(),
             "UPDATE sessions SET parent_session_id = ?2 WHERE id = ?1 AND "
             "parent_session_id IS NULL AND EXISTS "
             "(SELECT 1 FROM sessions WHERE id = ?2)");
    u->bind(1, q->text(0)).bind(2, q->text(1));
    if (auto st = u->run(); !st) {
      dest_.rollback();
      return st;
    }
    counts.parents_linked += dest_.db().changes();
  }
}

result<std::optional<std::string>> read_file(const std::string& path) {
  if (!std::filesystem::exists(path))
    return std::optional<std::string>{};
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return core::internal_error("cannot read " + path);
  return std::optional<std::string>{std::string{
    std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()}};
}

status
import_entries(const std::string& text, sqlite_writer& dest,
               const core::zone& z, import_counts& counts,
               const std::function<void(const import_progress&)>& progress) {
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return core::bad_request("sessions.json is not a JSON object");
  std::int64_t done = 0, total = static_cast<std::int64_t>(doc.size());
  SB_TRY(dest.begin());
  for (const auto& [key, value] : doc.items()) {
    auto e = core::from_hermes_json(value, z);
    auto existing = dest.get_entry(e ? e->session_key : key);
    if (!e) {
      ++counts.entries_invalid;
    } else if (!existing || existing->has_value()) {
      ++counts.entries_skipped;
    } else if (auto st = dest.upsert_entry(*e); !st) {
      dest.rollback();
      return st;
    } else {
      ++counts.entries_imported;
    }
    if (progress)
      progress({"entries", ++done, total});
  }
  return dest.commit();
}

/// The sessions.json entries by session id (invalid ones left out), for the
/// JSONL-only sessions' rows.
std::map<std::string, core::session_entry>
entries_by_session(const std::optional<std::string>& text,
                   const core::zone& z) {
  std::map<std::string, core::session_entry> out;
  auto doc =
    text ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json();
  if (!doc.is_object())
    return out;
  for (const auto& [key, value] : doc.items())
    if (auto e = core::from_hermes_json(value, z))
      out.emplace(e->session_id, std::move(*e));
  return out;
}

status import_transcripts(
  const std::string& home, connection* src, sqlite_writer& dest,
  const core::zone& z, const std::optional<std::string>& json,
  import_counts& counts,
  const std::function<void(const import_progress&)>& progress) {
  auto jsonl =
    import_jsonl_transcripts(home, src, dest, z, entries_by_session(json, z),
                             [&](std::int64_t done, std::int64_t total) {
                               if (progress)
                                 progress({"transcripts", done, total});
                             });
  if (!jsonl)
    return std::move(jsonl).err();
  counts.jsonl_sessions_imported = jsonl->sessions_imported;
  counts.jsonl_sessions_created = jsonl->sessions_created;
  counts.jsonl_messages_imported = jsonl->messages_imported;
  counts.jsonl_files_skipped = jsonl->files_skipped;
  counts.jsonl_lines_skipped = jsonl->lines_skipped;
  return {};
}

} // namespace

result<import_counts> import_hermes_home(
  const std::string& home, sqlite_writer& dest, const core::zone& z,
  const std::function<void(const import_progress&)>& progress) {
  import_counts counts;
  dest.set_rollup_zone(z); // imported usage is filed by day in this zone
  std::string db_path = home + "/state.db";
  bool has_db = std::filesystem::exists(db_path);
  std::unique_ptr<connection> src;
  if (has_db) {
    auto opened = connection::open(db_path, SQLITE_OPEN_READONLY);
    if (!opened)
      return std::move(opened).err();
    src = std::move(*opened);
    SB_TRY(src->exec("PRAGMA query_only=1"));
    importer imp{*src, dest, progress};
    SB_TRY(imp.run());
    counts = imp.counts;
  }
  auto json = read_file(home + "/sessions/sessions.json");
  if (json && !*json)
    json = read_file(home + "/sessions.json");
  if (!json)
    return std::move(json).err();
  SB_TRY(import_transcripts(home, src.get(), dest, z, *json, counts, progress));
  if (!has_db && !*json && counts.jsonl_sessions_imported == 0 &&
      counts.jsonl_files_skipped == 0)
    return core::not_found(
      "no state.db, sessions.json or sessions/*.jsonl in " + home);
  if (*json)
    SB_TRY(import_entries(**json, dest, z, counts, progress));
  return counts;
}

} // namespace switchboard::persistence
