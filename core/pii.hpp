#pragma once

// The stable PII hashes (SPEC 9, seed 000 _hash_id / _hash_sender_id /
// _hash_chat_id). Shared by the context prompt and the redacted export
// (SPEC 11) so both name the same person the same way.

#include <string>
#include <string_view>

namespace switchboard::core {

/// Lowercase hex SHA-256 of `data` (OpenSSL libcrypto; "" only if libcrypto
/// itself fails).
std::string sha256_hex(std::string_view data);

/// Seed _hash_id: the first 12 hex digits of sha256(value).
std::string pii_hash_id(std::string_view value);

/// Seed _hash_sender_id: `user_<12 hex>`.
std::string pii_hash_user_id(std::string_view value);

/// Seed _hash_chat_id: a prefix before the first ':' (when not at 0) is
/// kept, the rest hashed: `<prefix>:<12 hex>`, else `<12 hex>`.
std::string pii_hash_chat_id(std::string_view value);

} // namespace switchboard::core
