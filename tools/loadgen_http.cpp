// The load generator's HTTP target: a running server, one keep-alive libcurl
// easy handle per worker thread (reused for every request that thread
// sends, so connections stay open).

#include "tools/http_client.hpp"
#include "tools/loadgen_target.hpp"

#include "tools/curl_util.hpp"

#include <memory>

namespace switchboard::tools::loadgen {

namespace {

using curl::append_body;
using curl_deleter = curl::easy_deleter;
using slist_deleter = curl::slist_deleter;

/// This thread's easy handle (created on first use, kept for the thread).
CURL* thread_handle() {
  curl::global_init();
  thread_local std::unique_ptr<CURL, curl_deleter> handle{curl_easy_init()};
  return handle.get();
}

nlohmann::json source_json(const core::source& s) {
  return core::encode_source(s);
}

nlohmann::json route_body(const routed& r) {
  return {{"source", source_json(r.origin)},
          {"message", {{"role", r.role}, {"content", r.text}}}};
}

core::error error_of(long status, const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  std::string msg = "HTTP " + std::to_string(status);
  if (!j.is_discarded() && j.contains("error") && j["error"].is_object())
    msg += ": " + j["error"].value("message", std::string{});
  return core::error{status == 503 ? core::errc::overloaded
                                   : core::errc::internal,
                     msg};
}

core::result<actors::route_reply> reply_of(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("session_id"))
    return core::internal_error("unexpected reply: " + j.dump());
  actors::route_reply r;
  r.session_key = j.value("session_key", std::string{});
  r.session_id = j.value("session_id", std::string{});
  r.created = j.value("created", false);
  r.was_auto_reset = j.value("was_auto_reset", false);
  if (j.contains("auto_reset_reason") && j["auto_reset_reason"].is_string())
    r.auto_reset_reason =
      core::parse_reset_reason(j["auto_reset_reason"].get<std::string>())
        .value_or(core::reset_reason::none);
  if (j.contains("message_id") && j["message_id"].is_number_integer())
    r.message_id = j["message_id"].get<std::int64_t>();
  return r;
}

class http_target final : public target {
public:
  explicit http_target(http_options o) : opts_(std::move(o)) {
    if (opts_.token)
      auth_ = "Authorization: Bearer " + *opts_.token;
  }

  core::result<actors::route_reply> route(const routed& r) override {
    auto j = post("/v1/messages", route_body(r));
    if (!j)
      return j.err();
    return reply_of(*j);
  }

  core::result<std::vector<core::result<actors::route_reply>>>
  route_batch(const std::vector<routed>& items) override {
    nlohmann::json body = {{"items", nlohmann::json::array()}};
    for (const auto& i : items)
      body["items"].push_back(route_body(i));
    auto j = post("/v1/messages:batch", body);
    if (!j)
      return j.err();
    std::vector<core::result<actors::route_reply>> out;
    for (const auto& item : (*j)["results"]) {
      if (item.contains("error"))
        out.push_back(core::internal_error(item["error"].dump()));
      else
        out.push_back(reply_of(item));
    }
    if (out.size() != items.size())
      return core::internal_error("batch reply has the wrong length");
    return out;
  }

  core::result<actors::append_reply> append(const std::string& key,
                                            const std::string& role,
                                            const std::string& text) override {
    auto j = post("/v1/sessions/" + percent_encode(key) + "/messages",
                  {{"role", role}, {"content", text}});
    if (!j)
      return j.err();
    return actors::append_reply{j->value("session_id", std::string{}),
                                j->value("message_id", std::int64_t{0})};
  }

  core::status usage(const std::string& key,
                     const core::usage_update& u) override {
    nlohmann::json body = {{"input_tokens", u.input_tokens},
                           {"output_tokens", u.output_tokens},
                           {"model", u.model.value_or("loadgen")}};
    auto j = post("/v1/sessions/" + percent_encode(key) + "/usage", body);
    if (!j)
      return j.err();
    return {};
  }

  core::result<actors::sweep_report> expire() override {
    auto j = post("/v1/admin/expire", nlohmann::json::object());
    if (!j)
      return j.err();
    return actors::sweep_report{j->value("expired", std::int64_t{0}),
                                j->value("flushed", std::int64_t{0}),
                                j->value("flush_failed", std::int64_t{0})};
  }

  core::status advance_clock(double seconds) override {
    auto j = post("/v1/admin/clock", {{"advance_seconds", seconds}});
    if (!j)
      return j.err();
    return {};
  }

private:
  /// POSTs JSON on this thread's connection; a 2xx reply's JSON body.
  core::result<nlohmann::json> post(const std::string& path,
                                    const nlohmann::json& body) {
    CURL* c = thread_handle();
    if (!c)
      return core::internal_error("curl_easy_init failed");
    auto text = body.dump();
    std::string out;
    curl_slist* raw = curl_slist_append(nullptr, "Content-Type: application/json");
    if (!auth_.empty())
      raw = curl_slist_append(raw, auth_.c_str());
    std::unique_ptr<curl_slist, slist_deleter> headers{raw};
    auto url = opts_.url + path;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, text.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(text.size()));
    if (auto rc = curl_easy_perform(c); rc != CURLE_OK)
      return core::internal_error("cannot reach " + url + ": " +
                                  curl_easy_strerror(rc));
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299)
      return error_of(status, out);
    auto j = nlohmann::json::parse(out, nullptr, false);
    if (j.is_discarded())
      return core::internal_error("malformed JSON reply from " + url);
    return j;
  }

  http_options opts_;
  std::string auth_;
};

} // namespace

std::unique_ptr<target> make_http_target(const http_options& o) {
  return std::make_unique<http_target>(o);
}

} // namespace switchboard::tools::loadgen
