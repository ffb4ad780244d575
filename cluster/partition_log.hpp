#pragma once

// The log of a partition: stream SB_Pnn on JetStream (one subject,
// sb.log.nn; file storage; R replicas), appended to only through the fence.
//
// The fence (shared/CLUSTER.md, "two defects"): every append carries the
// STREAM-level expected last sequence (header Nats-Expected-Last-Sequence),
// which nats-server 2.9.10 checks when the record is applied through Raft,
// so of two appends with the same expectation exactly one can succeed. The
// per-subject expectation and KV revisions are checked before the Raft
// proposal in 2.9.10 and are never used for safety.
//
// nats.c 3.4.1 sends no header for ExpectLastSeq 0 (it means "unset"), so
// an append expecting an EMPTY stream sets the header "0" itself (the
// server checks a present header, 0 included, at apply time) and also sets
// ExpectNoMessage (subject sequence 0, also checked at apply time; with one
// subject per stream it means the same).

#include "cluster/log_record.hpp"
#include "cluster/nats_client.hpp"

#include "core/result.hpp"

#include <cstdint>

namespace switchboard::cluster {

/// Creates partition `partition`'s stream with `replicas` replicas, or
/// finds it already there with the same configuration (idempotent).
/// Errors: internal when a stream of that name exists with another
/// configuration or the servers refuse it (e.g. more replicas than
/// servers); overloaded when NATS is unavailable.
core::status ensure_partition_stream(nats_client& c, int partition,
                                     int replicas);

/// Appends `r` to partition `partition`'s log if and only if the stream's
/// last sequence is `expected_last_seq` (0: the stream is empty).
/// Returns the record's sequence (expected_last_seq + 1).
/// Errors:
/// - conflict ("fenced"): the stream's last sequence is not the expected
///   one: another writer appended first. For an owner this means it has
///   been deposed: it must stop serving the partition at once.
/// - overloaded: NATS unavailable or timed out. The outcome is UNKNOWN
///   (the record may have been stored); read last_sequence() before
///   appending again.
/// - internal: anything else (e.g. the stream does not exist).
/// REQUIRES: 0 <= partition < max_partitions.
core::result<std::uint64_t> append(nats_client& c, int partition,
                                   const log_record& r,
                                   std::uint64_t expected_last_seq);

/// True for append's "fenced" error.
inline bool is_fenced(const core::error& e) {
  return is_conflict(e);
}

/// The record at sequence `seq` of partition `partition`'s log.
/// Errors: not_found when there is none; bad_request when it does not
/// decode (decode_record's message); the errors of NATS otherwise.
core::result<log_record> read_record(nats_client& c, int partition,
                                     std::uint64_t seq);

/// The sequence of the last record of partition `partition`'s log (0 when
/// empty). Errors: internal "... stream not found" when it does not exist;
/// overloaded when NATS is unavailable.
core::result<std::uint64_t> last_sequence(nats_client& c, int partition);

/// The records a partition's log still holds: first..last. A log trimmed
/// below a snapshot (cluster/snapshot.hpp) starts after 1; an empty log
/// has first = 0 or first = last + 1 (nats-server reports either).
struct log_bounds {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
};

/// The bounds of partition `partition`'s log. Errors: those of
/// last_sequence.
core::result<log_bounds> bounds_of(nats_client& c, int partition);

/// Removes the records of partition `partition`'s log below `keep_from`
/// (stream purge up to, not including, that sequence); records from
/// `keep_from` on and the stream's last sequence (the fence) are kept.
/// Only after a snapshot at a sequence >= keep_from - 1 is durable: a
/// replica further behind can continue from nothing else.
/// Errors: the errors of NATS.
core::status trim_log(nats_client& c, int partition, std::uint64_t keep_from);

} // namespace switchboard::cluster
