#include "core/session_key.hpp"

#include "core/utf8.hpp"

#include <algorithm>

namespace switchboard::core {

namespace {

constexpr std::size_t max_session_key_bytes = 1024;

/// The seed's truthiness: absent and "" are both "not set".
bool set(const std::optional<std::string>& v) {
  return v && !v->empty();
}

/// user_id_alt, else user_id, else nothing.
const std::optional<std::string>& participant(const source& s) {
  return set(s.user_id_alt) ? s.user_id_alt : s.user_id;
}

void append(std::string& key, const std::optional<std::string>& part) {
  if (set(part))
    key.append(":").append(*part);
}

/// dm: chat_id, else the participant (SPEC 1 change: never one key shared by
/// everybody while someone is known), then thread_id. With neither chat_id
/// nor participant this leaves dm:<thread_id> or the bare dm key.
std::string dm_key(std::string key, const source& s) {
  append(key, set(s.chat_id) ? s.chat_id : participant(s));
  append(key, s.thread_id);
  return key;
}

/// group/channel/thread: chat_id, thread_id, then the participant when
/// splitting per user; thread_sessions_per_user = false keeps a thread whole.
std::string shared_chat_key(std::string key, const source& s,
                            const key_settings& cfg) {
  append(key, s.chat_id);
  append(key, s.thread_id);
  bool split = cfg.group_sessions_per_user &&
               (cfg.thread_sessions_per_user || !set(s.thread_id));
  if (split)
    append(key, participant(s));
  return key;
}

} // namespace

std::string build_session_key(const source& s, const key_settings& cfg) {
  std::string key = "agent:" + cfg.agent_name + ":" + s.platform + ":" +
                    std::string{to_string(s.type)};
  if (s.type == chat_type::dm)
    return dm_key(std::move(key), s);
  return shared_chat_key(std::move(key), s, cfg);
}

bool valid_session_key(std::string_view key) {
  return !key.empty() && key.size() <= max_session_key_bytes &&
         valid_utf8(key) && !has_control_chars(key);
}

} // namespace switchboard::core
