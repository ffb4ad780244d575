#pragma once

// The replicated writer of a partition file (issue 17 phase 3a;
// docs/CLUSTER_REPLICATION.md, "What phase 3 must do", item 1): a
// core::store_writer over persistence::sqlite_writer whose every write
// transaction is published into the partition's log before COMMIT and
// committed only on the quorum's ack.
//
// Contract, per transaction (the writer actor's group-commit batch):
//  - begin(): inner BEGIN, then a changeset_capture of everything written.
//  - commit(): what the inner commit would still write before COMMIT (the
//    derived-state fold unless write-behind, the queued FTS rows) is written
//    first; then the changeset is taken and appended as one `batch` record
//    fenced with expected = the applied sequence; on the ack the new applied
//    sequence is written in the same transaction and the inner COMMIT runs.
//    A transaction that changed nothing publishes no record.
//  - Every write of the file goes through begin()/commit() here: the writer
//    actor's batches, its write-behind folds (flush_alone), retention,
//    prune and expiry (write jobs). The file is opened without the recovery
//    fold (persistence::open_fold::deferred); between_batches() only
//    finishes WAL checkpoints (no logical change).
//
// Errors of commit() (the transaction is rolled back, nothing local
// changes, and the writer fails the batch's requests with them):
//  - fenced: the writer catches up. Records of its own epoch before any
//    other (its in-doubt batch that reached the log late: a proposal made
//    without quorum commits when the quorum is back) are applied and the
//    batch fails with overloaded (retry). Any other record (another node's
//    takeover) means the writer is DEPOSED: that record is not applied;
//    this and every later begin()/commit() fails at once with
//    overloaded "moved: partition N is owned by another node ...": HTTP
//    answers 503 with Retry-After, and a forwarding layer retries at the
//    new owner. (Why overloaded and no new code: the request did nothing
//    and may succeed when retried, which is what 503 says; a new errc would
//    change core, api and the contract for a message the forwarding layer
//    recognises by its prefix, moved_prefix.)
//  - overloaded (NATS unavailable; the record may have landed): the next
//    begin() first catches up from the log. Records of this node's own epoch
//    (its in-doubt batch) are applied; any other record (a takeover, another
//    node's batch) deposes the writer before it is applied.
//  - payload_too_large: the record would exceed max_record_bytes (one
//    request whose effects are that large). batch_full() keeps groups of
//    requests below it: the writer actor commits a group early once its
//    changeset plus its queued FTS rows (an estimate) reach cut_bytes(),
//    half the limit.
//  - errors after the ack (record_applied, COMMIT): the log holds the batch
//    but the file does not; the next begin() catches up (applies it).
//
// KNOWN GAP: when an in-doubt batch did land, catch-up applies it after its
// requests were answered with an error; the router shards' cached entries
// of those keys are then older than the file until they leave memory.
//
// REQUIRES: one thread at a time (the writer actor's), like any
// store_writer; deposed() may be read from any thread.

#include "cluster/changeset.hpp"
#include "cluster/nats_client.hpp"

#include "core/store.hpp"
#include "persistence/sqlite_store.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::cluster {

/// The start of the message of the error a deposed writer answers with.
inline constexpr std::string_view moved_prefix = "moved: ";

/// Where a partition file replicates to.
struct replication_target {
  std::shared_ptr<nats_client> nats;
  int partition = 0;
  std::string node; // this node's id (takeover and batch records name it)
  /// The largest record the writer appends; 0: the connection's
  /// max_payload (nats-server's default is 1 MB) less record_headroom.
  std::size_t max_record_bytes = 0;
  /// Set once the writer is deposed, read by anyone (the node's partition
  /// host stops serving the partition at once, without waiting to read
  /// the log). Optional.
  std::shared_ptr<std::atomic<bool>> deposed_flag = {};
};

/// Bytes left for the message headers beside a record in a NATS message.
inline constexpr std::size_t record_headroom = 4096;

class replicated_writer final : public core::store_writer {
public:
  /// Takes the partition over on `inner`'s file (take_over: catch up to the
  /// end of the log, append a takeover record, apply it) and wraps it.
  /// Errors: those of take_over (overloaded: NATS unavailable; conflict:
  /// another node appended meanwhile).
  /// REQUIRES: `inner` opened with open_fold::deferred, no transaction open.
  static core::result<std::unique_ptr<replicated_writer>>
  open(std::unique_ptr<persistence::sqlite_writer> inner,
       replication_target target);

  /// The log sequence of the last record in the file (cluster_applied).
  std::uint64_t applied() const { return applied_; }
  /// The epoch of this node's ownership (its takeover record's).
  std::uint64_t epoch() const { return epoch_; }
  bool deposed() const { return deposed_.load(std::memory_order_acquire); }
  /// The changeset size at which batch_full() says yes.
  std::size_t cut_bytes() const { return cut_bytes_; }
  persistence::sqlite_writer& inner() { return *inner_; }

  core::status begin() override;
  core::status commit() override;
  void rollback() override;
  core::status savepoint() override { return inner_->savepoint(); }
  core::status release_savepoint() override {
    return inner_->release_savepoint();
  }
  core::status rollback_to_savepoint() override {
    return inner_->rollback_to_savepoint();
  }
  bool batch_full() const override;
  void set_write_behind(bool on) override {
    write_behind_ = on;
    inner_->set_write_behind(on);
  }
  core::status flush_derived() override { return inner_->flush_derived(); }
  core::result<fold_slice_result>
  fold_slice(std::int64_t max_sessions) override {
    return inner_->fold_slice(max_sessions);
  }
  void between_batches() override { inner_->between_batches(); }

  core::status create_session(const core::session_row_init& row) override {
    return inner_->create_session(row);
  }
  core::status ensure_session(std::string_view id, std::string_view source,
                              core::time_point at) override {
    return inner_->ensure_session(id, source, at);
  }
  core::status end_session(std::string_view id, std::string_view reason,
                           core::time_point at) override {
    return inner_->end_session(id, reason, at);
  }
  core::status reopen_session(std::string_view id) override {
    return inner_->reopen_session(id);
  }
  core::status set_system_prompt(std::string_view id,
                                 std::string_view prompt) override {
    return inner_->set_system_prompt(id, prompt);
  }
  core::status update_usage(std::string_view id, const core::usage_update& u,
                            core::time_point at) override {
    return inner_->update_usage(id, u, at);
  }
  core::result<std::optional<std::string>>
  set_title(std::string_view id, std::string_view raw_title) override {
    return inner_->set_title(id, raw_title);
  }
  core::result<std::optional<std::string>>
  create_compression_child(std::string_view parent_id,
                           core::session_row_init child) override {
    return inner_->create_compression_child(parent_id, std::move(child));
  }
  core::status delete_session(std::string_view id) override {
    return inner_->delete_session(id);
  }
  core::result<std::int64_t>
  prune_sessions(core::time_point cutoff,
                 std::optional<std::string> source) override {
    return inner_->prune_sessions(cutoff, std::move(source));
  }
  core::result<std::vector<std::string>> prune(const core::prune_rule& rule,
                                               bool dry_run) override {
    return inner_->prune(rule, dry_run);
  }
  core::result<std::int64_t> append_message(std::string_view session_id,
                                            const core::message& m,
                                            core::time_point at) override {
    return inner_->append_message(session_id, m, at);
  }
  core::result<std::int64_t>
  rewrite_transcript(std::string_view session_id,
                     const std::vector<core::message>& messages,
                     core::time_point at) override {
    return inner_->rewrite_transcript(session_id, messages, at);
  }
  core::result<std::int64_t>
  restore_transcript(std::string_view session_id) override {
    return inner_->restore_transcript(session_id);
  }
  core::status clear_messages(std::string_view session_id) override {
    return inner_->clear_messages(session_id);
  }
  core::status upsert_entry(const core::session_entry& e) override {
    return inner_->upsert_entry(e);
  }
  core::status touch_entry(const core::session_entry& e) override {
    return inner_->touch_entry(e);
  }
  core::status delete_entry(std::string_view session_key) override {
    return inner_->delete_entry(session_key);
  }
  core::result<std::optional<std::string>>
  find_request(std::string_view request_id, core::time_point since) override {
    return inner_->find_request(request_id, since);
  }
  core::status remember_request(std::string_view request_id,
                                std::string_view reply,
                                core::time_point at) override {
    return inner_->remember_request(request_id, reply, at);
  }
  core::result<std::int64_t> forget_requests(core::time_point cutoff,
                                             std::int64_t limit) override {
    return inner_->forget_requests(cutoff, limit);
  }
  core::result<std::optional<std::int64_t>>
  find_platform_message(std::string_view session_id,
                        std::string_view platform_message_id) override {
    return inner_->find_platform_message(session_id, platform_message_id);
  }

private:
  replicated_writer(std::unique_ptr<persistence::sqlite_writer> inner,
                    replication_target target);
  sqlite3* db() { return inner_->db().raw(); }
  core::status publish();
  core::status resync();
  core::status after_fence(core::error fenced);
  core::status reread_sequences();
  core::error depose(std::string why);
  core::error moved() const;

  std::unique_ptr<persistence::sqlite_writer> inner_;
  replication_target target_;
  std::size_t max_record_ = 0;
  std::size_t cut_bytes_ = 0;
  std::uint64_t applied_ = 0;
  std::uint64_t epoch_ = 0;
  std::optional<changeset_capture> capture_; // set between begin and commit
  /// sqlite_sequence as of the last commit (an otherwise empty changeset
  /// with other sequences still needs a record).
  std::map<std::string, std::int64_t> sequences_;
  std::map<std::string, std::int64_t> published_sequences_;
  bool write_behind_ = false;
  bool needs_catch_up_ = false;
  bool fenced_ = false; // publish()'s append was fenced
  std::atomic<bool> deposed_{false};
  std::string deposed_why_; // written once, before deposed_ is set
};

/// engine::start's start_options::replicate for `target`: opens the
/// replicated writer (taking the partition over) on the engine's file.
std::function<core::result<std::unique_ptr<core::store_writer>>(
  std::unique_ptr<persistence::sqlite_writer>)>
replicate_to(replication_target target);

} // namespace switchboard::cluster
