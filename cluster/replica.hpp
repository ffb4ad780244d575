#pragma once

// Replication of a partition through its log (shared/CLUSTER.md, "The
// ack"; docs/CLUSTER_REPLICATION.md): the owner publishes each batch's
// effects as one fenced `batch` record before it commits, and every
// replica applies the log's records in order.
//
// A batch record's `ops` holds one element:
//
//   {"changeset": "<base64 of the session changeset>",
//    "sequences": {"<AUTOINCREMENT table>": <last id>, ...}}
//
// genesis, takeover and handoff records carry no effects: applying one
// only advances the applied sequence.

#include "cluster/changeset.hpp"
#include "cluster/log_record.hpp"
#include "cluster/nats_client.hpp"

#include "core/result.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>

struct sqlite3;

namespace switchboard::cluster {

/// The batch record carrying `effects`.
log_record batch_record(std::uint64_t epoch, std::string node,
                        const batch_effects& effects);

/// The effects a record carries (none for genesis, takeover and handoff).
/// bad_request naming the field for a malformed batch record, e.g.
/// "record.ops: expected one element", "record.ops[0].changeset: expected
/// base64", "record.ops[0].sequences.messages: expected integer".
core::result<batch_effects> effects_of(const log_record& r);

/// Applies record `seq` of `partition` to `db` (apply_effects: its effects
/// and the new applied sequence in one transaction, or nothing).
core::status apply_record(sqlite3* db, int partition, std::uint64_t seq,
                          const log_record& r);

/// The owner's commit of one batch, inside the batch's open transaction on
/// `db` after its last write: takes `capture`'s effects, appends them to
/// the log fenced with expected = the applied sequence, and on the quorum's
/// ack records the new applied sequence in the same transaction. Returns
/// that sequence. The caller then COMMITs; on any error it must ROLL BACK
/// (nothing of the batch may stay, and no reply may be sent):
/// - conflict ("fenced"): another node appended first; this node has been
///   deposed and must stop serving the partition at once;
/// - overloaded: NATS unavailable; the record may or may not be in the
///   log, so the node must catch_up() before it appends again;
/// - the errors of take() and append() otherwise.
core::result<std::uint64_t> publish_batch(nats_client& c, int partition,
                                          sqlite3* db,
                                          changeset_capture& capture,
                                          std::uint64_t epoch,
                                          const std::string& node);

/// publish_batch with effects already taken: appends them fenced with
/// expected = the applied sequence and records the new one in the open
/// transaction. Same errors and duties for the caller.
core::result<std::uint64_t> publish_effects(nats_client& c, int partition,
                                            sqlite3* db,
                                            const batch_effects& effects,
                                            std::uint64_t epoch,
                                            const std::string& node);

/// Where catch_up_until stopped.
struct catch_up_stop {
  std::uint64_t applied = 0; // the applied sequence reached
  /// The record `accept` refused (not applied) and its sequence, if any.
  std::optional<std::pair<std::uint64_t, log_record>> refused;
};

/// As catch_up, but stops before the first record `accept` refuses (it is
/// not applied). An owner uses it to tell its own in-doubt batch from
/// another node's records (which depose it).
core::result<catch_up_stop>
catch_up_until(nats_client& c, int partition, sqlite3* db,
               const std::function<bool(const log_record&)>& accept);

/// What take_over established.
struct ownership {
  std::uint64_t seq = 0;   // the takeover record's sequence (now applied)
  std::uint64_t epoch = 0; // its epoch: the new owner's batches carry it
};

/// Makes `node` the owner of `partition` on file `db`: catch_up to the end
/// of the log, then append a takeover record (epoch = the last record's
/// epoch + 1) fenced with expected = the applied sequence, and apply it.
/// Success means every batch acknowledged before it is applied in `db`, and
/// every later append of an earlier owner is fenced. When another node
/// appends between the catch-up and the append (a live owner), it catches
/// up and tries again, 10 times. Errors: conflict when it lost every time;
/// overloaded when NATS is unavailable (the takeover may have landed: a
/// retry catches it up and takes over again, with the next epoch); the
/// errors of catch_up.
/// REQUIRES: no transaction open on `db`; nobody else writes `db`.
core::result<ownership> take_over(nats_client& c, int partition, sqlite3* db,
                                  const std::string& node);

/// Brings `db` up to the end of `partition`'s log: reads every record after
/// its applied sequence and applies them one by one, in order. Returns the
/// applied sequence reached. On an error the records before the failing
/// one stay applied (each is its own transaction) and the error names the
/// record: "SB_P03 record 7: replica diverged: ...". internal when the
/// file has applied more records than the log holds (the log lost
/// acknowledged records, or the file belongs to another cluster).
/// not_found (is_trimmed) when the records after the applied one were
/// trimmed from the log: the file continues from a snapshot
/// (cluster/snapshot.hpp, bootstrap_from_snapshot), not from the log.
/// REQUIRES: no transaction open on `db`; nobody else writes `db`.
core::result<std::uint64_t> catch_up(nats_client& c, int partition,
                                     sqlite3* db);

/// True for catch_up's error when the records it needs were trimmed.
inline bool is_trimmed(const core::error& e) {
  return e.code == core::errc::not_found;
}

} // namespace switchboard::cluster
