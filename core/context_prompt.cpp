#include "core/context_prompt.hpp"

#include "core/pii.hpp"

namespace switchboard::core {

namespace {

constexpr std::string_view local_platform = "local";

/// Python's truthiness of an optional str: present and non-empty.
bool has(const std::optional<std::string>& s) {
  return s && !s->empty();
}

/// `a or b` on optional strings; an absent value reads as "".
std::string or_else(const std::optional<std::string>& a, const std::string& b) {
  return has(a) ? *a : b;
}

std::string value_of(const std::optional<std::string>& s) {
  return s ? *s : std::string();
}

bool is_pii_safe(std::string_view platform) {
  return platform == "whatsapp" || platform == "signal" ||
         platform == "telegram";
}

/// Python's str.title() on ASCII: a letter is upper-cased when the character
/// before it is not a letter, lower-cased otherwise ("api_server" ->
/// "Api_Server").
std::string python_title(std::string_view s) {
  std::string out;
  bool after_letter = false;
  for (char c : s) {
    bool lower = c >= 'a' && c <= 'z';
    bool upper = c >= 'A' && c <= 'Z';
    if (lower && !after_letter)
      c = static_cast<char>(c - 'a' + 'A');
    else if (upper && after_letter)
      c = static_cast<char>(c - 'A' + 'a');
    out.push_back(c);
    after_letter = lower || upper;
  }
  return out;
}

/// Seed SessionSource.description (non-local platforms).
std::string plain_description(const source& s) {
  std::string chat = or_else(s.chat_name, value_of(s.chat_id));
  std::string desc;
  switch (s.type) {
    case chat_type::dm:
      desc = "DM with " + or_else(s.user_name, or_else(s.user_id, "user"));
      break;
    case chat_type::group:
      desc = "group: " + chat;
      break;
    case chat_type::channel:
      desc = "channel: " + chat;
      break;
    case chat_type::thread:
      desc = chat;
      break;
  }
  if (has(s.thread_id))
    desc += ", thread: " + *s.thread_id;
  return desc;
}

/// The seed's description without raw ids (no thread part, as in the seed).
std::string redacted_description(const source& s) {
  std::string user = has(s.user_id) ? pii_hash_user_id(*s.user_id) : "user";
  std::string uname = or_else(s.user_name, user);
  std::string cname =
    or_else(s.chat_name, pii_hash_chat_id(value_of(s.chat_id)));
  switch (s.type) {
    case chat_type::dm:
      return "DM with " + uname;
    case chat_type::group:
      return "group: " + cname;
    case chat_type::channel:
      return "channel: " + cname;
    case chat_type::thread:
      return cname;
  }
  return cname;
}

void add_source_lines(std::vector<std::string>& lines, const source& s,
                      bool redact) {
  std::string platform_name = python_title(s.platform);
  if (s.platform == local_platform) {
    lines.push_back("**Source:** " + platform_name +
                    " (the machine running this agent)");
  } else {
    std::string desc = redact ? redacted_description(s) : plain_description(s);
    lines.push_back("**Source:** " + platform_name + " (" + desc + ")");
  }
  if (has(s.chat_topic))
    lines.push_back("**Channel Topic:** " + *s.chat_topic);
  if (has(s.user_name))
    lines.push_back("**User:** " + *s.user_name);
  else if (has(s.user_id))
    lines.push_back("**User ID:** " +
                    (redact ? pii_hash_user_id(*s.user_id) : *s.user_id));
}

std::string platform_note(std::string_view name, std::string_view cannot) {
  return "**Platform notes:** You are running inside " + std::string(name) +
         ". You do NOT have access to " + std::string(name) +
         "-specific APIs \u2014 you cannot search channel history, " +
         std::string(cannot) +
         ". Do not promise to perform these actions. If the user asks, "
         "explain that you can only read messages sent directly to you "
         "and respond.";
}

void add_platform_notes(std::vector<std::string>& lines,
                        std::string_view platform) {
  if (platform == "slack") {
    lines.emplace_back();
    lines.push_back(platform_note(
      "Slack", "pin/unpin messages, manage channels, or list users"));
  } else if (platform == "discord") {
    lines.emplace_back();
    lines.push_back(platform_note(
      "Discord", "pin messages, manage roles, or list server members"));
  }
}

void add_platform_lines(std::vector<std::string>& lines,
                        const session_context& ctx, bool redact) {
  std::string connected = "local (files on this machine)";
  for (const auto& p : ctx.connected_platforms)
    if (p != local_platform)
      connected += ", " + p + ": Connected \u2713";
  lines.push_back("**Connected Platforms:** " + connected);
  if (ctx.home_channels.empty())
    return;
  lines.emplace_back();
  lines.push_back("**Home Channels (default destinations):**");
  for (const auto& home : ctx.home_channels) {
    std::string id = redact ? pii_hash_chat_id(home.chat_id) : home.chat_id;
    lines.push_back("  - " + home.platform + ": " + home.name + " (ID: " + id +
                    ")");
  }
}

void add_delivery_lines(std::vector<std::string>& lines,
                        const session_context& ctx, bool redact) {
  const source& s = ctx.origin;
  lines.emplace_back();
  lines.push_back("**Delivery options for scheduled tasks:**");
  if (s.platform == local_platform) {
    lines.push_back("- `\"origin\"` \u2192 Local output (saved to files)");
  } else {
    std::string chat_id = value_of(s.chat_id);
    std::string label =
      or_else(s.chat_name, redact ? pii_hash_chat_id(chat_id) : chat_id);
    lines.push_back("- `\"origin\"` \u2192 Back to this chat (" + label + ")");
  }
  lines.push_back("- `\"local\"` \u2192 Save to local files only (" +
                  ctx.local_output_path + ")");
  for (const auto& home : ctx.home_channels)
    lines.push_back("- `\"" + home.platform + "\"` \u2192 Home channel (" +
                    home.name + ")");
  lines.emplace_back();
  lines.push_back("*For explicit targeting, use `\"platform:chat_id\"` format "
                  "if the user provides a specific chat ID.*");
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0)
      out.push_back('\n');
    out += lines[i];
  }
  return out;
}

} // namespace

std::string build_session_context_prompt(const session_context& ctx,
                                         bool redact_pii) {
  bool redact = redact_pii && is_pii_safe(ctx.origin.platform);
  std::vector<std::string> lines = {"## Current Session Context", ""};
  add_source_lines(lines, ctx.origin, redact);
  add_platform_notes(lines, ctx.origin.platform);
  add_platform_lines(lines, ctx, redact);
  add_delivery_lines(lines, ctx, redact);
  return join_lines(lines);
}

} // namespace switchboard::core
