#include "core/request_id.hpp"

#include "core/json_decode.hpp"

#include <algorithm>

namespace switchboard::core {

namespace {

bool request_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-';
}

} // namespace

bool valid_request_id(std::string_view id) {
  return !id.empty() && id.size() <= max_request_id_bytes &&
         std::all_of(id.begin(), id.end(), request_id_char);
}

result<std::optional<std::string>> decode_request_id(const nlohmann::json& obj,
                                                     std::string_view path) {
  auto it = obj.find("request_id");
  if (it == obj.end() || it->is_null())
    return std::optional<std::string>{};
  auto where = json_field_path(path, "request_id");
  if (!it->is_string())
    return json_error(where, "expected string");
  const auto& id = it->get_ref<const std::string&>();
  if (!valid_request_id(id))
    return json_error(where,
                      "expected 1-128 characters of A-Z a-z 0-9 . _ : -");
  return std::optional<std::string>{id};
}

} // namespace switchboard::core
