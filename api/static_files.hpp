#pragma once

// GET / and GET /ui/... (API.md): the dashboard's static files, from the
// copy embedded in the binary (web/) or, with `serve --ui-dir DIR`, from
// disk. They need no token (the /v1 calls they make do). Every reply
// carries a strict Content-Security-Policy: scripts, styles and
// connections from this origin only, no inline script.

#include "api/http.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::api {

/// The header value sent with every dashboard file.
inline constexpr std::string_view dashboard_csp =
  "default-src 'self'; script-src 'self'; style-src 'self'; "
  "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// "/" or "/ui/..." (segments as decoded by decode_target).
bool is_ui_path(const std::vector<std::string>& segments);

/// The file for a dashboard path ("/" is index.html), or 404. A segment
/// that is empty, "." or ".." or holds a '/' or '\\' is refused (404),
/// so --ui-dir never serves outside its directory. /ui/auth.json is
/// {"token_required": bool}: the page asks for the token before its first
/// /v1 call instead of provoking a 401.
reply serve_ui(const std::vector<std::string>& segments,
               const std::optional<std::string>& ui_dir, bool token_required);

/// The Content-Type for a file name, by extension.
std::string content_type_for(std::string_view name);

} // namespace switchboard::api
