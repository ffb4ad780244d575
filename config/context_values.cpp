// The `context` section's structured values: platform lists and home
// channels (seed 000 GatewayConfig: home_channels maps a platform to a
// HomeChannel{platform, chat_id, name}).

#include "config/values.hpp"

namespace switchboard::config {

namespace {

constexpr std::string_view platform_rule =
  "expected a platform name of a-z, 0-9, _ (1-32 characters)";

core::status read_channel_field(const std::string& key, const json& v,
                                const std::string& path,
                                core::home_channel& hc) {
  if (key == "chat_id" || key == "name") {
    auto text = read_string(v, path);
    if (!text)
      return text.err();
    (key == "name" ? hc.name : hc.chat_id) = *text;
  } else if (key == "platform") {
    if (!v.is_string() || v.get<std::string>() != hc.platform)
      return value_error(path, "expected \"" + hc.platform + "\"");
  } else {
    return value_error(path, "unknown key");
  }
  return {};
}

core::result<core::home_channel> read_channel(const std::string& platform,
                                              const json& v,
                                              const std::string& path) {
  if (!valid_platform(platform))
    return value_error(path, platform_rule);
  if (!v.is_object())
    return value_error(path, "expected an object");
  core::home_channel hc{platform, "", "Home"};
  for (const auto& [key, value] : v.items()) {
    auto st = read_channel_field(key, value, path + "." + key, hc);
    if (!st)
      return st.err();
  }
  if (hc.chat_id.empty())
    return value_error(path + ".chat_id", "required");
  return hc;
}

} // namespace

core::result<std::vector<std::string>>
read_platform_list(const json& v, std::string_view path) {
  if (!v.is_array())
    return value_error(path, "expected an array of platform names");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    auto item_path = std::string{path} + "[" + std::to_string(i) + "]";
    if (!v[i].is_string() || !valid_platform(v[i].get<std::string>()))
      return value_error(item_path, platform_rule);
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

core::result<std::vector<core::home_channel>>
read_home_channels(const json& v, std::string_view path) {
  if (!v.is_object())
    return value_error(path, "expected an object");
  std::vector<core::home_channel> out;
  for (const auto& [platform, value] : v.items()) {
    auto hc = read_channel(platform, value, std::string{path} + "." + platform);
    if (!hc)
      return hc.err();
    out.push_back(std::move(*hc));
  }
  return out;
}

json home_channels_json(const std::vector<core::home_channel>& channels) {
  json out = json::object();
  for (const auto& hc : channels)
    out[hc.platform] = json{{"chat_id", hc.chat_id}, {"name", hc.name}};
  return out;
}

} // namespace switchboard::config
