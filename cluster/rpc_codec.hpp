#pragma once

// The JSON wire form of the engine's and the store reader's values, for
// forwarding calls to a partition's owner (docs/CLUSTER_STATUS.md "Phase
// 3c"). Pure: no I/O.
//
// Contract: decode<T>(encode(x)) == x for every value of every type here,
// exactly:
//  - an optional field that is nullopt is absent; a present one is its
//    value (an optional<json> holding null stays "present, null");
//  - times (core::time_point) are integer microseconds since the epoch;
//  - doubles are written with round-trip precision (nlohmann's dump);
//  - enums are their integer value (every node runs the same build: a
//    reordered enum is a wire change);
//  - an error is {"code": "<to_string(errc)>", "message": "..."}.
// Unknown keys are ignored when decoding (a newer peer may add fields).
// decode fails with internal "rpc: malformed <what>: <detail>" when a field
// has the wrong type or a required one is missing: the peer is broken, not
// the caller.

#include "actors/engine.hpp"
#include "core/store.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace switchboard::cluster::rpc {

// One overload pair per type: to_wire(x) -> json; from_wire(j, x) fills x
// and throws nlohmann::json::exception (or std::invalid_argument) on a
// malformed value. Callers use encode/decode below.
#define SB_RPC_WIRE(T)                                                         \
  nlohmann::json to_wire(const T& x);                                          \
  void from_wire(const nlohmann::json& j, T& x);

SB_RPC_WIRE(core::error)
SB_RPC_WIRE(core::time_point)
SB_RPC_WIRE(core::source)
SB_RPC_WIRE(core::message)
SB_RPC_WIRE(core::usage_update)
SB_RPC_WIRE(core::session_entry)
SB_RPC_WIRE(core::expiry_candidate)
SB_RPC_WIRE(core::entry_list_query)
SB_RPC_WIRE(core::entry_counts)
SB_RPC_WIRE(core::history_query)
SB_RPC_WIRE(core::prune_rule)
SB_RPC_WIRE(core::usage_row)
SB_RPC_WIRE(core::usage_query)
SB_RPC_WIRE(core::search_query)
SB_RPC_WIRE(actors::route_request)
SB_RPC_WIRE(actors::route_reply)
SB_RPC_WIRE(actors::append_reply)
SB_RPC_WIRE(actors::rewrite_reply)
SB_RPC_WIRE(actors::switch_target)
SB_RPC_WIRE(actors::sweep_report)
SB_RPC_WIRE(actors::expire_reply)
SB_RPC_WIRE(actors::prune_request)
SB_RPC_WIRE(actors::prune_report)
SB_RPC_WIRE(actors::event)

#undef SB_RPC_WIRE

// Plain values, optionals, vectors and result<T> (as {"ok": v} or
// {"error": e}) compose from the above.
template <class T>
requires(std::is_arithmetic_v<T> || std::is_same_v<T, std::string> ||
         std::is_same_v<T, nlohmann::json>) nlohmann::json to_wire(const T& x) {
  return nlohmann::json(x);
}
template <class T>
requires(
  std::is_arithmetic_v<T> || std::is_same_v<T, std::string> ||
  std::is_same_v<T, nlohmann::json>) void from_wire(const nlohmann::json& j,
                                                    T& x) {
  if constexpr (std::is_same_v<T, nlohmann::json>)
    x = j;
  else
    x = j.get<T>();
}

template <class T>
requires std::is_enum_v<T> nlohmann::json to_wire(const T& x) {
  return static_cast<std::underlying_type_t<T>>(x);
}
template <class T>
requires std::is_enum_v<T>
void from_wire(const nlohmann::json& j, T& x) {
  x = static_cast<T>(j.get<std::underlying_type_t<T>>());
}

template <class T>
nlohmann::json to_wire(const std::optional<T>& x);
template <class T>
void from_wire(const nlohmann::json& j, std::optional<T>& x);
template <class T>
nlohmann::json to_wire(const std::vector<T>& x);
template <class T>
void from_wire(const nlohmann::json& j, std::vector<T>& x);
template <class T>
struct blank;
template <class T>
nlohmann::json to_wire(const std::map<std::string, T>& x);
template <class T>
void from_wire(const nlohmann::json& j, std::map<std::string, T>& x);
template <class T>
nlohmann::json to_wire(const core::result<T>& x);
template <class T>
void from_wire(const nlohmann::json& j, core::result<T>& x);
nlohmann::json to_wire(const core::status& x);
void from_wire(const nlohmann::json& j, core::status& x);

/// An optional on its own (not as a field): null when nullopt, else
/// [value] (so that optional<json> holding null differs from nullopt).
template <class T>
nlohmann::json to_wire(const std::optional<T>& x) {
  if (!x)
    return nullptr;
  return nlohmann::json::array({to_wire(*x)});
}
template <class T>
void from_wire(const nlohmann::json& j, std::optional<T>& x) {
  if (j.is_null()) {
    x.reset();
    return;
  }
  auto v = blank<T>::make();
  from_wire(j.at(0), v);
  x = std::move(v);
}

template <class T>
nlohmann::json to_wire(const std::vector<T>& x) {
  auto a = nlohmann::json::array();
  for (const auto& v : x)
    a.push_back(to_wire(v));
  return a;
}
template <class T>
void from_wire(const nlohmann::json& j, std::vector<T>& x) {
  if (!j.is_array())
    throw std::invalid_argument("expected array");
  x.clear();
  x.reserve(j.size());
  for (const auto& e : j) {
    auto v = blank<T>::make();
    from_wire(e, v);
    x.push_back(std::move(v));
  }
}

template <class T>
nlohmann::json to_wire(const std::map<std::string, T>& x) {
  auto o = nlohmann::json::object();
  for (const auto& [k, v] : x)
    o[k] = to_wire(v);
  return o;
}
template <class T>
void from_wire(const nlohmann::json& j, std::map<std::string, T>& x) {
  if (!j.is_object())
    throw std::invalid_argument("expected object");
  x.clear();
  for (const auto& [k, v] : j.items())
    from_wire(v, x[k]);
}

template <class T>
nlohmann::json to_wire(const core::result<T>& x) {
  if (!x)
    return {{"error", to_wire(x.err())}};
  return {{"ok", to_wire(x.value())}};
}
template <class T>
void from_wire(const nlohmann::json& j, core::result<T>& x) {
  if (j.contains("error")) {
    core::error e;
    from_wire(j.at("error"), e);
    x = std::move(e);
    return;
  }
  auto v = blank<T>::make();
  from_wire(j.at("ok"), v);
  x = std::move(v);
}

/// A value to decode into (result<T> has no default constructor).
template <class T>
struct blank {
  static T make() { return T{}; }
};
template <class T>
struct blank<core::result<T>> {
  static core::result<T> make() { return core::result<T>(T{}); }
};

/// A field of an object: a nullopt optional is left out, a present one is
/// its value; anything else is its wire form.
template <class T>
void put_field(nlohmann::json& j, const char* key, const T& v) {
  j[key] = to_wire(v);
}
template <class T>
void put_field(nlohmann::json& j, const char* key, const std::optional<T>& v) {
  if (v)
    j[key] = to_wire(*v);
}
/// Reads a field put_field wrote; a missing non-optional field throws.
template <class T>
void get_field(const nlohmann::json& j, const char* key, T& v) {
  auto it = j.find(key);
  if (it == j.end())
    throw std::invalid_argument(std::string(key) + ": required");
  from_wire(*it, v);
}
template <class T>
void get_field(const nlohmann::json& j, const char* key, std::optional<T>& v) {
  auto it = j.find(key);
  if (it == j.end()) {
    v.reset();
    return;
  }
  auto x = blank<T>::make();
  from_wire(*it, x);
  v = std::move(x);
}

/// The field `key` of `j` as get_field reads it.
template <class T>
T field(const nlohmann::json& j, const char* key) {
  auto v = blank<T>::make();
  get_field(j, key, v);
  return v;
}

/// x as JSON.
template <class T>
nlohmann::json encode(const T& x) {
  return to_wire(x);
}

/// internal "rpc: malformed <what>: <detail>".
core::error malformed(std::string_view what, std::string_view detail);

/// The value `j` encodes, or internal "rpc: malformed <what>: ...".
template <class T>
core::result<T> decode(const nlohmann::json& j, std::string_view what) {
  try {
    auto v = blank<T>::make();
    from_wire(j, v);
    return v;
  } catch (const std::exception& e) {
    return malformed(what, e.what());
  }
}

} // namespace switchboard::cluster::rpc
