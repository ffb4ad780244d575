#pragma once

// The dashboard's static files (this folder), embedded at build time by
// web/embed.cmake into a generated web_assets.cpp: no node or npm.

#include <optional>
#include <string_view>

namespace switchboard::web {

/// The bytes of the embedded file `name` ("index.html", "app.js"), or
/// nullopt when there is none.
std::optional<std::string_view> lookup(std::string_view name);

} // namespace switchboard::web
