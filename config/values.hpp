#pragma once

// Typed, range-checked reads of one config value. Every error is bad_request
// "<path>: expected ...". Internal to config/.

#include "core/context_prompt.hpp"
#include "core/reset_policy.hpp"
#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::config {

using json = nlohmann::ordered_json;

inline constexpr std::int64_t no_max = std::numeric_limits<std::int64_t>::max();

/// "<path>: <what>" as bad_request.
core::error value_error(std::string_view path, std::string_view what);

/// An integer (not a float) in [min, max].
core::result<std::int64_t> read_int(const json& v, std::string_view path,
                                    std::int64_t min,
                                    std::int64_t max = no_max);
/// A finite number greater than zero.
core::result<double> read_positive_number(const json& v, std::string_view path);
core::result<bool> read_bool(const json& v, std::string_view path);
/// A non-empty string.
core::result<std::string> read_string(const json& v, std::string_view path);
/// null, or a non-empty string.
core::result<std::optional<std::string>>
read_nullable_string(const json& v, std::string_view path);
/// One of `choices`.
core::result<std::string>
read_choice(const json& v, std::string_view path,
            std::initializer_list<std::string_view> choices);

/// NATS URLs: a comma-separated string or an array of strings, each
/// checked by core::parse_nats_urls ("<path>: URL ..." or
/// "<path>[i]: ..."); an empty array is none.
core::result<std::vector<std::string>> read_nats_urls(const json& v,
                                                      std::string_view path);

/// True for [a-z0-9_]{1,32} (the platform names of core::source).
bool valid_platform(std::string_view s);

/// "HOST:PORT": a non-empty host ([v6] allowed) and a port 0-65535.
bool valid_listen(std::string_view s);

/// A policy object: fields mode, at_hour, idle_minutes, defer_daily_minutes
/// (0..1440), each optional and
/// taken from `base` when absent; unknown fields rejected.
core::result<core::reset_policy> read_policy(const json& v,
                                             std::string_view path,
                                             const core::reset_policy& base);

using policy_map = std::map<std::string, core::reset_policy, std::less<>>;
using key_check = bool (*)(std::string_view key);

/// An object of policies whose keys pass `check` (else "<path>.<key>:
/// <key_rule>"); each policy is filled from `base`.
core::result<policy_map> read_policy_map(const json& v, std::string_view path,
                                         const core::reset_policy& base,
                                         key_check check,
                                         std::string_view key_rule);

/// An array of platform names ("<path>[i]: expected a platform name ...").
core::result<std::vector<std::string>>
read_platform_list(const json& v, std::string_view path);

/// An object platform -> {"chat_id": string, "name": string (default
/// "Home"), "platform": the key (optional)}, in file order.
core::result<std::vector<core::home_channel>>
read_home_channels(const json& v, std::string_view path);
json home_channels_json(const std::vector<core::home_channel>& channels);

/// A policy as its full JSON object.
json policy_json(const core::reset_policy& p);

} // namespace switchboard::config
