#pragma once

// The optional Hermes-compatible sessions.json mirror of the routing index
// (SPEC 3): the seed's format ({session_key: entry.to_dict()}, indent 2),
// written atomically. The actor layer decides when to call it.

#include "core/result.hpp"
#include "core/session_entry.hpp"
#include "core/zone.hpp"

#include <string>
#include <vector>

namespace switchboard::persistence {

/// Writes DIR/sessions.json atomically: a temp file in DIR
/// (".sessions_XXXXXX.tmp", like the seed), fsync, rename over the target,
/// fsync DIR. On error the previous file is intact and the temp file removed.
/// Times are naive local times in `z` (core::to_hermes_json).
core::status
write_sessions_json(const std::string& dir,
                    const std::vector<core::session_entry>& entries,
                    const core::zone& z);

/// Removes temp files a crash left behind in DIR (".sessions_*.tmp").
void clean_stale_temp_files(const std::string& dir);

} // namespace switchboard::persistence
