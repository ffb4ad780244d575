#pragma once

// Errors as values. Every fallible operation of core, persistence and the
// engine returns result<T>: either a T or an error{code, message}. Nothing
// throws across a module boundary.
//
// Why not std::expected? It is C++23; we build with C++20 on g++ 12.

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace switchboard::core {

/// The error codes of shared/API.md, each with its HTTP status.
enum class errc {
  bad_request,       // 400
  unauthorized,      // 401
  forbidden,         // 403: not this caller's (SPEC 5 ownership)
  not_found,         // 404
  conflict,          // 409
  payload_too_large, // 413
  overloaded,        // 503 (with Retry-After)
  internal,          // 500: a bug, logged with context
};

/// The wire name of a code, e.g. "bad_request".
std::string_view to_string(errc code);

/// The HTTP status that goes with a code, e.g. 400.
int http_status(errc code);

struct error {
  errc code = errc::internal;
  std::string message;

  friend bool operator==(const error&, const error&) = default;
};

inline error bad_request(std::string message) {
  return {errc::bad_request, std::move(message)};
}
inline error not_found(std::string message) {
  return {errc::not_found, std::move(message)};
}
inline error forbidden(std::string message) {
  return {errc::forbidden, std::move(message)};
}
inline error conflict(std::string message) {
  return {errc::conflict, std::move(message)};
}
inline error internal_error(std::string message) {
  return {errc::internal, std::move(message)};
}
inline error overloaded(std::string message) {
  return {errc::overloaded, std::move(message)};
}

/// A value of type T or an error.
template <class T>
class [[nodiscard]] result {
public:
  result(T value) : state_(std::move(value)) {}
  result(error err) : state_(std::move(err)) {}

  bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const error& err() const& { return std::get<1>(state_); }
  error&& err() && { return std::get<1>(std::move(state_)); }

private:
  std::variant<T, error> state_;
};

/// Success without a value, or an error.
template <>
class [[nodiscard]] result<void> {
public:
  result() = default;
  result(error err) : err_(std::move(err)), failed_(true) {}

  bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }
  const error& err() const& { return err_; }
  error&& err() && { return std::move(err_); }

private:
  error err_;
  bool failed_ = false;
};

using status = result<void>;

} // namespace switchboard::core
