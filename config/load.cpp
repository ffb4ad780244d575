// load_settings: defaults -> file -> environment -> flags, then one
// validation pass over the merged document.
//
// Why merge JSON first and validate once? Policies depend on each other (a
// partial policy is filled from the *effective* default policy, whichever
// layer set it), and every error can then name the key path the same way.

#include "config/config.hpp"

#include "config/schema.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

namespace switchboard::config {

namespace {

/// Where each value that did not come from the file came from.
using origin_map = std::map<std::string, std::string, std::less<>>;

core::result<std::string> read_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return core::bad_request("config file '" + path + "': cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

core::result<json> parse_config_text(std::string_view text,
                                     std::string_view name) {
  auto doc = json::parse(text, nullptr, false);
  std::string where = "config file '" + std::string{name} + "': ";
  if (doc.is_discarded())
    return core::bad_request(where + "malformed JSON");
  if (!doc.is_object())
    return core::bad_request(where + "expected a JSON object");
  return doc;
}

core::status check_section(const std::string& name, const json& v) {
  if (!v.is_object())
    return value_error(name, "expected an object");
  for (const auto& [key, value] : v.items())
    if (!find_field(name + "." + key))
      return value_error(name + "." + key, "unknown key");
  return {};
}

/// Unknown keys and non-object sections at the top two levels (deeper levels
/// are checked by the fields that own them).
core::status check_structure(const json& doc) {
  for (const auto& [key, value] : doc.items()) {
    if (find_field(key))
      continue;
    if (!is_section(key))
      return value_error(key, "unknown key");
    if (auto st = check_section(key, value); !st)
      return st;
  }
  return {};
}

void set_path(json& doc, std::string_view path, json value) {
  auto dot = path.find('.');
  if (dot == std::string_view::npos) {
    doc[std::string{path}] = std::move(value);
    return;
  }
  auto& section = doc[std::string{path.substr(0, dot)}];
  if (!section.is_object())
    section = json::object();
  section[std::string{path.substr(dot + 1)}] = std::move(value);
}

const json* find_path(const json& doc, std::string_view path) {
  const json* at = &doc;
  while (true) {
    auto dot = path.find('.');
    auto it = at->find(std::string{path.substr(0, dot)});
    if (it == at->end())
      return nullptr;
    if (dot == std::string_view::npos)
      return &*it;
    at = &*it;
    path.remove_prefix(dot + 1);
  }
}

/// An integer, number or bool when the text is exactly one; otherwise the
/// text itself, which the field then rejects with its usual message.
json env_scalar(const std::string& text, value_kind kind) {
  if (kind == value_kind::boolean && (text == "true" || text == "false"))
    return text == "true";
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  bool whole_int =
    !text.empty() && ec == std::errc{} && end == text.data() + text.size();
  if (kind == value_kind::integer && whole_int)
    return n;
  if (kind == value_kind::number && !text.empty()) {
    char* stop = nullptr;
    double d = std::strtod(text.c_str(), &stop);
    if (stop == text.c_str() + text.size() && std::isfinite(d))
      return d;
  }
  if (kind == value_kind::nullable_string && text.empty())
    return nullptr;
  return text;
}

core::result<json> env_value(const field& f, const std::string& text) {
  if (f.kind != value_kind::json_text)
    return env_scalar(text, f.kind);
  auto v = json::parse(text, nullptr, false);
  if (v.is_discarded())
    return value_error(f.path, "malformed JSON");
  return v;
}

core::status apply_env(json& doc, const env_lookup& env, origin_map& origins) {
  for (const auto& f : fields()) {
    auto name = env_name(f.path);
    auto text = env(name);
    if (!text)
      continue;
    auto v = env_value(f, *text);
    if (!v)
      return core::bad_request(v.err().message + " (from " + name + ")");
    set_path(doc, f.path, std::move(*v));
    origins.insert_or_assign(std::string{f.path}, name);
  }
  return {};
}

void apply_flag(json& doc, origin_map& origins, std::string_view path,
                const std::optional<std::string>& value,
                std::string_view flag) {
  if (!value)
    return;
  set_path(doc, path, *value);
  origins.insert_or_assign(std::string{path}, std::string{flag});
}

void apply_flags(json& doc, const flag_overrides& flags, origin_map& origins) {
  apply_flag(doc, origins, "listen", flags.listen, "--listen");
  apply_flag(doc, origins, "data_dir", flags.data_dir, "--data-dir");
  apply_flag(doc, origins, "api.token_file", flags.token_file, "--token-file");
  apply_flag(doc, origins, "cluster.nats_urls", flags.nats, "--nats");
  apply_flag(doc, origins, "cluster.node_id", flags.node_id, "--node-id");
}

core::error with_origin(core::error e, const origin_map& origins,
                        std::string_view path) {
  if (auto it = origins.find(path); it != origins.end())
    e.message += " (from " + it->second + ")";
  return e;
}

core::status check_flush_hook(const core::settings& s) {
  if (s.flush.hook == core::flush_hook::webhook && !s.flush.url)
    return value_error("flush.url", "required when flush.hook is webhook");
  if (s.flush.hook == core::flush_hook::command && !s.flush.command)
    return value_error("flush.command", "required when flush.hook is command");
  return {};
}

/// A node needs an id, and an id without NATS URLs is a mistake (it would
/// silently run single-node).
core::status check_cluster(const core::settings& s, const origin_map& origins) {
  if (s.cluster.enabled() && !s.cluster.node_id)
    return value_error("cluster.node_id",
                       "required when cluster.nats_urls is set");
  if (!s.cluster.enabled() && s.cluster.node_id)
    return with_origin(value_error("cluster.node_id",
                                   "set, but cluster.nats_urls is not (a node "
                                   "id is for cluster mode)"),
                       origins, "cluster.node_id");
  return {};
}

core::result<core::settings> decode(const json& doc,
                                    const origin_map& origins) {
  core::settings s;
  for (const auto& f : fields()) {
    const json* v = find_path(doc, f.path);
    if (!v)
      continue;
    if (auto st = f.apply(*v, s, f.path); !st)
      return with_origin(st.err(), origins, f.path);
  }
  if (auto st = check_flush_hook(s); !st)
    return st.err();
  if (auto st = check_cluster(s, origins); !st)
    return st.err();
  return s;
}

/// The layers over `doc` (the file's object, or empty without a file).
core::result<core::settings> load_over(json doc, const load_inputs& in) {
  origin_map origins;
  if (in.env)
    if (auto st = apply_env(doc, in.env, origins); !st)
      return st.err();
  apply_flags(doc, in.flags, origins);
  return decode(doc, origins);
}

} // namespace

std::optional<std::string> system_env(std::string_view name) {
  const char* v = std::getenv(std::string{name}.c_str());
  if (!v)
    return std::nullopt;
  return std::string{v};
}

core::result<core::settings> load_settings(const load_inputs& in) {
  if (!in.config_file)
    return load_over(json::object(), in);
  auto text = read_config_file(*in.config_file);
  if (!text)
    return text.err();
  return load_settings_from_text(*text, *in.config_file, in);
}

core::result<core::settings> load_settings_from_text(std::string_view text,
                                                     std::string_view name,
                                                     const load_inputs& in) {
  auto doc = parse_config_text(text, name);
  if (!doc)
    return doc.err();
  if (auto st = check_structure(*doc); !st)
    return st.err();
  return load_over(std::move(*doc), in);
}

std::string dump_settings(const core::settings& s) {
  json out = json::object();
  for (const auto& f : fields())
    set_path(out, f.path, f.dump(s));
  return out.dump(2) + "\n";
}

} // namespace switchboard::config
