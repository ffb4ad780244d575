#pragma once

// The SQLite implementation of core/store.hpp.
//
//  - open_writer(): the one read-write connection (WAL, synchronous NORMAL or
//    FULL, foreign_keys ON, busy_timeout). Creates or migrates the schema
//    (schema.cpp); refuses newer or foreign files without modifying them.
//    The sqlite_writer implements store_writer AND store_reader on that
//    connection: the writer actor needs a few reads inside its transaction.
//  - open_reader(): a read-only connection (SQLITE_OPEN_READONLY, query_only)
//    on a file a writer has initialized. In WAL mode reads never block the
//    writer and each read statement sees everything committed before it.
//
// Every hot statement is prepared once per connection and cached.
// REQUIRES: each object is used by one thread at a time.

#include "core/fts_query.hpp"
#include "core/settings.hpp"
#include "core/store.hpp"
#include "core/zone.hpp"
#include "persistence/sqlite.hpp"
#include "persistence/wal_checkpointer.hpp"

#include <memory>
#include <string>

namespace switchboard::persistence {

/// What a session's unfolded rows (its message_tail entries) add to the
/// stored counters and to its entry's updated_at (derived_state.cpp).
struct pending_derived {
  std::int64_t messages = 0;                     // active ones
  std::int64_t tool_calls = 0;                   // of the active ones
  std::optional<core::time_point> last_activity; // newest inbound user msg
};

/// store_reader over one connection (read-only, or the writer's own).
class sqlite_reader : public core::store_reader {
public:
  explicit sqlite_reader(std::unique_ptr<connection> db) : db_(std::move(db)) {}

  core::result<std::optional<core::session_entry>>
  get_entry(std::string_view session_key) override;
  core::result<std::vector<core::session_entry>>
  list_entries(const core::entry_list_query& q) override;
  core::result<core::entry_counts>
  count_entries(const core::entry_list_query& q) override;
  core::result<std::vector<core::expiry_candidate>>
  scan_expiry_candidates(core::time_point updated_before,
                         std::int64_t limit) override;
  core::result<std::int64_t> entry_count() override;
  core::result<std::vector<core::expiry_candidate>>
  scan_deferred_candidates(core::time_point updated_before,
                           std::int64_t limit) override;

  core::result<std::optional<nlohmann::json>>
  get_session(std::string_view id) override;
  core::result<std::string>
  resolve_session_id(std::string_view prefix) override;
  core::result<std::optional<std::string>>
  resolve_title(std::string_view title) override;
  core::result<std::string> next_title(std::string_view title) override;
  core::result<std::string> compression_tip(std::string_view id) override;
  core::result<nlohmann::json> history(const core::history_query& q) override;
  core::result<std::int64_t>
  session_count(std::optional<std::string> source) override;
  core::result<std::vector<std::string>>
  select_prunable(const core::prune_rule& rule) override;
  core::result<std::vector<core::usage_row>>
  usage(const core::usage_query& q) override;

  core::result<nlohmann::json> transcript(std::string_view id,
                                          bool stitch) override;
  core::result<nlohmann::json> search(const core::search_query& q) override;
  core::result<std::optional<nlohmann::json>>
  export_session(std::string_view id) override;
  core::result<std::optional<nlohmann::json>>
  export_session_all(std::string_view id) override;
  core::status
  export_all(std::optional<std::string> source,
             const std::function<void(const nlohmann::json&)>& sink) override;
  core::result<std::int64_t>
  message_count(std::optional<std::string> session_id) override;

  /// The underlying connection (tests, import).
  connection& db() { return *db_; }

  /// What the unfolded rows of `session_id` add (one indexed query;
  /// nothing once the writer has folded the session).
  core::result<pending_derived> pending_of(std::string_view session_id);

protected:
  /// Adds the pending part to a `sessions` row's counters / an entry's
  /// updated_at, so that what readers report is exact.
  core::status add_pending(nlohmann::json& session_row);
  core::status add_pending(core::session_entry& e);

  core::result<std::vector<core::expiry_candidate>>
  candidates(std::string_view sql, core::time_point before, std::int64_t limit);
  core::result<std::vector<std::string>>
  title_candidates(std::string_view base);
  core::result<std::optional<std::string>> parent_in_chain(std::string_view id);
  core::result<nlohmann::json> active_messages(std::string_view id,
                                               bool conversation);
  core::result<nlohmann::json> search_context(std::string_view session_id,
                                              std::int64_t id);
  /// The hits of the FTS5 path (messages_fts), without context.
  nlohmann::json token_search(const core::search_query& sq);
  /// The hits of a query with CJK characters, without context
  /// (sqlite_search_cjk.cpp).
  nlohmann::json cjk_search(const core::search_query& sq,
                            const core::cjk_query& plan);

  std::unique_ptr<connection> db_;
};

/// store_writer (and store_reader) over the one write connection.
///
/// Why FTS rows wait for commit(): FTS5 flushes its in-memory term buffer to
/// a new index segment at every SAVEPOINT, so inserting the FTS row inside
/// the per-request savepoint made every message its own segment (3-4x
/// slower). append_message queues the row; commit() inserts the queue just
/// before COMMIT, in the same transaction, so a message is searchable exactly
/// when its write is acknowledged. Messages with CJK characters get their
/// messages_trigram row the same way (flagged in the queue by a byte scan at
/// insert; nothing extra for other messages). rollback_to_savepoint() drops
/// the rows the failed request queued. Operations that delete from the index
/// flush the queue first. Consequence: a search on the writer's own
/// connection inside an open transaction does not see that transaction's new
/// messages.
class sqlite_writer : public sqlite_reader, public core::store_writer {
public:
  using sqlite_reader::sqlite_reader;

  core::status begin() override;
  core::status commit() override;
  void rollback() override;
  core::status savepoint() override;
  core::status release_savepoint() override;
  core::status rollback_to_savepoint() override;

  core::status create_session(const core::session_row_init& row) override;
  core::status ensure_session(std::string_view id, std::string_view source,
                              core::time_point at) override;
  core::status end_session(std::string_view id, std::string_view reason,
                           core::time_point at) override;
  core::status reopen_session(std::string_view id) override;
  core::status set_system_prompt(std::string_view id,
                                 std::string_view prompt) override;
  core::status update_usage(std::string_view id, const core::usage_update& u,
                            core::time_point at) override;
  core::result<std::optional<std::string>>
  set_title(std::string_view id, std::string_view raw_title) override;
  core::result<std::optional<std::string>>
  create_compression_child(std::string_view parent_id,
                           core::session_row_init child) override;
  core::status delete_session(std::string_view id) override;
  core::result<std::int64_t>
  prune_sessions(core::time_point cutoff,
                 std::optional<std::string> source) override;
  core::result<std::vector<std::string>> prune(const core::prune_rule& rule,
                                               bool dry_run) override;

  core::result<std::int64_t> append_message(std::string_view session_id,
                                            const core::message& m,
                                            core::time_point at) override;
  core::result<std::int64_t>
  rewrite_transcript(std::string_view session_id,
                     const std::vector<core::message>& messages,
                     core::time_point at) override;
  core::result<std::int64_t>
  restore_transcript(std::string_view session_id) override;
  core::status clear_messages(std::string_view session_id) override;

  core::status upsert_entry(const core::session_entry& e) override;
  core::status touch_entry(const core::session_entry& e) override;
  core::status delete_entry(std::string_view session_key) override;

  void set_write_behind(bool on) override { write_behind_ = on; }
  core::status flush_derived() override;
  core::result<fold_slice_result>
  fold_slice(std::int64_t max_sessions) override;
  /// Inserts the queued FTS rows now, in the open transaction (commit()
  /// does it before COMMIT). Cluster mode calls it, and flush_derived()
  /// unless write-behind, before it captures the batch's changeset
  /// (cluster/changeset.hpp), so the changeset holds every write.
  core::status flush_fts();
  /// The content bytes of the queued FTS rows (what flush_fts() will
  /// index): of all of them, and of those that also go to messages_trigram
  /// (CJK: a content table and a trigram index, several times larger).
  /// Cluster mode bounds a transaction's log record with it
  /// (cluster/replicated_writer.hpp).
  struct fts_queue_bytes {
    std::size_t all = 0;
    std::size_t trigram = 0;
  };
  fts_queue_bytes pending_fts_bytes() const {
    fts_queue_bytes n;
    for (const auto& row : pending_fts_) {
      auto bytes = row.content ? row.content->size() : 0;
      n.all += bytes;
      n.trigram += row.trigram ? bytes : 0;
    }
    return n;
  }

  /// Moves WAL checkpoints off COMMIT onto a thread of their own
  /// (wal_checkpointer.hpp). `path` is this database's file.
  core::status checkpoint_in_background(const std::string& path,
                                        checkpoint_options opt = {});
  const wal_checkpointer* checkpointer() const { return checkpointer_.get(); }
  void between_batches() override {
    if (checkpointer_)
      checkpointer_->between_batches();
  }

  core::result<std::optional<std::string>>
  find_request(std::string_view request_id, core::time_point since) override;
  core::status remember_request(std::string_view request_id,
                                std::string_view reply,
                                core::time_point at) override;
  core::result<std::int64_t> forget_requests(core::time_point cutoff,
                                             std::int64_t limit) override;
  core::result<std::optional<std::int64_t>>
  find_platform_message(std::string_view session_id,
                        std::string_view platform_message_id) override;

  /// The zone whose calendar days the usage rollups use (the reset time
  /// zone; UTC until set).
  void set_rollup_zone(core::zone z) { rollup_zone_ = std::move(z); }
  /// Adds a session's stored token and cost totals to the rollup of the day
  /// it started (import-hermes: imported sessions had no usage updates
  /// here). not_found when absent.
  core::status roll_up_session(std::string_view id);

private:
  /// The newest inbound message of a session that its entry must show.
  struct activity {
    std::string key;
    std::string session_id;
    std::int64_t at_us;
  };
  /// What fold_sessions folded: `sessions` sessions, the last of them
  /// `last`; `done` when no session with unfolded messages follows.
  struct folded_range {
    bool done = true;
    std::int64_t sessions = 0;
    std::string last;
  };
  core::result<folded_range> fold_sessions(const std::string& after,
                                           std::int64_t limit);
  template <class F>
  core::status in_fold_savepoint(F&& fold);
  core::status advance_watermark();
  core::status move_tail(const std::string& after,
                         const std::optional<std::string>& upto);
  core::status add_counts(const std::string& session_id, std::int64_t messages,
                          std::int64_t tool_calls);
  core::result<std::vector<activity>>
  with_entry_keys(const std::vector<activity>& by_session);
  core::status move_entries(const std::vector<activity>& active);
  core::status add_rollup(std::string_view id, const core::usage_update& u,
                          core::time_point at, std::int64_t updates);
  core::status run(std::string_view sql);
  core::status require_session(std::string_view id);
  core::result<std::int64_t> insert_message(std::string_view session_id,
                                            const core::message& m,
                                            core::time_point at);
  core::status unindex_active(std::string_view session_id);
  core::status reindex_restored(std::string_view session_id,
                                std::int64_t rewrite);
  core::result<std::int64_t> recount(std::string_view session_id);
  core::status delete_session_rows(std::string_view id);
  template <class F>
  auto atomically(F&& f) -> decltype(f());

  struct fts_row {
    std::int64_t id;
    std::optional<std::string> content;
    bool trigram = false; // also into messages_trigram (holds CJK)
    std::optional<std::string> tool_name; // set only when trigram
  };
  std::vector<fts_row> pending_fts_; // inserted by commit()
  std::size_t savepoint_mark_ = 0;   // pending_fts_.size() at SAVEPOINT
  bool in_savepoint_ = false;
  std::vector<fts_row> flushed_in_savepoint_; // re-queued on ROLLBACK TO
  bool write_behind_ = false; // false: commit() flushes derived state
  std::string slice_cursor_;  // fold_slice: the last session folded
  // Destroyed before the connection (a base member): unhooks, then joins.
  std::unique_ptr<wal_checkpointer> checkpointer_;
  core::zone rollup_zone_ = core::zone::utc();
};

/// Whether open_writer folds the derived state of the unfolded rows in at
/// once (a transaction of its own), or leaves them to the
/// next flush_derived(). Readers are exact either way.
/// Why `deferred`: a replicated partition file (cluster mode) must change
/// only in transactions that go through its log; a local fold at open would
/// make it differ from its replicas.
enum class open_fold { at_open, deferred };

/// Opens (creating or migrating) the database at `path` for writing.
core::result<std::unique_ptr<sqlite_writer>>
open_writer(const std::string& path,
            core::durability mode = core::durability::normal,
            open_fold fold = open_fold::at_open);

/// Opens a read-only connection on a database a writer has initialized.
/// `cache_kib` > 0 sets its page cache (SQLite's default is 2 MiB): a
/// connection that only makes point lookups needs the upper B-tree levels,
/// and at 200k keys eight such caches were ~80 B of RSS per key.
core::result<std::unique_ptr<sqlite_reader>>
open_reader(const std::string& path, int cache_kib = 0);

} // namespace switchboard::persistence
