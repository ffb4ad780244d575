#pragma once

// GET /v1/expiry/forecast (API.md): how many sessions expire in each coming
// hour if no message arrives, split by the rule that expires them (SPEC 8:
// idle before daily, busy sessions wait until busy_until). Pure: the route
// reads the candidates and calls this.

#include "core/settings.hpp"
#include "core/store.hpp"
#include "core/zone.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <utility>
#include <vector>

namespace switchboard::api {

/// When `e` resets if no message arrives, and by which rule; nullopt for
/// mode none. A time at or before `now` means it is due now.
std::optional<std::pair<core::time_point, core::reset_reason>>
next_expiry(const core::settings& cfg, const core::zone& z,
            const core::session_entry& e);

/// {"buckets": [{"hour", "idle", "daily"}]}: `hours` buckets starting at
/// the start of now's hour (UTC); sessions already due count in the first.
nlohmann::json
expiry_forecast(const core::settings& cfg, const core::zone& z,
                const std::vector<core::expiry_candidate>& candidates,
                core::time_point now, int hours);

} // namespace switchboard::api
