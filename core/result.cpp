#include "core/result.hpp"

namespace switchboard::core {

std::string_view to_string(errc code) {
  switch (code) {
    case errc::bad_request:
      return "bad_request";
    case errc::unauthorized:
      return "unauthorized";
    case errc::forbidden:
      return "forbidden";
    case errc::not_found:
      return "not_found";
    case errc::conflict:
      return "conflict";
    case errc::payload_too_large:
      return "payload_too_large";
    case errc::overloaded:
      return "overloaded";
    case errc::internal:
      return "internal";
  }
  return "internal";
}

int http_status(errc code) {
  switch (code) {
    case errc::bad_request:
      return 400;
    case errc::unauthorized:
      return 401;
    case errc::forbidden:
      return 403;
    case errc::not_found:
      return 404;
    case errc::conflict:
      return 409;
    case errc::payload_too_large:
      return 413;
    case errc::overloaded:
      return 503;
    case errc::internal:
      return 500;
  }
  return 500;
}

} // namespace switchboard::core
