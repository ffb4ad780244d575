#pragma once

// The servers of `loadgen --url`: one URL or several (comma-separated, the
// flag repeated, or both), each http://HOST:PORT. Pure.

#include "core/result.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace switchboard::loadgen {

/// The URLs of every argument split at commas, in order, trailing '/'
/// removed ("http://h:1/" is "http://h:1"; duplicates are kept). Errors:
/// bad_request naming `field`: "--url: item 2 is empty" (an empty argument
/// or element), "--url: \"ftp://h\" is not http://HOST:PORT" (another
/// scheme, no host, a port that is not 1-65535, a path, a space).
core::result<std::vector<std::string>>
parse_url_list(const std::vector<std::string>& args, std::string_view field);

} // namespace switchboard::loadgen
