#include "api/auth.hpp"

namespace switchboard::api {

bool constant_time_equal(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i]) ^
            static_cast<unsigned char>(b.empty() ? 0 : b[i % b.size()]);
  return diff == 0;
}

bool authorized(const std::optional<std::string>& token,
                std::string_view first_segment,
                std::string_view authorization_header) {
  if (!token || first_segment != "v1")
    return true;
  constexpr std::string_view scheme = "Bearer ";
  if (authorization_header.substr(0, scheme.size()) != scheme)
    return false;
  return constant_time_equal(authorization_header.substr(scheme.size()),
                             *token);
}

bool open_path(const std::vector<std::string>& segments) {
  return segments.size() == 2 && segments[0] == "v1" &&
         segments[1] == "openapi.json";
}

} // namespace switchboard::api
