#pragma once

// Loading switchboard's settings (shared/API.md "Configuration"): built-in
// defaults, then the JSON config file, then SWITCHBOARD_<SECTION>_<KEY>
// environment variables, then command-line flags; the result is validated as
// a whole, and any problem is an error naming the key path. Nothing here
// throws.

#include "core/result.hpp"
#include "core/settings.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::config {

/// Reads one environment variable; nullopt when unset.
using env_lookup =
  std::function<std::optional<std::string>(std::string_view name)>;

/// The process environment (getenv).
std::optional<std::string> system_env(std::string_view name);

/// The settings that `serve` accepts as flags; each wins over file and
/// environment when set. (The clock is not a setting.)
struct flag_overrides {
  std::optional<std::string> listen;
  std::optional<std::string> data_dir;
  std::optional<std::string> token_file; // api.token_file
  std::optional<std::string> nats;       // cluster.nats_urls, "URL,URL"
  std::optional<std::string> node_id;    // cluster.node_id
};

struct load_inputs {
  std::optional<std::string> config_file; // none: defaults + env + flags
  env_lookup env = system_env;
  flag_overrides flags;
};

/// The effective settings. Errors (bad_request): an unreadable or malformed
/// config file (naming the file); an unknown key at any depth, a wrong type
/// or an out-of-range value, naming the key path, e.g.
/// "reset.default.at_hour: expected an integer 0-23", with
/// " (from SWITCHBOARD_...)" or " (from --flag)" when the value came from
/// there. A policy object may leave out fields: they take the effective
/// default policy's values. An environment variable replaces the whole value
/// at its key (object- and array-valued keys take JSON text).
core::result<core::settings> load_settings(const load_inputs& in);

/// load_settings with the config file's contents given as `text` instead of
/// read from in.config_file (which is ignored); `name` stands for the file in
/// error messages ("config file '<name>': malformed JSON"). load_settings
/// reads the file and calls this. Same errors as load_settings otherwise.
core::result<core::settings> load_settings_from_text(std::string_view text,
                                                     std::string_view name,
                                                     const load_inputs& in);

/// The settings as pretty JSON in the config file's shape (every key), such
/// that loading it as a config file gives the same settings back.
std::string dump_settings(const core::settings& s);

/// The token in `path`, without surrounding whitespace. bad_request when the
/// file cannot be read or holds only whitespace.
core::result<std::string> read_token_file(const std::string& path);

} // namespace switchboard::config
