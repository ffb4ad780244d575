// The load generator's HTTP target: a running server, driven from the
// driver thread through libcurl's multi interface. One easy handle per
// connection, reused for every request it carries (keep-alive), at most as
// many as requests in flight; poll() moves every transfer forward and runs
// the completions of those that finished. With several URLs each load
// request goes to the next URL in turn, on a connection of that URL's own.
// The clock and expiry calls block on their own handle, one URL after the
// other (another thread may make them meanwhile).

#include "loadgen/http_request.hpp"
#include "loadgen/target.hpp"

#include <nlohmann/json.hpp>

#include <cassert>
#include <optional>
#include <vector>

namespace switchboard::loadgen {

namespace {

using json_done = std::function<void(core::result<nlohmann::json>)>;

nlohmann::json route_body(const routed& r) {
  return {{"source", core::encode_source(r.origin)},
          {"message", {{"role", r.role}, {"content", r.text}}}};
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

batch_results batch_of(const nlohmann::json& j) {
  batch_results out;
  if (!j.contains("results") || !j["results"].is_array())
    return out;
  for (const auto& item : j["results"]) {
    if (item.contains("error"))
      out.push_back(core::internal_error(item["error"].dump()));
    else
      out.push_back(reply_of(item));
  }
  return out;
}

/// The JSON body of a 2xx reply; the error otherwise.
core::result<nlohmann::json> json_reply(const std::string& url, long status,
                                        const std::string& body) {
  if (status < 200 || status > 299)
    return http_error(status, body);
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded())
    return core::internal_error("malformed JSON reply from " + url);
  return j;
}

class http_target final : public target {
public:
  explicit http_target(http_options o)
    : opts_(std::move(o)), headers_(json_headers(opts_.token)),
      idle_(opts_.urls.size()) {
    for (const auto& u : opts_.urls)
      counts_.push_back({u, 0, 0});
    curl_init();
    multi_ = curl_multi_init();
    // Each URL may end up with as many connections as are in flight.
    curl_multi_setopt(
      multi_, CURLMOPT_MAXCONNECTS,
      static_cast<long>(std::max(1, opts_.connections) *
                        std::max<std::size_t>(1, opts_.urls.size())));
  }

  ~http_target() override {
    for (auto& c : connections_)
      if (c->done)
        curl_multi_remove_handle(multi_, c->easy.get());
    connections_.clear();
    curl_multi_cleanup(multi_);
  }

  void route(const routed& r, done_fn<actors::route_reply> done) override {
    post("/v1/messages", route_body(r).dump(),
         [done = std::move(done)](core::result<nlohmann::json> j) {
           if (!j)
             return done(std::move(j).err());
           done(reply_of(*j));
         });
  }

  void route_batch(const std::vector<routed>& items,
                   done_fn<batch_results> done) override {
    nlohmann::json body = {{"items", nlohmann::json::array()}};
    for (const auto& i : items)
      body["items"].push_back(route_body(i));
    post("/v1/messages:batch", body.dump(),
         [n = items.size(),
          done = std::move(done)](core::result<nlohmann::json> j) {
           if (!j)
             return done(std::move(j).err());
           auto out = batch_of(*j);
           if (out.size() != n)
             return done(
               core::internal_error("batch reply has the wrong length"));
           done(std::move(out));
         });
  }

  void append(const std::string& key, const std::string& role,
              const std::string& text,
              done_fn<actors::append_reply> done) override {
    nlohmann::json body = {{"role", role}, {"content", text}};
    post("/v1/sessions/" + escape_segment(key) + "/messages", body.dump(),
         [done = std::move(done)](core::result<nlohmann::json> j) {
           if (!j)
             return done(std::move(j).err());
           done(actors::append_reply{j->value("session_id", std::string{}),
                                     j->value("message_id", std::int64_t{0})});
         });
  }

  void usage(const std::string& key, const core::usage_update& u,
             std::function<void(core::status)> done) override {
    nlohmann::json body = {{"input_tokens", u.input_tokens},
                           {"output_tokens", u.output_tokens},
                           {"model", u.model.value_or("loadgen")}};
    post("/v1/sessions/" + escape_segment(key) + "/usage", body.dump(),
         [done = std::move(done)](core::result<nlohmann::json> j) {
           done(j ? core::status{} : core::status{std::move(j).err()});
         });
  }

  void poll(std::chrono::milliseconds timeout) override {
    int running = 0;
    curl_multi_perform(multi_, &running);
    if (finish() > 0)
      return;
    curl_multi_poll(multi_, nullptr, 0, static_cast<int>(timeout.count()),
                    nullptr);
    curl_multi_perform(multi_, &running);
    finish();
  }

  /// Every URL sweeps; the reports add up. The first error, if any.
  core::result<actors::sweep_report> expire() override {
    actors::sweep_report sum;
    std::optional<core::error> first;
    for (const auto& url : opts_.urls) {
      auto j = blocking_post(url, "/v1/admin/expire", "{}");
      if (!j) {
        if (!first)
          first = std::move(j).err();
        continue;
      }
      sum.expired += j->value("expired", std::int64_t{0});
      sum.flushed += j->value("flushed", std::int64_t{0});
      sum.flush_failed += j->value("flush_failed", std::int64_t{0});
    }
    if (first)
      return *first;
    return sum;
  }

  /// Every URL's clock moves (each server has its own). The first error.
  core::status advance_clock(double seconds) override {
    auto body = nlohmann::json{{"advance_seconds", seconds}}.dump();
    core::status out;
    for (const auto& url : opts_.urls)
      if (auto j = blocking_post(url, "/v1/admin/clock", body); !j && out)
        out = std::move(j).err();
    return out;
  }

  std::vector<url_count> per_url() const override { return counts_; }

private:
  /// One easy handle and what its current transfer needs to stay alive.
  struct connection {
    explicit connection(std::size_t t) : target(t) {}
    std::size_t target; // index into opts_.urls, fixed
    easy_ptr easy{curl_easy_init()};
    std::string url, body, reply;
    json_done done; // set while a transfer is under way
  };

  /// Starts a POST to the next URL in turn, on one of its idle connections
  /// (a new one when none is idle).
  void post(const std::string& path, std::string body, json_done done) {
    auto t = next_target_;
    next_target_ = (next_target_ + 1) % opts_.urls.size();
    ++counts_[t].requests;
    connection* c = idle(t);
    if (!c || !c->easy) {
      ++counts_[t].failed;
      return done(core::internal_error("curl_easy_init failed"));
    }
    c->url = opts_.urls[t] + path;
    c->body = std::move(body);
    c->reply.clear();
    c->done = std::move(done);
    setup_request(c->easy.get(), "POST", c->url, c->body, headers_.get(),
                  &c->reply);
    curl_easy_setopt(c->easy.get(), CURLOPT_PRIVATE, c);
    curl_multi_add_handle(multi_, c->easy.get());
  }

  connection* idle(std::size_t t) {
    auto& pool = idle_[t];
    if (pool.empty()) {
      connections_.push_back(std::make_unique<connection>(t));
      return connections_.back().get();
    }
    auto* c = pool.back();
    pool.pop_back();
    return c;
  }

  /// Collects the finished transfers, frees their connections, then runs
  /// their completions (which may start the next requests). How many.
  std::size_t finish() {
    std::vector<std::pair<json_done, core::result<nlohmann::json>>> ready;
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(multi_, &left)) {
      if (m->msg != CURLMSG_DONE)
        continue;
      connection* c = nullptr;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &c);
      auto rc = m->data.result;
      curl_multi_remove_handle(multi_, m->easy_handle);
      long status = 0;
      curl_easy_getinfo(c->easy.get(), CURLINFO_RESPONSE_CODE, &status);
      auto reply = rc == CURLE_OK
                     ? json_reply(c->url, status, c->reply)
                     : core::internal_error("cannot reach " + c->url + ": " +
                                            curl_easy_strerror(rc));
      if (!reply)
        ++counts_[c->target].failed;
      ready.emplace_back(std::move(c->done), std::move(reply));
      c->done = nullptr;
      idle_[c->target].push_back(c);
    }
    for (auto& [done, r] : ready)
      done(std::move(r));
    return ready.size();
  }

  core::result<nlohmann::json> blocking_post(const std::string& base,
                                             const std::string& path,
                                             const std::string& body) {
    auto url = base + path;
    auto r = http_call("POST", url, body, opts_.token);
    if (!r)
      return r.err();
    return json_reply(url, r->status, r->body);
  }

  http_options opts_;
  slist_ptr headers_;
  CURLM* multi_ = nullptr;
  std::vector<std::unique_ptr<connection>> connections_;
  std::vector<std::vector<connection*>> idle_; // per URL
  std::size_t next_target_ = 0;                // the next request's URL
  std::vector<url_count> counts_;              // per URL
};

} // namespace

std::unique_ptr<target> make_http_target(const http_options& o) {
  assert(!o.urls.empty());
  return std::make_unique<http_target>(o);
}

} // namespace switchboard::loadgen
