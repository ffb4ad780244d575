#pragma once

// The store interface (declared here, implemented with SQLite in
// persistence/). Two halves:
//  - store_writer: every write. REQUIRES: one thread at a time (the writer
//    actor), inside a transaction it opened with begin(). Each operation
//    changes nothing when it returns an error *if* the caller wraps it in a
//    savepoint (the writer does: one SAVEPOINT per request).
//  - store_reader: every read, on its own read-only connection. Reads never
//    block the writer and see everything committed before they start.
// All SQL uses bound parameters only. Times are core::time_point; the
// `sessions`/`messages` tables store them as REAL epoch seconds (seed 003).

#include "core/message.hpp"
#include "core/result.hpp"
#include "core/session_entry.hpp"
#include "core/time.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::core {

/// A new row of `sessions`.
struct session_row_init {
  std::string id;
  std::string source; // the platform, or "unknown"
  std::optional<std::string> user_id;
  std::optional<std::string> parent_session_id;
  std::optional<std::string> session_key;
  std::optional<std::string> chat_id;
  std::optional<std::string> chat_type;
  std::optional<std::string> thread_id;
  std::optional<std::string> model;
  std::optional<std::string> title; // already sanitized
  time_point started_at;
};

/// An entry the supervisor may expire, with what the flush rule needs.
struct expiry_candidate {
  session_entry entry;
  std::int64_t message_count = 0; // of the entry's current session row
};

enum class entry_sort { updated, created, tokens };

struct entry_list_query {
  std::optional<time_point> active_since; // updated_at >= this
  std::int64_t limit = 1000;
  std::int64_t offset = 0;
  // (new) dashboard filters; unset = any.
  std::optional<std::string> platform;
  std::optional<std::string> chat_type;
  std::optional<bool> finalized; // expiry_finalized
  /// Substring of the key or of the current session's title (ASCII case
  /// folded).
  std::optional<std::string> text;
  entry_sort sort = entry_sort::updated;
  bool ascending = false;
};

/// What count_entries reports for a query (limit and offset ignored).
struct entry_counts {
  std::int64_t total = 0;
  /// Matches per platform, the platform filter left out ("" = unknown).
  std::map<std::string, std::int64_t> by_platform;
  std::int64_t total_tokens = 0;   // of the matches
  double estimated_cost_usd = 0.0; // of the matches
};

struct history_query {
  std::optional<std::string> source;
  std::vector<std::string> exclude_sources;
  std::int64_t limit = 20;
  std::int64_t offset = 0;
  std::optional<std::string> user_id;     // sessions.user_id (new)
  std::optional<std::string> session_key; // sessions.session_key (new)
  /// Only the children of this session (sessions.parent_session_id; the
  /// dashboard's links to child sessions).
  std::optional<std::string> parent_session_id;
};

/// Which ended sessions a prune or a retention run deletes (SPEC 11, 13).
/// A session is selected when it has ended, matches `source`, no routing
/// entry points at it (which also keeps every busy session: a busy mark
/// lives on the entry of the session it protects), and
///  - it started before `started_before` (age rule; nullopt: off), or
///  - it is not among the `keep_newest` newest such sessions (count rule;
///    0: off), newest by started_at, then id.
/// Both rules off selects nothing.
struct prune_rule {
  std::optional<time_point> started_before;
  std::int64_t keep_newest = 0;
  std::optional<std::string> source;
};

/// One group of GET /v1/usage (SPEC 14): the sums of the daily rollups.
struct usage_row {
  std::string group; // the day (YYYY-MM-DD), platform or model
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cache_read_tokens = 0;
  std::int64_t cache_write_tokens = 0;
  double estimated_cost_usd = 0.0;
  std::int64_t updates = 0;
};

enum class usage_group { day, platform, model };

struct usage_query {
  std::optional<std::string> from; // YYYY-MM-DD, inclusive
  std::optional<std::string> to;   // YYYY-MM-DD, inclusive
  usage_group group_by = usage_group::day;
};

enum class search_order { relevance, newest, oldest };

struct search_query {
  std::string text;                 // raw user input; sanitized by the store
  std::vector<std::string> sources; // empty = any
  std::vector<std::string> exclude_sources; // empty = none
  std::vector<std::string> roles;           // empty = any
  std::int64_t limit = 20;
  std::int64_t offset = 0;
  search_order order = search_order::relevance;
  std::optional<std::string> user_id;     // only this user's sessions (new)
  std::optional<std::string> session_key; // only sessions of this key (new)
};

class store_writer {
public:
  virtual ~store_writer() = default;

  // -- transactions (used by the writer actor only) ------------------------
  virtual status begin() = 0;
  virtual status commit() = 0; // on error the transaction is rolled back
  virtual void rollback() = 0;
  virtual status savepoint() = 0;         // SAVEPOINT req
  virtual status release_savepoint() = 0; // RELEASE req
  /// ROLLBACK TO req; RELEASE req. An error means the whole transaction
  /// is gone: after SQLITE_FULL, IOERR, NOMEM or BUSY SQLite may roll it
  /// back by itself, taking the batch's earlier requests with it. The
  /// caller must then fail every request of the batch, not just this one.
  virtual status rollback_to_savepoint() = 0;

  // -- sessions ------------------------------------------------------------
  /// Inserts a row. conflict when the id exists: two conversations are never
  /// merged (callers retry with a new id).
  virtual status create_session(const session_row_init& row) = 0;
  /// Inserts a minimal row (id, source, started_at) unless it exists.
  virtual status ensure_session(std::string_view id, std::string_view source,
                                time_point at) = 0;
  /// Sets ended_at and end_reason unless already ended (the first reason
  /// wins). not_found when there is no such row.
  virtual status end_session(std::string_view id, std::string_view reason,
                             time_point at) = 0;
  /// Clears ended_at and end_reason. not_found when absent.
  virtual status reopen_session(std::string_view id) = 0;
  virtual status set_system_prompt(std::string_view id,
                                   std::string_view prompt) = 0;
  /// Adds tokens and cost (seed 003 update_token_counts: add, COALESCE
  /// backfills of model and billing fields), and adds the same tokens and
  /// cost (plus one update) to the daily rollup of (the day of `at` in the
  /// store's reset time zone, the session's source, the update's model else
  /// the session's, else "unknown") in the same transaction (SPEC 14).
  /// not_found when absent (nothing is rolled up then).
  virtual status update_usage(std::string_view id, const usage_update& u,
                              time_point at) = 0;
  /// Sanitizes and sets the title (an empty title clears it) and returns the
  /// stored value. bad_request when too long; conflict "title 'x' is already
  /// in use by session <id>"; not_found when the session does not exist.
  virtual result<std::optional<std::string>>
  set_title(std::string_view id, std::string_view raw_title) = 0;
  /// Compression split (SPEC 11b): ends the parent with "compression" and
  /// creates `child` with parent_session_id = parent and the title
  /// next_title_in_lineage(parent title) when the parent has one. Returns the
  /// child's title.
  virtual result<std::optional<std::string>>
  create_compression_child(std::string_view parent_id,
                           session_row_init child) = 0;
  /// Deletes a session with its messages, FTS rows and any index entry that
  /// points at it; children are detached (parent_session_id = NULL).
  virtual status delete_session(std::string_view id) = 0;
  /// Deletes ended sessions started before `cutoff` (of `source` when set),
  /// as delete_session does. Returns how many. Same as prune() with the age
  /// rule only.
  virtual result<std::int64_t>
  prune_sessions(time_point cutoff, std::optional<std::string> source) = 0;
  /// Deletes the sessions select_prunable(rule) names, each as
  /// delete_session does (children detached), and returns their ids (oldest
  /// first). With `dry_run` it only selects: the same ids, nothing deleted.
  virtual result<std::vector<std::string>> prune(const prune_rule& rule,
                                                 bool dry_run) = 0;

  // -- messages ------------------------------------------------------------
  /// Appends a message and its FTS row. Returns the message id. not_found
  /// when the session does not exist. The session's message_count and
  /// tool_call_count, and (for an inbound user message) the updated_at of
  /// the entry pointing at the session (= `at`), are derived from the row
  /// by flush_derived(); readers report them exactly either way.
  virtual result<std::int64_t> append_message(std::string_view session_id,
                                              const message& m,
                                              time_point at) = 0;
  /// Replaces the active transcript: the current active rows become
  /// active = 0 (and leave the FTS index), the new messages are appended;
  /// counters are recomputed. Returns the new message count.
  virtual result<std::int64_t>
  rewrite_transcript(std::string_view session_id,
                     const std::vector<message>& messages, time_point at) = 0;
  /// Undoes the last rewrite: the rows it deactivated become active again
  /// (and searchable), the rows it added become inactive. not_found when
  /// there is nothing to restore. Returns the new message count.
  virtual result<std::int64_t>
  restore_transcript(std::string_view session_id) = 0;
  /// Deletes every message of a session and zeroes its counters.
  virtual status clear_messages(std::string_view session_id) = 0;

  // -- routing index -------------------------------------------------------
  virtual status upsert_entry(const session_entry& e) = 0;
  /// Writes `e` when its only change since its last upsert is updated_at
  /// (the hot path: a message on a live session). A store may write just
  /// that column; the default is a full upsert_entry.
  virtual status touch_entry(const session_entry& e) { return upsert_entry(e); }
  virtual status delete_entry(std::string_view session_key) = 0;

  // -- derived state -------------------------------------------------------
  /// Folds the derived state of the messages appended since the last flush
  /// into the stored counters and entries, in the open transaction. With
  /// write-behind off (the default) commit() does it for every transaction;
  /// with it on, the caller flushes when it chooses (bulk, off the hot path).
  virtual void set_write_behind(bool) {}
  virtual status flush_derived() { return {}; }
  /// One slice of a sweep that folds what flush_derived() folds, a few
  /// sessions at a time, in the open transaction: the next `max_sessions`
  /// sessions with unfolded messages after the last slice's, in session id
  /// order, each folded whole. `done` when the slice reached the last such
  /// session (the next slice starts a new sweep from the first). A store
  /// without derived state has nothing to fold: done at once.
  struct fold_slice_result {
    bool done = true;
    std::int64_t sessions = 0; // folded by this slice
  };
  virtual result<fold_slice_result> fold_slice(std::int64_t max_sessions) {
    (void)max_sessions;
    return fold_slice_result{};
  }

  /// Housekeeping outside any transaction, after a batch's replies (the
  /// SQLite store finishes a WAL checkpoint there when the WAL is large).
  virtual void between_batches() {}
  /// True when the open transaction should be committed now rather than
  /// grow: a replicated store (cluster/replicated_writer.hpp) publishes a
  /// transaction as one log record, whose size is bounded. The writer actor
  /// asks after each request. A local store never asks.
  virtual bool batch_full() const { return false; }

  // -- idempotency (SPEC 12) -------------------------------------------------
  /// The reply remembered for `request_id` at or after `since` (an older one
  /// counts as forgotten), or nullopt. Sees this transaction's own writes.
  virtual result<std::optional<std::string>>
  find_request(std::string_view request_id, time_point since) = 0;
  /// Remembers `request_id` with the reply JSON of the request that used it
  /// first (replacing a forgotten one), in the caller's transaction.
  virtual status remember_request(std::string_view request_id,
                                  std::string_view reply, time_point at) = 0;
  /// Deletes at most `limit` ids remembered before `cutoff` (oldest first);
  /// returns how many. Cheap: uses the index on the time.
  virtual result<std::int64_t> forget_requests(time_point cutoff,
                                               std::int64_t limit) = 0;
  /// The id of a message of `session_id` (active or not) that carries
  /// `platform_message_id`, or nullopt.
  virtual result<std::optional<std::int64_t>>
  find_platform_message(std::string_view session_id,
                        std::string_view platform_message_id) = 0;
};

class store_reader {
public:
  virtual ~store_reader() = default;

  // -- routing index -------------------------------------------------------
  virtual result<std::optional<session_entry>>
  get_entry(std::string_view session_key) = 0;
  /// Newest first (updated_at DESC) unless q.sort / q.ascending say
  /// otherwise; ties by session_key. Order, active_since and the page
  /// (limit, offset) follow the values reported, also while a stored
  /// updated_at lags (derived state written behind).
  virtual result<std::vector<session_entry>>
  list_entries(const entry_list_query& q) = 0;
  /// The totals of list_entries(q) without paging (one aggregate query).
  virtual result<entry_counts> count_entries(const entry_list_query& q) = 0;
  /// Entries with expiry_finalized = 0 and updated_at < updated_before,
  /// oldest first, at most `limit`. Uses the index on updated_at: cost grows
  /// with the matches, not with the table.
  virtual result<std::vector<expiry_candidate>>
  scan_expiry_candidates(time_point updated_before, std::int64_t limit) = 0;
  virtual result<std::int64_t> entry_count() = 0;
  /// Entries with expiry_finalized = 0 that owe a deferred daily reset
  /// (daily_reset_deferred, SPEC 4.6) and were last active before
  /// `updated_before`, oldest first, at most `limit`. Uses a partial index:
  /// cost grows with the deferred entries, not with the table.
  virtual result<std::vector<expiry_candidate>>
  scan_deferred_candidates(time_point updated_before, std::int64_t limit) = 0;

  // -- sessions ------------------------------------------------------------
  /// The `sessions` row as a JSON object (column names as keys).
  virtual result<std::optional<nlohmann::json>>
  get_session(std::string_view id) = 0;
  /// An exact id, or the one id starting with `prefix` (LIKE wildcards
  /// literal). not_found when none; bad_request "ambiguous session id prefix
  /// 'x': a, b, ..." listing the candidates (at most 10).
  virtual result<std::string> resolve_session_id(std::string_view prefix) = 0;
  /// SPEC 6 resolve_by_title over the titles in the store (case-sensitive).
  virtual result<std::optional<std::string>>
  resolve_title(std::string_view title) = 0;
  /// SPEC 6 next_title_in_lineage over the titles in the store.
  virtual result<std::string> next_title(std::string_view title) = 0;
  /// Follows compression children (end_reason = "compression") from `id` to
  /// the tip, at most 100 hops.
  virtual result<std::string> compression_tip(std::string_view id) = 0;
  /// SPEC 11 history rows (the sessions row + preview, last_active, title).
  virtual result<nlohmann::json> history(const history_query& q) = 0;
  virtual result<std::int64_t>
  session_count(std::optional<std::string> source) = 0;
  /// The ids prune(rule) would delete now, in the order it deletes them
  /// (oldest first).
  virtual result<std::vector<std::string>>
  select_prunable(const prune_rule& rule) = 0;
  /// SPEC 14: the daily rollups between from and to (inclusive), summed by
  /// q.group_by, ordered by the group. They outlive the sessions they came
  /// from.
  virtual result<std::vector<usage_row>> usage(const usage_query& q) = 0;

  // -- messages ------------------------------------------------------------
  /// Active messages in the seed's conversation format, oldest first. With
  /// `stitch`, the whole compression chain ending at `id` (oldest first, at
  /// most 100 hops). not_found when the session does not exist.
  virtual result<nlohmann::json> transcript(std::string_view id,
                                            bool stitch) = 0;
  /// SPEC 10 search. A query that is empty after sanitizing, or that SQLite
  /// still rejects, yields an empty array, never an error.
  virtual result<nlohmann::json> search(const search_query& q) = 0;
  /// The sessions row with "messages" (all active messages, full rows).
  virtual result<std::optional<nlohmann::json>>
  export_session(std::string_view id) = 0;
  /// As export_session, but "messages" holds every row of the session,
  /// active or not, oldest first: a row a transcript rewrite replaced has
  /// active = 0 and replaced_by = the transcript_rewrites id (SPEC 7: a
  /// rewrite never destroys history). nullopt when the session is absent.
  virtual result<std::optional<nlohmann::json>>
  export_session_all(std::string_view id) = 0;
  /// Calls `sink` once per session (newest first), each as export_session.
  virtual status
  export_all(std::optional<std::string> source,
             const std::function<void(const nlohmann::json&)>& sink) = 0;
  virtual result<std::int64_t>
  message_count(std::optional<std::string> session_id) = 0;
};

} // namespace switchboard::core
