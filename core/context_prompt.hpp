#pragma once

// The session context prompt with optional PII redaction (SPEC 9, seed 000
// build_session_context_prompt), byte for byte.

#include "core/pii.hpp" // sha256_hex, the hashes (shared with the export)
#include "core/source.hpp"

#include <string>
#include <vector>

namespace switchboard::core {

struct home_channel {
  std::string platform;
  std::string chat_id;
  std::string name;
};

struct session_context {
  source origin;
  std::vector<std::string> connected_platforms; // in configured order
  std::vector<home_channel> home_channels;      // in configured order
  std::string local_output_path = "~/.hermes/cron/output/";
};

/// The seed's prompt text, byte for byte. Redaction applies only when
/// redact_pii is set and the platform is whatsapp, signal or telegram: user
/// ids become `user_<12 hex>`, chat ids `<prefix before the first ':'>:<12
/// hex>` (or just `<12 hex>` when there is no prefix). As in Python, an empty
/// optional string counts as absent. The seed's chat_id is required; here an
/// absent chat id prints as "" and, when redacted, hashes as "". The platform
/// is shown as Python's str.title() ("api_server" -> "Api_Server"); home
/// channels print in vector order, one per entry.
std::string build_session_context_prompt(const session_context& ctx,
                                         bool redact_pii);

} // namespace switchboard::core
