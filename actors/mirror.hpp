#pragma once

// Actors-private: the optional Hermes-compatible sessions.json mirror of the
// routing index (SPEC 3, index.sessions_json_mirror). The writer refreshes it
// at most once per index.mirror_interval_seconds when something changed.

#include "core/store.hpp"
#include "core/zone.hpp"

#include <string>

namespace switchboard::actors {

/// Writes every entry as the seed's sessions.json ({key: to_dict()}) to
/// `path` atomically: a temporary file beside it, fsync, rename.
core::status write_sessions_mirror(core::store_reader& r,
                                   const std::string& path,
                                   const core::zone& z);

} // namespace switchboard::actors
