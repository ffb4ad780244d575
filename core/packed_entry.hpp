#pragma once

// A session entry packed into a few dozen bytes, for keeping many idle keys in
// memory (the router shards hold one per resident key; a session_entry is
// ~650 bytes inline, mostly empty optional strings of its origin).
//
// Contract: unpack_entry(pack_entry(e, k), k) == e for every entry e and any
// key k (the key is written only when e.session_key differs from k, so a
// shard that already holds the key as its map key does not store it twice).
// The packed form lives in memory only: it is never persisted and its layout
// may change with any build.

#include "core/session_entry.hpp"

#include <string>
#include <string_view>

namespace switchboard::core {

/// Appends the packed form of `e` to `out`. `key` is the entry's expected
/// session key (see the contract above).
void pack_entry(const session_entry& e, std::string_view key, std::string& out);

/// The entry packed in `packed` by pack_entry with the same `key`. Throws
/// std::out_of_range on a truncated or malformed buffer (a programming error:
/// the buffer never comes from outside).
session_entry unpack_entry(std::string_view packed, std::string_view key);

} // namespace switchboard::core
