#pragma once

// Fixtures for CLI tests that work on a data dir (temporary directories are
// in temp_dir.hpp): a data dir filled through the persistence API, and a tiny
// Hermes home (the seed's schema v6 written with plain SQL).

#include "tests/support/temp_dir.hpp"

#include <string>

namespace switchboard::testing {

/// Writes DIR/state.db with two sessions started at epoch 1000 and 2000:
///  - "20260101_000000_aaaa1111" (telegram, ended, title "alpha"): a user
///    message "hello kangaroo world" and an assistant reply "hi there";
///  - "20260102_000000_bbbb2222" (discord, open): "second session text";
/// and the entry "agent:main:discord:dm:7" -> the second session.
/// Returns "" on success, else what failed.
std::string fill_data_dir(const std::string& dir);

/// Writes DIR/state.db with a compression chain (SPEC 11b): the parent
/// "20260301_000000_aaaa0001" (telegram, title "plan", ended "compression")
/// and its child "20260301_010000_bbbb0002" ("plan #2"), plus the unrelated
/// "20260301_020000_cccc0003". Returns "" on success, else what failed.
std::string fill_lineage_data_dir(const std::string& dir);

/// Writes HOME/state.db in the seed's schema v6 with one session
/// "20250505_050505_cccc3333" (cli) holding one user message "imported
/// platypus". Returns "" on success, else what failed.
std::string make_hermes_home(const std::string& home);

} // namespace switchboard::testing
