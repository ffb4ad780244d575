#pragma once

// Base64 (RFC 4648, standard alphabet, with '=' padding): how a batch
// record carries its binary changeset inside the JSON of the log.

#include "core/result.hpp"

#include <string>
#include <string_view>

namespace switchboard::cluster {

/// `bytes` as base64 text (4 characters per 3 bytes, padded).
std::string base64_encode(std::string_view bytes);

/// The bytes of base64 `text`, or bad_request "<field>: expected base64"
/// when it is not (wrong length, a character outside the alphabet, or
/// padding anywhere but at the end).
core::result<std::string> base64_decode(std::string_view text,
                                        std::string_view field);

} // namespace switchboard::cluster
