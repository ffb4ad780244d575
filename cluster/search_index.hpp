#pragma once

// The search indexes of a partition replica (persistence/schema.cpp:
// messages_fts holds exactly the active messages with their content;
// messages_trigram the active ones with CJK in their content or tool name).
// They are NOT replicated: FTS5 flushes and merges its segment pages inside
// ordinary transactions, so a changeset carrying them grows with the index,
// not with the batch (after a few thousand 1 KB messages one batch's merge
// made a record above NATS's 1 MB payload, and the partition refused every
// write from then on). The owner's writer maintains its indexes as always;
// a replica applies a changeset's `messages` rows and brings its own
// indexes to the same rows here, in the same transaction.
//
// Contract:
// - is_index_table(name): the indexes' virtual and shadow tables (kept out
//   of every captured changeset).
// - message_ids_in(changeset): the ids of the `messages` rows it inserts,
//   deletes or updates. Errors: bad_request for a corrupt changeset.
// - read_indexed(db, ids): what the indexes must hold for those ids as
//   the file holds them now (absent ids: nothing).
// - reindex(db, before, after): removes what `before` put in the indexes
//   and adds what `after` needs. With `before` read just before a
//   changeset is applied and `after` just after, the indexes end up
//   holding exactly what the owner's writer put in its own.

#include "core/result.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::cluster {

bool is_index_table(std::string_view table);

core::result<std::vector<std::int64_t>>
message_ids_in(const std::string& changeset);

/// An active message's indexed text.
struct indexed_text {
  std::optional<std::string> content;
  std::optional<std::string> tool_name;
};

/// id -> text, for the ids that are active messages.
using indexed_rows = std::map<std::int64_t, indexed_text>;

core::result<indexed_rows> read_indexed(sqlite3* db,
                                        const std::vector<std::int64_t>& ids);

core::status reindex(sqlite3* db, const indexed_rows& before,
                     const indexed_rows& after);

} // namespace switchboard::cluster
