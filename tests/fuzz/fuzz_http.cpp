// fuzz_http: the HTTP layer without sockets. The input is
// "METHOD TARGET\nBODY"; it goes through api::decode_target and
// api::parse_body, then through the server's dispatch (api/server.cpp: route
// table, 404/405, the endpoint handler) against the API tests' in-memory
// fake engine, with the manual clock route on.
//
// Invariants (shared/API.md): parse_body accepts only JSON it can print;
// decoded segments and query values are what the server hands to handlers;
// every reply has a documented status (200, 400, 404, 405, 409, 413, 503;
// 500 is a bug and fails), an error reply has the shape
// {"error": {"code", "message"}} with the code of its status, a 405 has an
// Allow header, and a 200 JSON reply is valid JSON. Each handler answers
// exactly once and throws nothing.

#include "api/json_io.hpp"
#include "api/query.hpp"
#include "api/routes.hpp"
#include "core/utf8.hpp"
#include "fake_engine.hpp"
#include "fuzz_util.hpp"

#include <mutex>
#include <optional>

namespace {

using namespace switchboard;
using fuzz::check;

struct split_input {
  std::string method;
  std::string target;
  std::string body;
};

split_input split(std::string_view text) {
  auto eol = std::min(text.find('\n'), text.size());
  auto line = text.substr(0, eol);
  auto sp = std::min(line.find(' '), line.size());
  split_input in;
  in.method = std::string{line.substr(0, sp)};
  in.target = std::string{line.substr(std::min(sp + 1, line.size()))};
  in.body = std::string{text.substr(std::min(eol + 1, text.size()))};
  return in;
}

std::string_view code_for(int status) {
  switch (status) {
    case 400:
      return "bad_request";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 409:
      return "conflict";
    case 413:
      return "payload_too_large";
    case 503:
      return "overloaded";
    default:
      return "";
  }
}

void check_reply(const api::reply& rep, const std::string& what) {
  check(rep.status == 200 || !code_for(rep.status).empty(),
        "undocumented reply status", std::to_string(rep.status) + " " + what);
  if (rep.content_type != "application/json")
    return;
  auto j = nlohmann::json::parse(rep.body, nullptr, false);
  check(!j.is_discarded(), "reply body is not JSON", rep.body);
  if (rep.status == 200)
    return;
  bool shaped = j.is_object() && j.size() == 1 && j.contains("error") &&
                j["error"].is_object() && j["error"].size() == 2 &&
                j["error"].contains("code") && j["error"]["code"].is_string() &&
                j["error"].contains("message") &&
                j["error"]["message"].is_string();
  check(shaped, "error reply without the {error:{code,message}} shape",
        rep.body);
  check(j["error"]["code"] == code_for(rep.status),
        "error code does not fit status", rep.body);
}

void check_body(const std::string& body) {
  for (bool empty_ok : {false, true}) {
    auto j = api::parse_body(body, empty_ok);
    if (!j) {
      check(j.err().code == core::errc::bad_request, "parse_body error code");
      continue;
    }
    check(core::valid_utf8(body), "parse_body accepted invalid UTF-8");
    fuzz::dump_or_abort(*j, "parse_body gives unprintable JSON");
  }
}

void check_target(const api::request& r) {
  for (const auto& [name, value] : r.query)
    check(core::valid_utf8(name) && core::valid_utf8(value),
          "decode_target query not valid UTF-8", name + "=" + value);
}

/// Collects the single reply of a handler, from whichever thread sends it.
struct reply_box {
  std::mutex mtx;
  int count = 0;
  api::reply rep;
};

/// The reply the server would send; nullopt for the event stream, which the
/// server serves itself (not a reply).
std::optional<api::reply> dispatch(api::request& r, const std::string& what) {
  static const auto routes = api::make_router(true);
  auto m = routes.find(r.method, r.segments);
  if (m.result == api::router::outcome::not_found)
    return api::error_reply(core::not_found("no such endpoint"));
  if (m.result == api::router::outcome::wrong_method) {
    check(!m.allow.empty(), "405 without Allow", what);
    return api::json_reply(405, {{"error",
                                  {{"code", "method_not_allowed"},
                                   {"message", "allowed: " + m.allow}}}});
  }
  if (!m.target) // GET /v1/events
    return std::nullopt;
  core::settings cfg;
  api::testing::fake_engine eng{cfg};
  core::manual_clock clock{eng.now_source().now()};
  api::api_context ctx{eng,
                       cfg,
                       &clock,
                       core::zone::utc(),
                       {},
                       {},
                       std::make_shared<api::event_log>(),
                       {},
                       nullptr,
                       {}};
  ctx.stats = std::make_unique<api::stats_sampler>(eng, ctx.latency, "");
  ctx.stats->sample();
  auto box = std::make_shared<reply_box>();
  api::call c{ctx, r, std::move(m.params)};
  try {
    (*m.target)(c, [box](api::reply rep) {
      std::lock_guard lock{box->mtx};
      ++box->count;
      box->rep = std::move(rep);
    });
  } catch (const std::exception& e) {
    check(false, "handler threw", std::string{e.what()} + " | " + what);
  }
  eng.settle();
  std::lock_guard lock{box->mtx};
  check(box->count == 1, "handler did not answer exactly once", what);
  return box->rep;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  auto in = split(fuzz::as_text(data, size));
  check_body(in.body);
  api::request r;
  r.method = in.method;
  auto what = in.method + " " + in.target;
  if (auto st = api::decode_target(in.target, r); !st) {
    check(st.err().code == core::errc::bad_request, "decode_target error code");
    return 0;
  }
  check_target(r);
  r.body = in.body;
  if (auto rep = dispatch(r, what))
    check_reply(*rep, what);
  return 0;
}
