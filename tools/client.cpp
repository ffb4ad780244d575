#include "tools/client.hpp"

#include "config/config.hpp"
#include "core/time.hpp"
#include "core/zone.hpp"
#include "tools/http_client.hpp"

#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace switchboard::tools {

void add_target_options(CLI::App* sub, target_options& o, bool data_dir_mode) {
  auto* url = sub->add_option("--url", o.url,
                              "Server base URL, e.g. http://127.0.0.1:8377");
  if (!data_dir_mode)
    url->required();
  sub->add_option(
    "--token-file", o.token_file,
    "File holding the API token (default: env SWITCHBOARD_TOKEN)");
  if (data_dir_mode)
    sub
      ->add_option("--data-dir", o.data_dir,
                   "Data dir to read directly when no --url is given")
      ->capture_default_str();
  sub->add_flag("--json", o.json, "Machine-readable JSON output");
}

void add_scope_options(CLI::App* sub, scope_options& o) {
  sub->add_option("--user-id", o.user_id,
                  "Only sessions of this user id (sessions.user_id)");
  sub->add_option("--session-key", o.session_key,
                  "Only sessions created under this session key");
}

std::string scope_query(const scope_options& o) {
  std::string out;
  if (o.user_id)
    out += "&user_id=" + percent_encode(*o.user_id);
  if (o.session_key)
    out += "&session_key=" + percent_encode(*o.session_key);
  return out;
}

namespace {

core::result<std::optional<std::string>> token_for(const target_options& o) {
  if (!o.token_file.empty()) {
    auto t = config::read_token_file(o.token_file);
    if (!t)
      return t.err();
    return std::optional<std::string>{*t};
  }
  if (const char* env = std::getenv("SWITCHBOARD_TOKEN"); env && *env)
    return std::optional<std::string>{std::string{env}};
  return std::optional<std::string>{};
}

core::error reply_error(const http_reply& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  std::string message = "HTTP " + std::to_string(r.status);
  if (j.is_object() && j.contains("error") && j["error"].is_object() &&
      j["error"].value("message", "") != "")
    message = j["error"]["message"].get<std::string>() + " (" + message + ")";
  return core::bad_request(message);
}

std::string base_url(std::string url) {
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  return url;
}

} // namespace

core::result<nlohmann::json>
call_api(const target_options& o, const std::string& method,
         const std::string& path, const std::optional<nlohmann::json>& body) {
  auto token = token_for(o);
  if (!token)
    return token.err();
  http_request req{
    method, base_url(o.url) + path,
    body ? std::optional<std::string>{body->dump()} : std::nullopt, *token};
  auto reply = perform(req);
  if (!reply)
    return reply.err();
  if (reply->status < 200 || reply->status >= 300)
    return reply_error(*reply);
  auto j = nlohmann::json::parse(reply->body, nullptr, false);
  if (j.is_discarded())
    return core::internal_error("the server sent malformed JSON");
  return j;
}

namespace {

std::string db_path(const target_options& o) {
  return (std::filesystem::path(o.data_dir) / "state.db").string();
}

} // namespace

core::result<std::unique_ptr<persistence::sqlite_reader>>
open_data_reader(const target_options& o) {
  auto path = db_path(o);
  if (!std::filesystem::exists(path))
    return core::not_found("no database at " + path +
                           " (use --data-dir, or --url for a server)");
  return persistence::open_reader(path);
}

core::result<locked_writer> open_data_writer(const target_options& o) {
  auto path = db_path(o);
  if (!std::filesystem::exists(path))
    return core::not_found("no database at " + path +
                           " (use --data-dir, or --url for a server)");
  auto lock = persistence::data_dir_lock::acquire(o.data_dir);
  if (!lock)
    return lock.err();
  auto writer = persistence::open_writer(path);
  if (!writer)
    return writer.err();
  return locked_writer{std::move(lock).value(), std::move(writer).value()};
}

bool looks_like_key(std::string_view text) {
  return text.starts_with("agent:");
}

int fail(const core::error& e) {
  std::cerr << "switchboard: " << e.message << "\n";
  return 1;
}

int usage_error(const std::string& message) {
  std::cerr << "switchboard: " << message << "\n";
  return 2;
}

void print_json(const nlohmann::json& j) {
  std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
            << "\n";
}

std::string cell(const nlohmann::json& v) {
  std::string s = v.is_string() ? v.get<std::string>()
                  : v.is_null() ? std::string{}
                                : v.dump();
  for (auto& c : s)
    if (c == '\n' || c == '\r' || c == '\t')
      c = ' ';
  return s;
}

std::string cell_text(const nlohmann::json& v) {
  return v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump();
}

std::string join_csv(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items)
    out += (out.empty() ? "" : ",") + s;
  return out;
}

std::string epoch_cell(const nlohmann::json& v) {
  if (!v.is_number())
    return cell(v);
  auto iso = core::format_iso_utc(core::from_epoch_seconds(v.get<double>()));
  return iso.substr(0, 19) + "Z"; // seconds are enough for people
}

} // namespace switchboard::tools
