#pragma once

// The store_reader of a partitioned engine: every method asks the readers
// of all P slots at once (or the one slot that holds the answer), waits for
// all, and merges the answers the way one big file would answer, where
// that is possible. Runs on the partitioned engine's read threads (it
// blocks while the slots answer).
//
// Exact (equal to one file holding every partition's rows):
//  - get_entry: the key's partition only.
//  - list_entries: each slot is asked for offset + limit rows from 0, the
//    rows are merged in the query's order (sort column, then session_key)
//    and cut to the page. count_entries, entry_count, session_count,
//    message_count: sums. scan_expiry_candidates / scan_deferred_candidates:
//    merged oldest first, cut to the limit.
//  - get_session, transcript, compression_tip, export_session(_all): the
//    partition that holds the id (a session, and its compression chain,
//    live in the partition of the key that created it).
//  - resolve_session_id: an exact id anywhere wins; else the prefix's
//    candidates of every partition together: one is the answer, none is
//    not_found, several are "ambiguous session id prefix 'x': a, b, ..."
//    newest first, at most 10 then "...", as one file lists them.
//  - resolve_title: each partition's answer, then SPEC 6's rule (newest
//    "t #N" variant, else the exact title) over those answers.
//  - next_title: the highest "base #N" any partition proposes.
//  - history: as list_entries, newest started_at first (ties: id).
//  - search ordered newest / oldest: by message timestamp; equal
//    timestamps of two partitions keep partition order (one file breaks
//    them by message id, which is per file).
//  - usage: the rows of each group summed, ordered by the group. Sums of
//    costs may differ from one file's in the last bits (float addition
//    order).
// Approximate:
//  - search by relevance: BM25 scores are computed per file (and the
//    store does not return them), so the merged page interleaves the
//    partitions' ranked lists round-robin (first of each, then second of
//    each, ...). Within one partition the order is exact.
//  - select_prunable: the union of every partition's selection, merged
//    oldest first by the time in the session id (second resolution, then
//    the id). The count rule (keep_newest) keeps that many per partition,
//    as the partitioned engine's retention does (see partitioned_engine).
//  - export_all: merged newest first by started_at; every matching session
//    of every partition is buffered in memory before the first sink call.
//    (A streaming merge would hold a reader thread of every slot per
//    export, each blocked on its bounded queue: two concurrent exports
//    could then wait on each other's threads. Only the CLI exports all,
//    and it reads one file directly.)
//  - Uniqueness: nothing prevents two partitions from holding the same
//    title (set_title and next_title check one file each; two partitions
//    may pick the same title concurrently). resolve_title then answers the
//    newest; a duplicate session id (random bits) is not looked for.
// Errors: a slot that fails, has no owner (overloaded "partition N has no
// owner yet") or is stopping makes the whole read fail with that error,
// except where its answer cannot matter (an id found in another partition).
// message ids (search hits, transcripts) are unique per partition only.

#include "actors/partitioned_slots.hpp"

namespace switchboard::actors {

class partitioned_reader final : public core::store_reader {
public:
  explicit partitioned_reader(const slot_table& slots) : slots_(slots) {}

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

  /// The partition whose file holds session `id`; not_found when none
  /// does (or the error of a slot that could not answer).
  core::result<int> partition_of_session(std::string_view id);

private:
  const slot_table& slots_;
};

} // namespace switchboard::actors
