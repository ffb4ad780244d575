#include "tests/support/http_client.hpp"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <sstream>

namespace switchboard::testing {

namespace {

size_t append_to(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char ch) { return std::tolower(ch); });
  return s;
}

/// "Name: value" lines of a raw header block -> lower-case name -> value.
std::map<std::string, std::string> header_map(const std::string& raw) {
  std::map<std::string, std::string> out;
  std::istringstream lines{raw};
  for (std::string line; std::getline(lines, line);) {
    auto colon = line.find(':');
    if (colon == std::string::npos)
      continue;
    auto value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of("\r\n") + 1);
    out[lower(line.substr(0, colon))] = value;
  }
  return out;
}

/// Sets up `c` for one request and performs it; fills status, body and the
/// raw header block. `send_body`: attach `body` whatever the method.
void perform(CURL* c, const std::string& method, const std::string& url,
             const std::string& body, bool send_body,
             const std::vector<std::string>& headers, long timeout_seconds,
             long& status, std::string& body_out, std::string& raw_headers) {
  curl_slist* list = nullptr;
  for (const auto& h : headers)
    list = curl_slist_append(list, h.c_str());
  list = curl_slist_append(list, "Expect:");
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  if (send_body || method == "POST" || method == "PUT") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append_to);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body_out);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, append_to);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &raw_headers);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_seconds);
  if (curl_easy_perform(c) == CURLE_OK)
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(list);
}

struct stream_state {
  std::function<void()> on_open;
  bool opened = false;
  std::string text;
  std::string stop_at;
};

size_t on_stream_header(char* data, size_t size, size_t n, void* out) {
  auto* st = static_cast<stream_state*>(out);
  std::string line(data, size * n);
  if ((line == "\r\n" || line == "\n") && !st->opened) {
    st->opened = true;
    if (st->on_open)
      st->on_open();
  }
  return size * n;
}

size_t on_stream_body(char* data, size_t size, size_t n, void* out) {
  auto* st = static_cast<stream_state*>(out);
  st->text.append(data, size * n);
  return st->text.find(st->stop_at) != std::string::npos ? 0 : size * n;
}

std::string error_field(const nlohmann::json& j, const char* field) {
  return j.is_object() && j.contains("error") && j["error"].is_object()
           ? j["error"].value(field, "")
           : "";
}

} // namespace

nlohmann::json http_result::json() const {
  return nlohmann::json::parse(body, nullptr, false);
}

nlohmann::json parse(const http_result& r) {
  return r.json();
}

std::string http_result::error_code() const {
  return error_field(json(), "code");
}

std::string http_result::error_message() const {
  return error_field(json(), "message");
}

nlohmann::json json_call(const std::string& base, const std::string& method,
                         const std::string& path, const nlohmann::json& body,
                         long want) {
  auto r = http(method, base + path, body.is_null() ? "" : body.dump(),
                {"Content-Type: application/json"});
  EXPECT_EQ(r.status, want) << method << " " << path << ": " << r.body;
  return nlohmann::json::parse(r.body, nullptr, false);
}

http_result http(const std::string& method, const std::string& url,
                 const std::string& body,
                 const std::vector<std::string>& headers,
                 long timeout_seconds) {
  http_result r;
  std::string raw;
  CURL* c = curl_easy_init();
  perform(c, method, url, body, !body.empty(), headers, timeout_seconds,
          r.status, r.body, raw);
  curl_easy_cleanup(c);
  r.headers = header_map(raw);
  return r;
}

std::string read_stream(const std::string& url,
                        const std::function<void()>& on_open,
                        const std::string& stop_at,
                        const std::vector<std::string>& headers) {
  stream_state st{on_open, false, {}, stop_at};
  CURL* c = curl_easy_init();
  curl_slist* list = nullptr;
  for (const auto& h : headers)
    list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_stream_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &st);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_stream_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &st);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
  curl_easy_perform(c);
  curl_easy_cleanup(c);
  curl_slist_free_all(list);
  return st.text;
}

std::string read_stream_until(const std::string& url,
                              const std::string& stop_at,
                              const std::vector<std::string>& headers) {
  return read_stream(url, {}, stop_at, headers);
}

keep_alive_client::keep_alive_client() : curl_(curl_easy_init()) {}

keep_alive_client::~keep_alive_client() {
  curl_easy_cleanup(static_cast<CURL*>(curl_));
}

full_response keep_alive_client::request(
  const std::string& method, const std::string& url, const std::string& body,
  const std::vector<std::string>& headers, long timeout_seconds) {
  full_response r;
  auto* c = static_cast<CURL*>(curl_);
  curl_easy_reset(c);
  perform(c, method, url, body, false, headers, timeout_seconds, r.status,
          r.body, r.headers);
  r.headers = lower(std::move(r.headers));
  return r;
}

std::string encoded_dm_key(const std::string& chat) {
  return "agent%3Amain%3Atelegram%3Adm%3A" + chat;
}

std::string route_body(const std::string& chat, const std::string& text) {
  return nlohmann::json{
    {"source", {{"platform", "telegram"}, {"chat_id", chat}}},
    {"message", {{"role", "user"}, {"content", text}}}}
    .dump();
}

} // namespace switchboard::testing
