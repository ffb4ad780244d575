#include "loadgen/http_request.hpp"

#include <nlohmann/json.hpp>

namespace switchboard::loadgen {

std::size_t append_body(char* data, std::size_t size, std::size_t n,
                        void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

void curl_init() {
  static const bool done = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)done;
}

slist_ptr json_headers(const std::optional<std::string>& token) {
  curl_slist* l = curl_slist_append(nullptr, "Accept: application/json");
  l = curl_slist_append(l, "Content-Type: application/json");
  l = curl_slist_append(l, "Expect:");
  if (token)
    l = curl_slist_append(l, ("Authorization: Bearer " + *token).c_str());
  return slist_ptr{l};
}

void setup_request(CURL* c, const char* method, const std::string& url,
                   const std::string& body, curl_slist* headers,
                   std::string* reply) {
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, reply);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
  if (body.empty())
    return;
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(body.size()));
}

core::result<http_reply> http_call(const char* method, const std::string& url,
                                   const std::string& body,
                                   const std::optional<std::string>& token) {
  curl_init();
  easy_ptr c{curl_easy_init()};
  if (!c)
    return core::internal_error("curl_easy_init failed");
  auto headers = json_headers(token);
  http_reply r;
  setup_request(c.get(), method, url, body, headers.get(), &r.body);
  if (auto rc = curl_easy_perform(c.get()); rc != CURLE_OK)
    return core::internal_error("cannot reach " + url + ": " +
                                curl_easy_strerror(rc));
  curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &r.status);
  return r;
}

std::string escape_segment(std::string_view text) {
  curl_init();
  char* e =
    curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size()));
  if (!e)
    return std::string{text};
  std::string out{e};
  curl_free(e);
  return out;
}

core::error http_error(long status, const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  std::string msg = "HTTP " + std::to_string(status);
  if (!j.is_discarded() && j.contains("error") && j["error"].is_object())
    msg += ": " + j["error"].value("message", std::string{});
  return core::error{
    status == 503 ? core::errc::overloaded : core::errc::internal, msg};
}

} // namespace switchboard::loadgen
