#include "api/static_files.hpp"

#include "api/json_io.hpp"
#include "web/assets.hpp"

#include <fstream>
#include <sstream>

namespace switchboard::api {

namespace {

bool safe_segment(const std::string& s) {
  return !s.empty() && s != "." && s != ".." &&
         s.find_first_of("/\\") == std::string::npos;
}

/// The relative file name for `segments`, or nullopt when unsafe.
std::optional<std::string> file_name(const std::vector<std::string>& segments) {
  if (segments.empty())
    return "index.html";
  std::string name;
  for (std::size_t i = 1; i < segments.size(); ++i) {
    if (!safe_segment(segments[i]))
      return std::nullopt;
    name += (name.empty() ? "" : "/") + segments[i];
  }
  if (name.empty())
    return "index.html";
  return name;
}

std::optional<std::string> read_disk(const std::string& dir,
                                     const std::string& name) {
  std::ifstream in(dir + "/" + name, std::ios::binary);
  if (!in)
    return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::optional<std::string> read_file(const std::string& name,
                                     const std::optional<std::string>& dir) {
  if (dir)
    return read_disk(*dir, name);
  if (auto body = web::lookup(name))
    return std::string{*body};
  return std::nullopt;
}

} // namespace

bool is_ui_path(const std::vector<std::string>& segments) {
  return segments.empty() || segments[0] == "ui";
}

std::string content_type_for(std::string_view name) {
  auto ends = [&](std::string_view ext) {
    return name.size() >= ext.size() &&
           name.substr(name.size() - ext.size()) == ext;
  };
  if (ends(".html"))
    return "text/html; charset=utf-8";
  if (ends(".js"))
    return "text/javascript; charset=utf-8";
  if (ends(".css"))
    return "text/css; charset=utf-8";
  if (ends(".svg"))
    return "image/svg+xml";
  if (ends(".png"))
    return "image/png";
  if (ends(".json"))
    return "application/json";
  return "application/octet-stream";
}

reply serve_ui(const std::vector<std::string>& segments,
               const std::optional<std::string>& ui_dir, bool token_required) {
  auto name = file_name(segments);
  auto body = name ? read_file(*name, ui_dir) : std::nullopt;
  if (name == "auth.json")
    body = nlohmann::json{{"token_required", token_required}}.dump();
  if (!body)
    return error_reply(core::not_found("no such dashboard file"));
  reply r;
  r.content_type = content_type_for(*name);
  r.body = std::move(*body);
  r.headers.emplace_back("Content-Security-Policy", std::string{dashboard_csp});
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

} // namespace switchboard::api
