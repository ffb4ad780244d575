#include "core/json_decode.hpp"

#include "core/utf8.hpp"

#include <algorithm>
#include <cmath>

namespace switchboard::core {

namespace {

constexpr std::size_t max_shown_key_bytes = 64;

bool printable(std::string_view key) {
  return valid_utf8(key) && std::none_of(key.begin(), key.end(), [](char c) {
           auto u = static_cast<unsigned char>(c);
           return u < 0x20 || u == 0x7F;
         });
}

/// A key as it may appear in an error message.
std::string shown_key(std::string_view key) {
  if (!printable(key))
    return "<invalid key>";
  if (key.size() <= max_shown_key_bytes)
    return std::string{key};
  return std::string{prefix_code_points(key, max_shown_key_bytes / 4)} + "...";
}

std::string range_text(std::int64_t min, std::int64_t max) {
  if (max == std::numeric_limits<std::int64_t>::max())
    return "expected integer >= " + std::to_string(min);
  return "expected integer between " + std::to_string(min) + " and " +
         std::to_string(max);
}

/// Whether an integer JSON number lies in [min, max].
bool fits_in(const nlohmann::json& v, std::int64_t min, std::int64_t max) {
  if (v.is_number_unsigned()) { // JSON parsing makes every n >= 0 unsigned
    auto u = v.get<std::uint64_t>();
    return max >= 0 && u <= static_cast<std::uint64_t>(max) &&
           (min <= 0 || u >= static_cast<std::uint64_t>(min));
  }
  auto n = v.get<std::int64_t>();
  return n >= min && n <= max;
}

} // namespace

std::string json_field_path(std::string_view parent, std::string_view key) {
  auto shown = shown_key(key);
  if (parent.empty())
    return shown;
  return std::string{parent} + "." + shown;
}

error json_error(std::string_view path, std::string_view what) {
  return bad_request(std::string{path} + ": " + std::string{what});
}

object_reader::object_reader(const nlohmann::json& j, std::string path)
  : j_(j), path_(std::move(path)) {
  if (!j_.is_object())
    err_ = json_error(path_, "expected object");
}

void object_reader::reject_unknown(
  std::initializer_list<std::string_view> known) {
  if (!ok())
    return;
  for (const auto& [key, value] : j_.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end())
      return fail(key, "unknown field");
  }
}

const nlohmann::json* object_reader::find(std::string_view key) const {
  if (!ok())
    return nullptr;
  auto it = j_.find(key);
  if (it == j_.end() || it->is_null())
    return nullptr;
  return &*it;
}

std::optional<std::string>
object_reader::optional_string(std::string_view key, std::size_t max_bytes) {
  const auto* v = find(key);
  if (v == nullptr)
    return std::nullopt;
  if (!v->is_string()) {
    fail(key, "expected string");
    return std::nullopt;
  }
  const auto& s = v->get_ref<const std::string&>();
  if (!valid_utf8(s))
    fail(key, "invalid UTF-8");
  else if (s.size() > max_bytes)
    fail(key, "longer than " + std::to_string(max_bytes) + " bytes");
  return ok() ? std::optional<std::string>{s} : std::nullopt;
}

std::optional<std::string>
object_reader::required_string(std::string_view key, std::size_t max_bytes) {
  if (ok() && find(key) == nullptr)
    fail(key, "required");
  return optional_string(key, max_bytes);
}

std::optional<std::int64_t> object_reader::optional_int(std::string_view key,
                                                        std::int64_t min,
                                                        std::int64_t max) {
  const auto* v = find(key);
  if (v == nullptr)
    return std::nullopt;
  if (!v->is_number_integer()) {
    fail(key, "expected integer");
    return std::nullopt;
  }
  if (!fits_in(*v, min, max)) {
    fail(key, range_text(min, max));
    return std::nullopt;
  }
  return v->get<std::int64_t>();
}

std::optional<bool> object_reader::optional_bool(std::string_view key) {
  const auto* v = find(key);
  if (v == nullptr)
    return std::nullopt;
  if (!v->is_boolean()) {
    fail(key, "expected boolean");
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<double> object_reader::optional_number(std::string_view key) {
  const auto* v = find(key);
  if (v == nullptr)
    return std::nullopt;
  if (!v->is_number()) {
    fail(key, "expected number");
    return std::nullopt;
  }
  auto d = v->get<double>();
  if (!std::isfinite(d)) {
    fail(key, "expected finite number");
    return std::nullopt;
  }
  return d;
}

void object_reader::fail(std::string_view key, std::string_view what) {
  if (ok())
    err_ = json_error(path_of(key), what);
}

std::string object_reader::path_of(std::string_view key) const {
  return json_field_path(path_, key);
}

status object_reader::finish() const {
  if (ok())
    return {};
  return *err_;
}

} // namespace switchboard::core
