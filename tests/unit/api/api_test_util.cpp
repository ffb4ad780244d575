#include "api_test_util.hpp"

#include <curl/curl.h>

#include <cctype>

namespace switchboard::api::testing {

namespace {

size_t on_body(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* out) {
  std::string line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (auto& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of("\r\n") + 1);
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * n;
}

struct stream_state {
  std::string text;
  std::string stop_at;
};

size_t on_stream(char* data, size_t size, size_t n, void* out) {
  auto* st = static_cast<stream_state*>(out);
  st->text.append(data, size * n);
  return st->text.find(st->stop_at) != std::string::npos ? 0 : size * n;
}

} // namespace

http_result http(const std::string& method, const std::string& url,
                 const std::string& body,
                 const std::vector<std::string>& headers) {
  http_result r;
  CURL* c = curl_easy_init();
  curl_slist* list = nullptr;
  for (const auto& h : headers)
    list = curl_slist_append(list, h.c_str());
  list = curl_slist_append(list, "Expect:");
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
  if (!body.empty() || method == "POST" || method == "PUT") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
  if (curl_easy_perform(c) == CURLE_OK)
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(c);
  return r;
}

std::string read_stream_until(const std::string& url,
                              const std::string& stop_at,
                              const std::vector<std::string>& headers) {
  stream_state st{{}, stop_at};
  CURL* c = curl_easy_init();
  curl_slist* list = nullptr;
  for (const auto& h : headers)
    list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_stream);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &st);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
  curl_easy_perform(c);
  curl_easy_cleanup(c);
  curl_slist_free_all(list);
  return st.text;
}

void ApiTest::start(server_options opts) {
  opts.host = "127.0.0.1";
  opts.port = 0;
  opts.settings.reset.timezone = "UTC";
  auto s = start_server(eng_, std::move(opts));
  ASSERT_TRUE(s.ok()) << s.err().message;
  server_.emplace(std::move(s).value());
  base_ = "http://127.0.0.1:" + std::to_string(server_->port());
}

nlohmann::json ApiTest::route(const std::string& chat,
                              const std::string& text) {
  nlohmann::json body{
    {"source", {{"platform", "telegram"}, {"chat_id", chat}}},
    {"message", {{"role", "user"}, {"content", text}}}};
  auto r = post("/v1/messages", body.dump());
  EXPECT_EQ(r.status, 200) << r.body;
  return r.json();
}

std::string key_path(const std::string& chat) {
  return "agent%3Amain%3Atelegram%3Adm%3A" + chat;
}

} // namespace switchboard::api::testing
