#include "core/pii_redact.hpp"

#include "core/pii.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace switchboard::core {

namespace {

using nlohmann::json;

constexpr std::size_t min_phone_digits = 7;
constexpr std::size_t max_phone_digits = 15;
constexpr int max_separator_run = 2;

const std::set<std::string, std::less<>> user_fields{"user_id", "user_id_alt"};
const std::set<std::string, std::less<>> chat_fields{"chat_id", "chat_id_alt"};
constexpr std::array<std::string_view, 4> chat_types{"dm", "group", "channel",
                                                     "thread"};

struct pii_ids {
  std::set<std::string> users, chats, threads;
};

bool is_word(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') ||
         (u >= 'A' && u <= 'Z') || c == '_';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_phone_separator(char c) {
  return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')';
}

/// An id field's value as text: a non-empty string or an integer.
std::optional<std::string> id_text(const json& v) {
  if (v.is_string() && !v.get_ref<const std::string&>().empty())
    return v.get<std::string>();
  if (v.is_number_integer())
    return v.dump();
  return std::nullopt;
}

void collect(const json& j, pii_ids& ids) {
  if (j.is_array()) {
    for (const auto& v : j)
      collect(v, ids);
    return;
  }
  if (!j.is_object())
    return;
  for (const auto& [k, v] : j.items()) {
    auto text = id_text(v);
    if (text && user_fields.count(k))
      ids.users.insert(*text);
    else if (text && chat_fields.count(k))
      ids.chats.insert(*text);
    else if (text && k == "thread_id")
      ids.threads.insert(*text);
    collect(v, ids);
  }
}

/// The length of the phone number starting at text[i] (0: none); its
/// digits go to `digits`.
std::size_t phone_at(std::string_view text, std::size_t i,
                     std::string& digits) {
  if (text[i] != '+' || (i > 0 && (is_word(text[i - 1]) || text[i - 1] == '+')))
    return 0;
  std::size_t j = i + 1;
  if (j >= text.size() || !(is_digit(text[j]) || text[j] == '('))
    return 0;
  digits.clear();
  std::size_t end = 0;
  for (int run = 0; j < text.size(); ++j) {
    if (is_digit(text[j])) {
      digits.push_back(text[j]);
      end = j + 1;
      run = 0;
    } else if (!is_phone_separator(text[j]) || ++run > max_separator_run) {
      break;
    }
  }
  if (end == 0 || (end < text.size() && is_word(text[end])))
    return 0;
  if (digits.size() < min_phone_digits || digits.size() > max_phone_digits)
    return 0;
  return end - i;
}

/// Whether `id` occurs in `text` at `i` as a whole word.
bool id_at(std::string_view text, std::size_t i, std::string_view id) {
  if (text.compare(i, id.size(), id) != 0)
    return false;
  if (is_word(id.front()) && i > 0 && is_word(text[i - 1]))
    return false;
  std::size_t end = i + id.size();
  return !(is_word(id.back()) && end < text.size() && is_word(text[end]));
}

/// Replaces collected ids and phone numbers in free text.
class text_redactor {
public:
  explicit text_redactor(const pii_ids& ids) {
    std::vector<std::pair<std::string, std::string>> all;
    for (const auto& c : ids.chats)
      if (!ids.users.count(c))
        all.emplace_back(c, pii_hash_chat_id(c));
    for (const auto& u : ids.users)
      all.emplace_back(u, pii_hash_user_id(u));
    // Longest first, so an id that contains another one wins.
    std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
      return a.first.size() > b.first.size();
    });
    ids_ = std::move(all);
  }

  std::string operator()(std::string_view text) const {
    std::string out, digits;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
      if (std::size_t n = replace_id_at(text, i, out)) {
        i += n;
      } else if (std::size_t p = phone_at(text, i, digits)) {
        out += pii_hash_user_id("+" + digits);
        i += p;
      } else {
        out.push_back(text[i++]);
      }
    }
    return out;
  }

private:
  std::size_t replace_id_at(std::string_view text, std::size_t i,
                            std::string& out) const {
    for (const auto& [id, hashed] : ids_)
      if (text[i] == id.front() && id_at(text, i, id)) {
        out += hashed;
        return id.size();
      }
    return 0;
  }

  std::vector<std::pair<std::string, std::string>> ids_;
};

/// The end of the `agent:<name>:<platform>:<type>` prefix of a session key,
/// or nullopt when `key` does not have that shape.
std::optional<std::size_t> key_prefix_end(std::string_view key) {
  if (key.substr(0, 6) != "agent:")
    return std::nullopt;
  std::size_t pos = 0, start = 0;
  for (int segment = 0; segment < 4; ++segment) {
    if (pos == std::string_view::npos)
      return std::nullopt;
    start = segment == 0 ? 0 : pos + 1;
    pos = key.find(':', start);
  }
  std::string_view type =
    key.substr(start, pos == std::string_view::npos ? std::string_view::npos
                                                    : pos - start);
  if (std::find(chat_types.begin(), chat_types.end(), type) == chat_types.end())
    return std::nullopt;
  return pos == std::string_view::npos ? key.size() : pos;
}

/// The longest value of `set` that is the whole next component of `rest`
/// (which starts after a ':'); 0 when none.
std::size_t component_match(std::string_view rest,
                            const std::set<std::string>& set) {
  std::size_t best = 0;
  for (const auto& v : set)
    if (v.size() > best && rest.substr(0, v.size()) == v &&
        (rest.size() == v.size() || rest[v.size()] == ':'))
      best = v.size();
  return best;
}

/// The next component of a key's tail, redacted; advances `rest`. The
/// longest known id wins; on a tie the first component reads as the chat
/// id (its place in the key), later ones as the participant.
std::string redact_component(std::string_view& rest, const pii_ids& ids,
                             bool first) {
  std::size_t chat = component_match(rest, ids.chats);
  std::size_t user = component_match(rest, ids.users);
  std::size_t thread = component_match(rest, ids.threads);
  std::size_t n = std::max({chat, user, thread});
  std::string out;
  if (n == 0) {
    out = pii_hash_id(rest); // unrecognised: hashed as a whole
    n = rest.size();
  } else if (chat == n && (first || user != n)) {
    out = pii_hash_chat_id(rest.substr(0, n));
  } else if (user == n) {
    out = pii_hash_user_id(rest.substr(0, n));
  } else {
    out = std::string(rest.substr(0, n)); // a thread id is not PII
  }
  rest.remove_prefix(n);
  return out;
}

std::optional<std::string> redact_key(std::string_view key,
                                      const pii_ids& ids) {
  auto prefix = key_prefix_end(key);
  if (!prefix)
    return std::nullopt;
  std::string out(key.substr(0, *prefix));
  std::string_view rest = key.substr(*prefix);
  for (bool first = true; !rest.empty(); first = false) {
    rest.remove_prefix(1); // the ':'
    out += ":" + redact_component(rest, ids, first);
  }
  return out;
}

class doc_redactor {
public:
  explicit doc_redactor(const json& doc) : ids_(ids_of(doc)), text_(ids_) {}

  json value(const json& j) const {
    if (j.is_string())
      return text_(j.get_ref<const std::string&>());
    if (j.is_array()) {
      json out = json::array();
      for (const auto& v : j)
        out.push_back(value(v));
      return out;
    }
    if (!j.is_object())
      return j;
    json out = json::object();
    for (const auto& [k, v] : j.items())
      out[k] = field(k, v);
    return out;
  }

private:
  static pii_ids ids_of(const json& doc) {
    pii_ids ids;
    collect(doc, ids);
    return ids;
  }

  json field(const std::string& k, const json& v) const {
    auto id = id_text(v);
    if (id && user_fields.count(k))
      return pii_hash_user_id(*id);
    if (id && chat_fields.count(k))
      return pii_hash_chat_id(*id);
    if (k == "session_key" && v.is_string())
      if (auto key = redact_key(v.get_ref<const std::string&>(), ids_))
        return *key;
    return value(v);
  }

  pii_ids ids_;
  text_redactor text_;
};

} // namespace

json redact_export(const json& doc) {
  return doc_redactor(doc).value(doc);
}

std::string redact_phone_numbers(std::string_view text) {
  return text_redactor(pii_ids{})(text);
}

} // namespace switchboard::core
