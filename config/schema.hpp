#pragma once

// The table of every configuration key (shared/API.md "Configuration" plus
// switchboard's tuning keys), in the config file's order. Each key knows how
// to read its value into core::settings (with validation), how to write it
// back, and how to read it from an environment variable. Internal to config/.

#include "config/values.hpp"
#include "core/settings.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::config {

/// How an environment variable's text becomes a JSON value.
enum class value_kind {
  integer,
  number,
  boolean,
  string,
  nullable_string,
  json_text
};

struct field {
  std::string_view path; // "reset.default", "listen"
  value_kind kind;
  /// Validates `v` and stores it. `path` names the key in errors.
  std::function<core::status(const json& v, core::settings& s,
                             std::string_view path)>
    apply;
  std::function<json(const core::settings& s)> dump;
};

/// Every key, in file order. Policy keys come after reset.default, so the
/// default policy is complete when the partial policies are filled from it.
const std::vector<field>& fields();

/// The field at `path`, or nullptr.
const field* find_field(std::string_view path);

/// True when `name` is a section ("reset", "flush", ...).
bool is_section(std::string_view name);

/// "SWITCHBOARD_" + the path upper-cased with '.' as '_'.
std::string env_name(std::string_view path);

} // namespace switchboard::config
