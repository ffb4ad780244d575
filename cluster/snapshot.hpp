#pragma once

// Snapshots of partition files, and the log trimmed behind them
// (shared/CLUSTER.md "Failover": a new standby copies a snapshot at a known
// sequence, then tails).
//
// Where: one stream, SB_SNAPSHOTS (file storage, R replicas), two subjects
// per partition: sb.snap.NN.chunk and sb.snap.NN.manifest. A snapshot is
// the bytes of `VACUUM INTO` of the partition file, published as chunks of
// 512 KiB, then a manifest
//   {"seq": S, "bytes": N, "chunks": [stream sequences], "node": "n1"}.
// The copied file's own cluster_applied row is S: it holds exactly the
// log's records 1..S (an owner commits a batch only with its record, and a
// replica applies records one by one), with the search index of the replica
// that made it (each replica maintains its own, like the records' apply).
// The newest manifest of a partition is the one to use; publishing one
// purges the partition's older chunks and manifests.
//
// The log is trimmed only below a durable snapshot: trim_log keeps every
// record from S - keep_records + 1 on, so a replica less than keep_records
// behind the snapshot continues from the log, and one further behind (or a
// new, empty one) installs the snapshot first.
//
// Installing replaces the file: the snapshot is downloaded to
// <file>.snapshot.tmp, checked (SQLite's quick_check, cluster_applied = S),
// fsynced and renamed to <file>.snapshot; finish_snapshot_install then
// removes <file>-wal and <file>-shm and renames it over <file>. A crash at
// any point leaves either the old file or a complete <file>.snapshot, which
// the next open installs (ensure_log_reachable, standby::start): the old
// file's WAL is never applied to the new file.

#include "cluster/nats_client.hpp"

#include "core/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::cluster {

struct snapshot_manifest {
  std::uint64_t seq = 0;             // the last log record the snapshot holds
  std::uint64_t bytes = 0;           // the file's size
  std::vector<std::uint64_t> chunks; // SB_SNAPSHOTS sequences, in order
  std::string node;                  // who made it
};

/// When an owner snapshots its partition, and how much log it keeps.
struct snapshot_policy {
  std::uint64_t every_records = 10000; // log records since the last snapshot
  std::uint64_t keep_records = 1000;   // log records kept below a snapshot
};

/// Creates SB_SNAPSHOTS with `replicas` replicas, or finds it (idempotent).
/// Errors: those of NATS.
core::status ensure_snapshot_stream(nats_client& c, int replicas);

/// The newest snapshot of `partition`, or nullopt when there is none.
/// Errors: bad_request when the manifest does not decode; those of NATS.
core::result<std::optional<snapshot_manifest>> latest_snapshot(nats_client& c,
                                                               int partition);

/// Copies the partition file at `file` (VACUUM INTO, a read transaction:
/// the owner's writer goes on) and publishes it as `node`'s snapshot of
/// `partition`, then purges the partition's older chunks and manifests.
/// Nothing is published when the log's last record no longer names `node`
/// (conflict: another node owns the partition now).
/// Errors: conflict as said; those of SQLite and NATS. A failure leaves
/// the previous snapshot the newest (chunks already sent are purged by the
/// next snapshot).
core::result<snapshot_manifest> publish_snapshot(nats_client& c, int partition,
                                                 const std::string& file,
                                                 const std::string& node);

/// One check of an owner: when the log holds at least every_records
/// records after `last_snapshot` (the newest snapshot's seq, 0 for none;
/// updated), publishes a snapshot and trims the log below it. Returns the
/// snapshot it published, nullopt when none was due.
/// Errors: those of publish_snapshot and NATS.
core::result<std::optional<snapshot_manifest>>
snapshot_if_due(nats_client& c, int partition, const std::string& file,
                const std::string& node, const snapshot_policy& policy,
                std::uint64_t& last_snapshot);

/// Replaces the file at `path` with the newest snapshot of `partition`
/// (see the contract above). Returns the snapshot's seq.
/// REQUIRES: nothing has `path` open.
/// Errors: not_found when the partition has no snapshot; overloaded when
/// the newest one is older than the log's first record (retry later);
/// internal when the
/// download does not match its manifest or the file fails its check;
/// those of NATS and the file system.
core::result<std::uint64_t>
bootstrap_from_snapshot(nats_client& c, int partition, const std::string& path);

/// Completes an install that a crash interrupted: when <path>.snapshot
/// exists, removes <path>-wal and <path>-shm and renames it over `path`.
/// REQUIRES: nothing has `path` open.
core::status finish_snapshot_install(const std::string& path);

/// Makes the file at `path` able to continue from `partition`'s log:
/// finishes an interrupted install, then installs the newest snapshot when
/// the records after the file's applied one were trimmed (or the file does
/// not exist and the log starts after record 1). Returns the file's applied
/// sequence (0 for no file).
/// REQUIRES: nothing has `path` open.
/// Errors: those of bootstrap_from_snapshot and NATS.
core::result<std::uint64_t> ensure_log_reachable(nats_client& c, int partition,
                                                 const std::string& path);

} // namespace switchboard::cluster
