#include "core/export_markdown.hpp"

#include "core/time.hpp"

#include <date/date.h>

#include <algorithm>

namespace switchboard::core {

namespace {

using nlohmann::json;

/// The string value of `key` in `j`, or "" (null, absent, not a string;
/// integers count as their text).
std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end())
    return {};
  if (it->is_string())
    return it->get<std::string>();
  if (it->is_number_integer())
    return it->dump();
  return {};
}

std::string utc_time(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number())
    return {};
  auto t = std::chrono::floor<std::chrono::seconds>(
    from_epoch_seconds(it->get<double>()));
  return date::format("%Y-%m-%d %H:%M:%S UTC", t);
}

std::size_t longest_backtick_run(std::string_view s) {
  std::size_t best = 0, run = 0;
  for (char c : s) {
    run = c == '`' ? run + 1 : 0;
    best = std::max(best, run);
  }
  return best;
}

/// `s` as inline code, with a delimiter longer than its backtick runs.
std::string inline_code(std::string_view s) {
  std::size_t run = longest_backtick_run(s);
  std::string tick(run + 1, '`');
  std::string pad = run ? " " : "";
  return tick + pad + std::string(s) + pad + tick;
}

std::string fenced_json(const json& value) {
  std::string body = value.dump(2, ' ', false, json::error_handler_t::replace);
  std::string fence(std::max<std::size_t>(3, longest_backtick_run(body) + 1),
                    '`');
  return fence + "json\n" + body + "\n" + fence + "\n";
}

bool is_active(const json& m) {
  auto it = m.find("active");
  if (it == m.end() || it->is_null())
    return true;
  if (it->is_boolean())
    return it->get<bool>();
  return !it->is_number() || it->get<double>() != 0;
}

/// The tool calls of a message as JSON (stored as JSON text), or null.
json tool_calls_of(const json& m) {
  auto it = m.find("tool_calls");
  if (it == m.end() || it->is_null())
    return nullptr;
  if (!it->is_string())
    return (it->is_structured() && it->empty()) ? json(nullptr) : *it;
  const auto& text = it->get_ref<const std::string&>();
  if (text.empty())
    return nullptr;
  auto parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded())
    return text; // not JSON: shown as a JSON string
  return (parsed.is_structured() && parsed.empty()) ? json(nullptr) : parsed;
}

std::string role_heading(const json& m) {
  std::string role = str(m, "role");
  if (role == "tool") {
    std::string name = str(m, "tool_name");
    return name.empty() ? "Tool result"
                        : "Tool result (" + inline_code(name) + ")";
  }
  if (role.empty())
    return "Unknown";
  role[0] = static_cast<char>(
    (role[0] >= 'a' && role[0] <= 'z') ? role[0] - 'a' + 'A' : role[0]);
  return role;
}

void add_field(std::string& out, const char* label, const std::string& value) {
  if (!value.empty())
    out += std::string("- **") + label + ":** " + value + "\n";
}

void add_header(std::string& out, const json& s) {
  std::string title = str(s, "title");
  out += "# " + (title.empty() ? "Session " + str(s, "id") : title) + "\n\n";
  add_field(out, "Session", inline_code(str(s, "id")));
  std::string source = str(s, "source");
  std::string type = str(s, "chat_type");
  add_field(out, "Source", type.empty() ? source : source + " (" + type + ")");
  std::string key = str(s, "session_key");
  add_field(out, "Session key", key.empty() ? "" : inline_code(key));
  std::string user = str(s, "user_id");
  add_field(out, "User", user.empty() ? "" : inline_code(user));
  add_field(out, "Model", str(s, "model"));
  add_field(out, "Started", utc_time(s, "started_at"));
  std::string ended = utc_time(s, "ended_at");
  std::string reason = str(s, "end_reason");
  if (!ended.empty() && !reason.empty())
    ended += " (" + reason + ")";
  add_field(out, "Ended", ended.empty() ? "open" : ended);
  std::string parent = str(s, "parent_session_id");
  add_field(out, "Parent session", parent.empty() ? "" : inline_code(parent));
}

void add_message(std::string& out, const json& m, int n) {
  std::string time = utc_time(m, "timestamp");
  out += "\n## " + std::to_string(n) + ". " + role_heading(m) +
         (time.empty() ? "" : " \u00b7 " + time) + "\n\n";
  std::string content = str(m, "content");
  json calls = tool_calls_of(m);
  if (!content.empty()) {
    out += content;
    if (content.back() != '\n')
      out += "\n";
  } else if (calls.is_null()) {
    out += "_(no content)_\n";
  }
  if (!calls.is_null())
    out += (content.empty() ? "" : "\n") + std::string("**Tool calls:**\n\n") +
           fenced_json(calls);
}

} // namespace

std::string render_session_markdown(const json& session) {
  std::string out;
  add_header(out, session);
  auto it = session.find("messages");
  if (it == session.end() || !it->is_array() || it->empty()) {
    out += "\n_No messages._\n";
    return out;
  }
  int n = 0;
  for (const auto& m : *it)
    if (m.is_object() && is_active(m))
      add_message(out, m, ++n);
  if (n == 0)
    out += "\n_No messages._\n";
  return out;
}

result<export_format> parse_export_format(std::string_view text,
                                          std::string_view field) {
  if (text == "json")
    return export_format::json;
  if (text == "markdown")
    return export_format::markdown;
  return bad_request(std::string(field) + ": expected json or markdown");
}

} // namespace switchboard::core
