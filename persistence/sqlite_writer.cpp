// store_writer on SQLite: transactions, sessions and messages. The routing
// index writes are in sqlite_entries.cpp. Every statement is cached on the
// connection (compiled once).

#include "persistence/sqlite_store.hpp"

#include "core/title.hpp"
#include "persistence/store_util.hpp"

namespace switchboard::persistence {

using core::result;
using core::status;

// Runs `f` as one transaction when the caller has none open (tests, import,
// tools); inside the writer actor's transaction it runs as is: the actor's
// savepoint makes it atomic.
template <class F>
auto sqlite_writer::atomically(F&& f) -> decltype(f()) {
  if (db_->in_transaction())
    return f();
  SB_TRY(begin());
  auto r = f();
  if (!r) {
    rollback();
    return r;
  }
  if (auto st = commit(); !st)
    return std::move(st).err();
  return r;
}

status sqlite_writer::run(std::string_view sql) {
  auto s = db_->cached(sql);
  if (!s)
    return std::move(s).err();
  query q{**s};
  return q->run();
}

// -- transactions
// ---------------------------------------------------------------

status sqlite_writer::flush_fts() {
  if (in_savepoint_) // a ROLLBACK TO undoes these inserts: re-queue then
    flushed_in_savepoint_.insert(
      flushed_in_savepoint_.end(), pending_fts_.begin(),
      pending_fts_.begin() + static_cast<std::ptrdiff_t>(savepoint_mark_));
  for (const auto& row : pending_fts_) {
    SB_QUERY(f, *db_, "INSERT INTO messages_fts(rowid, content) VALUES (?, ?)");
    f->bind(1, row.id).bind(2, row.content);
    SB_TRY(f->run());
    if (row.trigram)
      SB_TRY(detail::add_trigram_row(*db_, row.id, row.content, row.tool_name));
  }
  pending_fts_.clear();
  savepoint_mark_ = 0;
  return {};
}

status sqlite_writer::begin() {
  pending_fts_.clear();
  flushed_in_savepoint_.clear();
  savepoint_mark_ = 0;
  in_savepoint_ = false;
  return run("BEGIN IMMEDIATE");
}

status sqlite_writer::commit() {
  auto st = write_behind_ ? status{} : flush_derived();
  if (st)
    st = flush_fts();
  if (st)
    st = run("COMMIT");
  if (!st)
    rollback();
  return st;
}

void sqlite_writer::rollback() {
  pending_fts_.clear();
  flushed_in_savepoint_.clear();
  in_savepoint_ = false;
  if (db_->in_transaction())
    (void)run("ROLLBACK");
}

status sqlite_writer::savepoint() {
  SB_TRY(run("SAVEPOINT req"));
  in_savepoint_ = true;
  savepoint_mark_ = pending_fts_.size();
  flushed_in_savepoint_.clear();
  return {};
}

status sqlite_writer::release_savepoint() {
  in_savepoint_ = false;
  flushed_in_savepoint_.clear();
  return run("RELEASE req");
}

status sqlite_writer::rollback_to_savepoint() {
  if (!db_->in_transaction()) {
    rollback();
    return core::internal_error(
      "write failed and SQLite rolled back the whole transaction");
  }
  auto st = run("ROLLBACK TO req");
  if (st)
    st = run("RELEASE req");
  if (!st) {
    rollback();
    return st;
  }
  in_savepoint_ = false;
  pending_fts_.resize(savepoint_mark_);
  pending_fts_.insert(pending_fts_.begin(), flushed_in_savepoint_.begin(),
                      flushed_in_savepoint_.end());
  flushed_in_savepoint_.clear();
  savepoint_mark_ = 0;
  return {};
}

// -- sessions
// -------------------------------------------------------------------

status sqlite_writer::require_session(std::string_view id) {
  SB_QUERY(q, *db_, "SELECT 1 FROM sessions WHERE id = ?");
  q->bind(1, id);
  auto row = q->step();
  if (!row)
    return std::move(row).err();
  if (!*row)
    return core::not_found("session '" + std::string{id} + "' not found");
  return {};
}

namespace {

core::error title_conflict(std::string_view title, std::string_view holder) {
  return core::conflict("title '" + std::string{title} +
                        "' is already in use by session " +
                        std::string{holder});
}

} // namespace

status sqlite_writer::create_session(const core::session_row_init& r) {
  SB_QUERY(q, *db_,
           "INSERT INTO sessions (id, source, user_id, model, "
           "parent_session_id, started_at, title, session_key, chat_id, "
           "chat_type, thread_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  q->bind(1, r.id).bind(2, r.source).bind(3, r.user_id).bind(4, r.model);
  q->bind(5, r.parent_session_id).bind(6, core::to_epoch_seconds(r.started_at));
  q->bind(7, r.title).bind(8, r.session_key).bind(9, r.chat_id);
  q->bind(10, r.chat_type).bind(11, r.thread_id);
  auto st = q->run();
  if (st || st.err().code == core::errc::internal)
    return st;
  if (st.err().code == core::errc::not_found)
    return core::not_found("parent session '" +
                           r.parent_session_id.value_or("") + "' not found");
  if (require_session(r.id))
    return core::conflict("session id '" + r.id + "' already exists");
  SB_QUERY(h, *db_, "SELECT id FROM sessions WHERE title = ?");
  h->bind(1, r.title);
  auto row = h->step();
  return title_conflict(r.title.value_or(""), row && *row ? h->text(0) : "?");
}

status sqlite_writer::ensure_session(std::string_view id,
                                     std::string_view source,
                                     core::time_point at) {
  SB_QUERY(q, *db_,
           "INSERT OR IGNORE INTO sessions (id, source, started_at) "
           "VALUES (?, ?, ?)");
  q->bind(1, id).bind(2, source).bind(3, core::to_epoch_seconds(at));
  return q->run();
}

status sqlite_writer::end_session(std::string_view id, std::string_view reason,
                                  core::time_point at) {
  SB_QUERY(q, *db_,
           "UPDATE sessions SET ended_at = ?, end_reason = ? "
           "WHERE id = ? AND ended_at IS NULL");
  q->bind(1, core::to_epoch_seconds(at)).bind(2, reason).bind(3, id);
  SB_TRY(q->run());
  return db_->changes() > 0 ? status{} : require_session(id);
}

status sqlite_writer::reopen_session(std::string_view id) {
  SB_QUERY(
    q, *db_,
    "UPDATE sessions SET ended_at = NULL, end_reason = NULL WHERE id = ?");
  q->bind(1, id);
  SB_TRY(q->run());
  return db_->changes() > 0 ? status{} : require_session(id);
}

status sqlite_writer::set_system_prompt(std::string_view id,
                                        std::string_view prompt) {
  SB_QUERY(q, *db_, "UPDATE sessions SET system_prompt = ? WHERE id = ?");
  q->bind(1, prompt).bind(2, id);
  SB_TRY(q->run());
  return db_->changes() > 0 ? status{} : require_session(id);
}

status sqlite_writer::update_usage(std::string_view id,
                                   const core::usage_update& u,
                                   core::time_point at) {
  // The seed's update_token_counts: counters add, cost adds, status and
  // source replace when given, model and billing fields backfill once.
  SB_QUERY(q, *db_,
           "UPDATE sessions SET input_tokens = input_tokens + ?1, "
           "output_tokens = output_tokens + ?2, "
           "cache_read_tokens = cache_read_tokens + ?3, "
           "cache_write_tokens = cache_write_tokens + ?4, "
           "estimated_cost_usd = COALESCE(estimated_cost_usd, 0) + "
           "COALESCE(?5, 0), cost_status = COALESCE(?6, cost_status), "
           "cost_source = COALESCE(?7, cost_source), "
           "billing_provider = COALESCE(billing_provider, ?8), "
           "billing_base_url = COALESCE(billing_base_url, ?9), "
           "model = COALESCE(model, ?10) WHERE id = ?11");
  q->bind(1, u.input_tokens).bind(2, u.output_tokens);
  q->bind(3, u.cache_read_tokens).bind(4, u.cache_write_tokens);
  q->bind(5, u.estimated_cost_usd).bind(6, u.cost_status);
  q->bind(7, u.cost_source).bind(8, u.provider).bind(9, u.base_url);
  q->bind(10, u.model).bind(11, id);
  SB_TRY(q->run());
  if (db_->changes() == 0)
    return require_session(id);
  return add_rollup(id, u, at, 1); // SPEC 14: same transaction
}

result<std::optional<std::string>>
sqlite_writer::set_title(std::string_view id, std::string_view raw_title) {
  auto title = core::sanitize_title(raw_title);
  if (!title)
    return std::move(title).err();
  SB_TRY(require_session(id));
  if (*title) {
    SB_QUERY(h, *db_, "SELECT id FROM sessions WHERE title = ? AND id != ?");
    h->bind(1, **title).bind(2, id);
    auto row = h->step();
    if (!row)
      return std::move(row).err();
    if (*row)
      return title_conflict(**title, h->text(0));
  }
  SB_QUERY(q, *db_, "UPDATE sessions SET title = ? WHERE id = ?");
  q->bind(1, *title).bind(2, id);
  SB_TRY(q->run());
  return std::move(*title);
}

result<std::optional<std::string>>
sqlite_writer::create_compression_child(std::string_view parent_id,
                                        core::session_row_init child) {
  return atomically([&]() -> result<std::optional<std::string>> {
    auto parent = get_session(parent_id);
    if (!parent)
      return std::move(parent).err();
    if (!*parent)
      return core::not_found("session '" + std::string{parent_id} +
                             "' not found");
    SB_TRY(end_session(parent_id, "compression", child.started_at));
    const auto& title = (**parent)["title"];
    child.title.reset();
    if (title.is_string()) {
      auto next = next_title(title.get<std::string>());
      if (!next)
        return std::move(next).err();
      child.title = std::move(*next);
    }
    child.parent_session_id = std::string{parent_id};
    SB_TRY(create_session(child));
    return child.title;
  });
}

status sqlite_writer::delete_session_rows(std::string_view id) {
  SB_TRY(unindex_active(id));
  for (const char* sql :
       {"DELETE FROM messages WHERE id IN " SB_SESSION_MESSAGE_IDS("?1"),
        "DELETE FROM message_index WHERE session_id = ?1",
        "DELETE FROM message_tail WHERE session_id = ?1",
        "UPDATE sessions SET parent_session_id = NULL "
        "WHERE parent_session_id = ?",
        "DELETE FROM session_entries WHERE session_id = ?",
        "DELETE FROM transcript_rewrites WHERE session_id = ?",
        "DELETE FROM sessions WHERE id = ?"}) {
    SB_QUERY(q, *db_, sql);
    q->bind(1, id);
    SB_TRY(q->run());
  }
  return {};
}

status sqlite_writer::delete_session(std::string_view id) {
  return atomically([&]() -> status {
    SB_TRY(require_session(id));
    return delete_session_rows(id);
  });
}

result<std::int64_t>
sqlite_writer::prune_sessions(core::time_point cutoff,
                              std::optional<std::string> source) {
  auto ids = prune(core::prune_rule{cutoff, 0, std::move(source)}, false);
  if (!ids)
    return std::move(ids).err();
  return static_cast<std::int64_t>(ids->size());
}

result<std::vector<std::string>>
sqlite_writer::prune(const core::prune_rule& rule, bool dry_run) {
  return atomically([&]() -> result<std::vector<std::string>> {
    auto ids = select_prunable(rule);
    if (!ids || dry_run)
      return ids;
    for (const auto& id : *ids)
      SB_TRY(delete_session_rows(id));
    return ids;
  });
}

// -- messages
// -------------------------------------------------------------------

result<std::int64_t> sqlite_writer::insert_message(std::string_view session_id,
                                                   const core::message& m,
                                                   core::time_point at) {
  SB_QUERY(q, *db_,
           "INSERT INTO messages (session_id, role, content, tool_call_id, "
           "tool_calls, tool_name, timestamp, token_count, finish_reason, "
           "reasoning, reasoning_details, codex_reasoning_items, "
           "platform_message_id) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  q->bind(1, session_id).bind(2, m.role).bind(3, m.content);
  q->bind(4, m.tool_call_id).bind(5, detail::json_text(m.tool_calls));
  q->bind(6, m.tool_name).bind(7, core::to_epoch_seconds(at));
  q->bind(8, m.token_count).bind(9, m.finish_reason).bind(10, m.reasoning);
  q->bind(11, detail::json_text(m.reasoning_details));
  q->bind(12, detail::json_text(m.codex_reasoning_items));
  q->bind(13, m.platform_message_id);
  SB_TRY(q->run());
  std::int64_t id = db_->last_rowid();
  // The session's index entry goes to the small tail (schema.cpp, v9).
  SB_QUERY(t, *db_,
           "INSERT INTO message_tail (session_id, at_us, id) VALUES (?, ?, ?)");
  t->bind(1, session_id).bind(2, at.time_since_epoch().count()).bind(3, id);
  SB_TRY(t->run());
  // See the class comment. A byte scan, no SQL: only a message with CJK
  // gets a trigram row.
  bool cjk = detail::holds_cjk(m.content, m.tool_name);
  pending_fts_.push_back(
    {id, m.content, cjk, cjk ? m.tool_name : std::nullopt});
  return id;
}

result<std::int64_t> sqlite_writer::append_message(std::string_view session_id,
                                                   const core::message& m,
                                                   core::time_point at) {
  // Only the row (and its FTS row at commit): the counters and the entry's
  // updated_at are derived from it (derived_state.cpp). The foreign key on
  // session_id is the existence check.
  return atomically([&]() -> result<std::int64_t> {
    auto id = insert_message(session_id, m, at);
    if (!id && id.err().code == core::errc::not_found)
      return core::not_found("session '" + std::string{session_id} +
                             "' not found");
    return id;
  });
}

status sqlite_writer::unindex_active(std::string_view session_id) {
  SB_TRY(flush_fts()); // the 'delete' below must find every row it names
  SB_QUERY(q, *db_,
           "INSERT INTO messages_fts(messages_fts, rowid, content) "
           "SELECT 'delete', id, content FROM messages "
           "WHERE id IN " SB_SESSION_MESSAGE_IDS("?1") " AND active = 1");
  q->bind(1, session_id);
  SB_TRY(q->run());
  // A plain DELETE by rowid: a no-op for the rows without CJK (schema.cpp).
  SB_QUERY(t, *db_,
           "DELETE FROM messages_trigram WHERE rowid IN "
           "(SELECT id FROM messages WHERE id IN " SB_SESSION_MESSAGE_IDS(
             "?1") " AND active = 1)");
  t->bind(1, session_id);
  return t->run();
}

status sqlite_writer::reindex_restored(std::string_view session_id,
                                       std::int64_t rewrite) {
  SB_QUERY(q, *db_,
           "INSERT INTO messages_fts(rowid, content) SELECT id, content "
           "FROM messages WHERE id IN " SB_SESSION_MESSAGE_IDS(
             "?1") " AND replaced_by = ?2");
  q->bind(1, session_id).bind(2, rewrite);
  SB_TRY(q->run());
  SB_QUERY(c, *db_,
           "SELECT id, content, tool_name FROM messages "
           "WHERE id IN " SB_SESSION_MESSAGE_IDS("?1") " AND replaced_by = ?2");
  c->bind(1, session_id).bind(2, rewrite);
  return detail::add_cjk_rows(*db_, *c);
}

/// Recomputes the stored counters of a session from its folded rows (those
/// in message_index; its tail rows are folded in by the next fold) and
/// returns the exact number of its active messages.
result<std::int64_t> sqlite_writer::recount(std::string_view session_id) {
  SB_QUERY(q, *db_,
           "UPDATE sessions SET message_count = (SELECT count(*) FROM "
           "messages WHERE id IN (SELECT id FROM message_index WHERE "
           "session_id = ?1) AND active = 1), tool_call_count = (SELECT "
           "COALESCE(SUM(" SB_TOOL_CALLS(
             "tool_calls") "), 0) FROM messages WHERE id IN (SELECT id FROM "
                           "message_index WHERE session_id = ?1) AND active "
                           "= 1) WHERE id = ?1");
  q->bind(1, session_id);
  SB_TRY(q->run());
  if (db_->changes() == 0)
    return core::not_found("session '" + std::string{session_id} +
                           "' not found");
  return message_count(std::string{session_id});
}

result<std::int64_t>
sqlite_writer::rewrite_transcript(std::string_view session_id,
                                  const std::vector<core::message>& messages,
                                  core::time_point at) {
  return atomically([&]() -> result<std::int64_t> {
    SB_TRY(require_session(session_id));
    SB_QUERY(r, *db_,
             "INSERT INTO transcript_rewrites (session_id, at) VALUES (?, ?)");
    r->bind(1, session_id).bind(2, core::to_epoch_seconds(at));
    SB_TRY(r->run());
    std::int64_t rewrite = db_->last_rowid();
    SB_TRY(unindex_active(session_id));
    SB_QUERY(q, *db_,
             "UPDATE messages SET active = 0, replaced_by = ?1 WHERE id "
             "IN " SB_SESSION_MESSAGE_IDS("?2") " AND active = 1");
    q->bind(1, rewrite).bind(2, session_id);
    SB_TRY(q->run());
    std::optional<std::int64_t> first, last;
    for (const auto& m : messages) {
      auto id = insert_message(session_id, m, at);
      if (!id)
        return std::move(id).err();
      first = first.value_or(*id);
      last = *id;
    }
    // The rows a rewrite inserts are not activity (derived_state.cpp).
    SB_QUERY(span, *db_,
             "UPDATE transcript_rewrites SET first_id = ?, last_id = ? "
             "WHERE id = ?");
    span->bind(1, first).bind(2, last).bind(3, rewrite);
    SB_TRY(span->run());
    return recount(session_id);
  });
}

result<std::int64_t>
sqlite_writer::restore_transcript(std::string_view session_id) {
  return atomically([&]() -> result<std::int64_t> {
    SB_TRY(require_session(session_id));
    SB_QUERY(r, *db_,
             "SELECT id FROM transcript_rewrites WHERE session_id = ? "
             "AND restored = 0 ORDER BY id DESC LIMIT 1");
    r->bind(1, session_id);
    auto row = r->step();
    if (!row)
      return std::move(row).err();
    if (!*row)
      return core::not_found("session '" + std::string{session_id} +
                             "' has no rewrite to restore");
    std::int64_t rewrite = r->int64(0);
    SB_TRY(unindex_active(session_id));
    SB_TRY(reindex_restored(session_id, rewrite));
    for (const char* sql :
         {"UPDATE messages SET active = 0 WHERE id IN " SB_SESSION_MESSAGE_IDS(
            "?1") " AND active = 1",
          "UPDATE messages SET active = 1, replaced_by = NULL "
          "WHERE id IN " SB_SESSION_MESSAGE_IDS("?1") " AND replaced_by = ?2",
          "UPDATE transcript_rewrites SET restored = 1 WHERE id = ?2"}) {
      SB_QUERY(q, *db_, sql);
      q->bind(1, session_id);
      if (q->parameters() >= 2)
        q->bind(2, rewrite);
      SB_TRY(q->run());
    }
    return recount(session_id);
  });
}

status sqlite_writer::clear_messages(std::string_view session_id) {
  return atomically([&]() -> status {
    SB_TRY(require_session(session_id));
    SB_TRY(unindex_active(session_id));
    for (const char* sql :
         {"DELETE FROM messages WHERE id IN " SB_SESSION_MESSAGE_IDS("?1"),
          "DELETE FROM message_index WHERE session_id = ?1",
          "DELETE FROM message_tail WHERE session_id = ?1",
          "DELETE FROM transcript_rewrites WHERE session_id = ?1",
          "UPDATE sessions SET message_count = 0, tool_call_count = 0 "
          "WHERE id = ?"}) {
      SB_QUERY(q, *db_, sql);
      q->bind(1, session_id);
      SB_TRY(q->run());
    }
    return {};
  });
}

} // namespace switchboard::persistence
