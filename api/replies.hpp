#pragma once

// Glue between engine completions and HTTP replies, and the validation of
// path parameters shared by the endpoint families.

#include "api/context.hpp"
#include "api/json_io.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <optional>
#include <string>
#include <utility>

namespace switchboard::api {

/// Runs `fn` and turns any exception into a 500 reply (a bug: logged).
template <class F>
void guarded(const respond_fn& respond, F&& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    spdlog::error("api: internal error: {}", e.what());
    respond(error_reply(core::internal_error("internal error")));
  }
}

/// A completion that answers 200 with to_json(value), or the error reply.
template <class T, class ToJson>
actors::completion<T> reply_with(respond_fn respond, ToJson to_json) {
  return [respond = std::move(respond),
          to_json = std::move(to_json)](core::result<T> r) {
    guarded(respond, [&] {
      if (!r)
        respond(error_reply(r.err()));
      else
        respond(json_reply(200, to_json(r.value())));
    });
  };
}

/// The percent-decoded KEY parameter when core::valid_session_key accepts
/// it; otherwise answers 400 and returns nullopt.
std::optional<std::string> key_param(const call& c, const respond_fn& respond);

/// The ID parameter when core::valid_session_id accepts it; otherwise
/// answers 400 and returns nullopt.
std::optional<std::string> id_param(const call& c, const respond_fn& respond);

/// The parsed body, or answers 400 and returns nullopt.
std::optional<nlohmann::json>
body_param(const call& c, const respond_fn& respond, bool empty_ok);

/// Answers the error of a failed result and returns true; false when ok.
template <class T>
bool failed(const core::result<T>& r, const respond_fn& respond) {
  if (r)
    return false;
  respond(error_reply(r.err()));
  return true;
}

} // namespace switchboard::api
