#include "config/values.hpp"

#include "core/cluster_rules.hpp"
#include "core/source.hpp"

#include <charconv>
#include <cmath>

namespace switchboard::config {

core::error value_error(std::string_view path, std::string_view what) {
  return core::bad_request(std::string{path} + ": " + std::string{what});
}

namespace {

std::string int_range_text(std::int64_t min, std::int64_t max) {
  if (max >= std::numeric_limits<int>::max())
    return "expected an integer >= " + std::to_string(min);
  return "expected an integer " + std::to_string(min) + "-" +
         std::to_string(max);
}

} // namespace

core::result<std::int64_t> read_int(const json& v, std::string_view path,
                                    std::int64_t min, std::int64_t max) {
  auto what = int_range_text(min, max);
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > std::uint64_t(no_max))
    return value_error(path, what);
  if (!v.is_number_integer())
    return value_error(path, what);
  auto n = v.get<std::int64_t>();
  if (n < min || n > max)
    return value_error(path, what);
  return n;
}

core::result<double> read_positive_number(const json& v,
                                          std::string_view path) {
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() <= 0)
    return value_error(path, "expected a number > 0");
  return v.get<double>();
}

core::result<bool> read_bool(const json& v, std::string_view path) {
  if (!v.is_boolean())
    return value_error(path, "expected true or false");
  return v.get<bool>();
}

core::result<std::string> read_string(const json& v, std::string_view path) {
  if (!v.is_string() || v.get_ref<const std::string&>().empty())
    return value_error(path, "expected a non-empty string");
  return v.get<std::string>();
}

core::result<std::optional<std::string>>
read_nullable_string(const json& v, std::string_view path) {
  if (v.is_null())
    return std::optional<std::string>{};
  if (!v.is_string() || v.get_ref<const std::string&>().empty())
    return value_error(path, "expected null or a non-empty string");
  return std::optional<std::string>{v.get<std::string>()};
}

core::result<std::string>
read_choice(const json& v, std::string_view path,
            std::initializer_list<std::string_view> choices) {
  std::string list;
  for (auto c : choices) {
    if (v.is_string() && v.get_ref<const std::string&>() == c)
      return std::string{c};
    list += (list.empty() ? "" : ", ") + std::string{c};
  }
  return value_error(path, "expected one of " + list);
}

core::result<std::vector<std::string>> read_nats_urls(const json& v,
                                                      std::string_view path) {
  if (v.is_string())
    return core::parse_nats_urls(v.get_ref<const std::string&>(), path);
  if (!v.is_array())
    return value_error(path, "expected NATS URLs: \"nats://HOST:PORT,...\" "
                             "or an array of them");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    auto item_path = std::string{path} + "[" + std::to_string(i) + "]";
    if (!v[i].is_string())
      return value_error(item_path, "expected a string nats://HOST:PORT");
    auto urls =
      core::parse_nats_urls(v[i].get_ref<const std::string&>(), item_path);
    if (!urls)
      return urls.err();
    out.insert(out.end(), urls->begin(), urls->end());
  }
  return out;
}

bool valid_platform(std::string_view s) {
  if (s.empty() || s.size() > 32)
    return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  return true;
}

namespace {

bool valid_port(std::string_view s) {
  int port = -1;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), port);
  return !s.empty() && ec == std::errc{} && end == s.data() + s.size() &&
         port >= 0 && port <= 65535 && s.front() != '+';
}

bool valid_host(std::string_view h) {
  if (h.size() > 2 && h.front() == '[')
    return h.back() == ']';
  return !h.empty() && h.find_first_of(":[] \t") == std::string_view::npos;
}

} // namespace

bool valid_listen(std::string_view s) {
  auto colon = s.rfind(':');
  if (colon == std::string_view::npos)
    return false;
  return valid_host(s.substr(0, colon)) && valid_port(s.substr(colon + 1));
}

namespace {

core::status read_policy_field(const std::string& key, const json& v,
                               const std::string& path, core::reset_policy& p) {
  if (key == "mode") {
    auto m = v.is_string() ? core::parse_reset_mode(v.get<std::string>())
                           : std::nullopt;
    if (!m)
      return value_error(path, "expected one of daily, idle, both, none");
    p.mode = *m;
  } else if (key == "at_hour") {
    auto h = read_int(v, path, 0, 23);
    if (!h)
      return h.err();
    p.at_hour = static_cast<int>(*h);
  } else if (key == "idle_minutes") {
    auto m = read_int(v, path, 1, std::numeric_limits<int>::max());
    if (!m)
      return m.err();
    p.idle_minutes = static_cast<int>(*m);
  } else if (key == "defer_daily_minutes") {
    auto m = read_int(v, path, 0, 1440);
    if (!m)
      return m.err();
    p.defer_daily_minutes = static_cast<int>(*m);
  } else {
    return value_error(path, "unknown key");
  }
  return {};
}

} // namespace

core::result<core::reset_policy> read_policy(const json& v,
                                             std::string_view path,
                                             const core::reset_policy& base) {
  if (!v.is_object())
    return value_error(path, "expected an object");
  auto p = base;
  for (const auto& [key, value] : v.items()) {
    auto st = read_policy_field(key, value, std::string{path} + "." + key, p);
    if (!st)
      return st.err();
  }
  return p;
}

core::result<policy_map> read_policy_map(const json& v, std::string_view path,
                                         const core::reset_policy& base,
                                         key_check check,
                                         std::string_view key_rule) {
  if (!v.is_object())
    return value_error(path, "expected an object");
  policy_map out;
  for (const auto& [key, value] : v.items()) {
    auto key_path = std::string{path} + "." + key;
    if (!check(key))
      return value_error(key_path, key_rule);
    auto p = read_policy(value, key_path, base);
    if (!p)
      return p.err();
    out.insert_or_assign(key, *p);
  }
  return out;
}

json policy_json(const core::reset_policy& p) {
  return json{{"mode", std::string{core::to_string(p.mode)}},
              {"at_hour", p.at_hour},
              {"idle_minutes", p.idle_minutes},
              {"defer_daily_minutes", p.defer_daily_minutes}};
}

} // namespace switchboard::config
