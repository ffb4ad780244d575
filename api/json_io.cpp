#include "api/json_io.hpp"

#include "core/utf8.hpp"

#include <cmath>

namespace switchboard::api {

namespace {

// Nesting depth of a JSON text, counted outside strings. Checked before
// parsing because nlohmann's parser recurses without a limit.
bool depth_within(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit)
        return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

bool blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

core::error type_error(std::string_view path, std::string_view field,
                       std::string_view type) {
  return core::bad_request(field_path(path, field) + ": expected " +
                           std::string{type});
}

const nlohmann::json* find_field(const nlohmann::json& obj,
                                 std::string_view field) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null())
    return nullptr;
  return &*it;
}

} // namespace

reply json_reply(int status, const nlohmann::json& body) {
  reply r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

nlohmann::json error_json(const core::error& err) {
  return {
    {"error", {{"code", core::to_string(err.code)}, {"message", err.message}}}};
}

reply error_reply(const core::error& err) {
  auto r = json_reply(core::http_status(err.code), error_json(err));
  if (err.code == core::errc::overloaded)
    r.headers.emplace_back("Retry-After", "1");
  return r;
}

core::result<nlohmann::json> parse_body(std::string_view body, bool empty_ok) {
  if (blank(body)) {
    if (empty_ok)
      return nlohmann::json::object();
    return core::bad_request("body: expected a JSON object");
  }
  if (!core::valid_utf8(body))
    return core::bad_request("body: invalid UTF-8");
  if (!depth_within(body, max_json_depth))
    return core::bad_request("body: nested deeper than " +
                             std::to_string(max_json_depth) + " levels");
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded())
    return core::bad_request("body: malformed JSON");
  return j;
}

std::string field_path(std::string_view path, std::string_view field) {
  if (path.empty())
    return std::string{field};
  return std::string{path} + "." + std::string{field};
}

core::status expect_object(const nlohmann::json& j, std::string_view path,
                           std::initializer_list<std::string_view> allowed) {
  if (!j.is_object())
    return core::bad_request(std::string{path.empty() ? "body" : path} +
                             ": expected object");
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (auto a : allowed)
      known = known || a == key;
    if (!known)
      return core::bad_request(field_path(path, key) + ": unknown field");
  }
  return {};
}

core::result<std::optional<std::string>> opt_string(const nlohmann::json& obj,
                                                    std::string_view path,
                                                    std::string_view field,
                                                    std::size_t max_bytes) {
  const auto* v = find_field(obj, field);
  if (!v)
    return std::optional<std::string>{};
  if (!v->is_string())
    return type_error(path, field, "string");
  const auto& s = v->get_ref<const std::string&>();
  if (s.size() > max_bytes)
    return core::bad_request(field_path(path, field) + ": longer than " +
                             std::to_string(max_bytes) + " bytes");
  return std::optional<std::string>{s};
}

core::result<std::optional<bool>> opt_bool(const nlohmann::json& obj,
                                           std::string_view path,
                                           std::string_view field) {
  const auto* v = find_field(obj, field);
  if (!v)
    return std::optional<bool>{};
  if (!v->is_boolean())
    return type_error(path, field, "boolean");
  return std::optional<bool>{v->get<bool>()};
}

core::result<std::optional<double>> opt_number(const nlohmann::json& obj,
                                               std::string_view path,
                                               std::string_view field) {
  const auto* v = find_field(obj, field);
  if (!v)
    return std::optional<double>{};
  if (!v->is_number() || !std::isfinite(v->get<double>()))
    return type_error(path, field, "number");
  return std::optional<double>{v->get<double>()};
}

} // namespace switchboard::api
