#pragma once

// Actors-private: the memory flush hooks (SPEC 8). Each call blocks its
// thread for at most flush.timeout_seconds: run them on hook threads only.

#include "actors/runtime.hpp"

namespace switchboard::actors {

/// POSTs `payload` as JSON to `url`; ok on a 2xx within `timeout_seconds`.
core::status run_webhook(const std::string& url, const nlohmann::json& payload,
                         double timeout_seconds);

/// Runs `command` with /bin/sh -c, `payload` on stdin; ok on exit 0 within
/// `timeout_seconds` (killed after it). `scratch_dir` holds the stdin file.
core::status run_command(const std::string& command,
                         const nlohmann::json& payload, double timeout_seconds,
                         const std::string& scratch_dir);

/// The hook the settings configure (none: always ok).
flush_hook_fn make_flush_hook(const core::settings& cfg);

} // namespace switchboard::actors
