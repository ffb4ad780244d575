#pragma once

// The records of a partition's log (stream SB_Pnn), as JSON:
//
//   {"kind": "genesis" | "takeover" | "batch" | "handoff",
//    "epoch": <integer >= 0>, "node": <string>, "ops": [ ... ]}
//
// - genesis: the first record of every stream, written by `cluster init`
//   (epoch 0, node "", no ops), so that no writer ever appends to an
//   empty stream in normal operation.
// - takeover: `node` becomes the owner from this record on; epoch is one
//   more than the previous owner's.
// - batch: one group-commit batch of the owner: `ops` are its effects (the
//   writer's store operations with every id and time resolved), applied in
//   order by the owner and every standby.
// - handoff: the owner gives the partition up (graceful leave or return of
//   the preferred node); `node` is the owner handing off.
// `ops` is opaque here (an array of JSON values); its grammar belongs to the
// writer that produces and applies it. Unknown fields are ignored, so later
// versions may add some.

#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::cluster {

enum class record_kind { genesis, takeover, batch, handoff };

/// The wire name of a kind, e.g. "takeover".
std::string_view to_string(record_kind kind);

struct log_record {
  record_kind kind = record_kind::batch;
  std::uint64_t epoch = 0;
  std::string node;
  nlohmann::json ops = nlohmann::json::array();

  friend bool operator==(const log_record&, const log_record&) = default;
};

/// The record as compact JSON; null ops (e.g. `{}` in an aggregate
/// initializer) are written as []. REQUIRES: ops is an array or null.
std::string encode(const log_record& r);

/// The record in `text`, or bad_request naming the field:
/// "record: malformed JSON", "record.kind: expected one of genesis,
/// takeover, batch, handoff", "record.epoch: ...", "record.node: ...",
/// "record.ops: expected array".
core::result<log_record> decode_record(std::string_view text);

} // namespace switchboard::cluster
