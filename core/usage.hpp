#pragma once

// Usage rollup queries (SPEC 14) as the API and the CLI speak them: the
// group_by names, the day format, and the JSON rows of GET /v1/usage.

#include "core/result.hpp"
#include "core/store.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::core {

/// "day", "platform", "model".
std::string_view to_string(usage_group g);
std::optional<usage_group> parse_usage_group(std::string_view s);

/// True for a real calendar day written YYYY-MM-DD ("2026-02-30" is not).
bool valid_day(std::string_view s);

/// Checks a query from outside: from/to are days (errors name `from_name` /
/// `to_name`, e.g. "query.from") and from <= to.
status check_usage_query(const usage_query& q, std::string_view from_name,
                         std::string_view to_name);

/// {"rows": [{"<group>": ..., "input_tokens", "output_tokens",
/// "cache_read_tokens", "cache_write_tokens", "estimated_cost_usd",
/// "updates"}]} (API.md GET /v1/usage).
nlohmann::json usage_json(const std::vector<usage_row>& rows, usage_group g);

} // namespace switchboard::core
