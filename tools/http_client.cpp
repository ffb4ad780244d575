#include "tools/http_client.hpp"

#include "loadgen/http_request.hpp"

#include <memory>

namespace switchboard::tools {

namespace {

// The libcurl glue is the load generator's (tools -> loadgen).
using loadgen::append_body;
using curl_deleter = loadgen::easy_deleter;
using slist_deleter = loadgen::slist_deleter;

curl_slist* headers_for(const http_request& req) {
  curl_slist* list = curl_slist_append(nullptr, "Accept: application/json");
  if (req.body)
    list = curl_slist_append(list, "Content-Type: application/json");
  if (req.token)
    list =
      curl_slist_append(list, ("Authorization: Bearer " + *req.token).c_str());
  return list;
}

} // namespace

core::result<http_reply> perform(const http_request& req) {
  loadgen::curl_init();
  std::unique_ptr<CURL, curl_deleter> curl{curl_easy_init()};
  if (!curl)
    return core::internal_error("curl_easy_init failed");
  std::unique_ptr<curl_slist, slist_deleter> headers{headers_for(req)};
  http_reply reply;
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, req.timeout_seconds);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  if (req.body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body->data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(req.body->size()));
  }
  if (auto rc = curl_easy_perform(c); rc != CURLE_OK)
    return core::internal_error("cannot reach " + req.url + ": " +
                                curl_easy_strerror(rc));
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : text) {
    bool plain = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                 (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
                 ch == '_' || ch == '~';
    if (plain) {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += hex[ch >> 4];
      out += hex[ch & 15];
    }
  }
  return out;
}

} // namespace switchboard::tools
