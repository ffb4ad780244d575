// Hostile and malformed HTTP input against the real `switchboard serve`
// (issue 7, item 5). One table of cases, one loop: each case is sent (with
// libcurl, or as raw bytes on a socket for framing abuse), and its response
// must have one of the expected statuses and, for 4xx, the error shape
// {"error": {"code", "message"}}. After each group /healthz must answer, and
// at the end the database must hold exactly what it held before.
//
// Cases where RESTinio itself rejects the framing (close_ok): it closes the
// connection without an HTTP response (or with its own non-JSON 4xx) when
//  - a header value exceeds 16 KiB, there are more than 128 header fields,
//    or the URL exceeds 64 KiB (incoming_http_msg_limits, api/server.cpp);
//  - the request line or a header line is not HTTP (llhttp parse error:
//    garbage, a header without a colon, an unknown method, HTTP/9.9);
//  - Content-Length is negative, not a number, or given twice with
//    different values; a chunked body has a malformed chunk size;
//  - the body exceeds the transport limit (2 x api.max_body_bytes +
//    64 KiB): up to it an oversized body gets a JSON 413, beyond it the
//    connection is cut;
//  - a slow-loris client sends part of a request and closes or stalls:
//    there is nothing to answer.
// The server ignores Content-Type (every body is parsed as JSON), so a
// wrong content type with a non-JSON body is a 400 on the body.

#include "tests/support/reliability_util.hpp"
#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <thread>

// The case table leaves trailing fields at their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace switchboard::testing {
namespace {

using json = nlohmann::json;

const std::string token = "hostile-test-token";

struct hostile_case {
  std::string group;
  std::string name;
  std::string method; // curl cases; "RAW": `body` is the whole request
  std::string target; // {KP}: h1's key path, {ID}: its session id
  std::string body;
  std::set<int> expect;               // acceptable statuses
  std::vector<std::string> headers{}; // sent in addition to auth
  bool auth = true;                   // send the good bearer token
  bool close_ok = false;              // no response is acceptable
};

std::string valid_source() {
  return R"("source": {"platform": "telegram", "chat_id": "h1"})";
}

std::string with_source(const std::string& rest) {
  return "{" + valid_source() + rest + "}";
}

std::string nested(int depth) {
  return std::string(static_cast<size_t>(depth), '[') +
         std::string(static_cast<size_t>(depth), ']');
}

std::string raw_request(const std::string& method, const std::string& target,
                        const std::string& body,
                        const std::string& extra_headers = "") {
  return method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
         "Authorization: Bearer " + token + "\r\n" + extra_headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i)
    out += s;
  return out;
}

const std::set<int> bad{400};
const std::set<int> ok_or_bad{200, 400};

std::vector<hostile_case> json_cases() {
  const std::string m = "/v1/messages";
  auto msg = [](const std::string& inner) {
    return with_source(R"(, "message": )" + inner);
  };
  return {
    {"json", "open brace", "POST", m, "{", bad},
    {"json", "not json", "POST", m, "not json", bad},
    {"json", "array", "POST", m, "[]", bad},
    {"json", "string", "POST", m, R"("str")", bad},
    {"json", "null", "POST", m, "null", bad},
    {"json", "number", "POST", m, "123", bad},
    {"json", "trailing garbage", "POST", m, with_source("") + " x", bad},
    {"json", "two documents", "POST", m, with_source("") + with_source(""),
     bad},
    {"json", "empty body", "POST", m, "", bad},
    {"json", "blank body", "POST", m, " \r\n\t ", bad},
    // A UTF-8 BOM itself is tolerated (RFC 8259 allows ignoring it).
    {"json", "BOM then bad source", "POST", m,
     "\xEF\xBB\xBF"
     R"({"source": 1})",
     bad},
    {"json", "single quotes", "POST", m, "{'source': 1}", bad},
    {"json", "comment", "POST", m, "/* hi */" + with_source(""), bad},
    {"json", "NaN", "POST", m, with_source(R"(, "force_new": NaN)"), bad},
    {"json", "1e999", "POST", m, with_source(R"(, "force_new": 1e999)"), bad},
    {"json", "source number", "POST", m, R"({"source": 1})", bad},
    {"json", "source array", "POST", m, R"({"source": []})", bad},
    {"json", "source missing", "POST", m,
     R"({"message": {"role": "user", "content": "x"}})", bad},
    {"json", "platform number", "POST", m,
     R"({"source": {"platform": 5, "chat_id": "h1"}})", bad},
    {"json", "platform path", "POST", m,
     R"({"source": {"platform": "../../etc", "chat_id": "h1"}})", bad},
    {"json", "platform empty", "POST", m,
     R"({"source": {"platform": "", "chat_id": "h1"}})", bad},
    {"json", "chat_type bogus", "POST", m,
     R"({"source": {"platform": "telegram", "chat_id": "h1", "chat_type": "x"}})",
     bad},
    {"json", "chat_id with NUL (key unaddressable)", "POST", m,
     R"({"source": {"platform": "telegram", "chat_id": "h\u0000x"}})", bad},
    {"json", "thread_id with newline", "POST", m,
     R"({"source": {"platform": "telegram", "chat_id": "h1", "thread_id": "a\nb"}})",
     bad},
    {"json", "chat_id object", "POST", m,
     R"({"source": {"platform": "telegram", "chat_id": {}}})", bad},
    {"json", "unknown source field", "POST", m,
     R"({"source": {"platform": "telegram", "chat_id": "h1", "evil": 1}})",
     bad},
    {"json", "unknown top field", "POST", m, with_source(R"(, "evil": 1)"),
     bad},
    {"json", "force_new string", "POST", m,
     with_source(R"(, "force_new": "yes")"), bad},
    {"json", "message string", "POST", m, msg(R"("hi")"), bad},
    {"json", "role bogus", "POST", m,
     msg(R"({"role": "wizard", "content": "x"})"), bad},
    {"json", "role number", "POST", m, msg(R"({"role": 1, "content": "x"})"),
     bad},
    {"json", "content number", "POST", m,
     msg(R"({"role": "user", "content": 5})"), bad},
    {"json", "unknown message field", "POST", m,
     msg(R"({"role": "user", "content": "x", "evil": true})"), bad},
    {"json", "token_count string", "POST", m,
     msg(R"({"role": "user", "content": "x", "token_count": "9"})"), bad},
    {"json", "nesting 40 in tool_calls", "POST", m,
     msg(R"({"role": "assistant", "content": "x", "tool_calls": )" +
         nested(40) + "}"),
     bad},
    {"json", "nesting 100000", "POST", m, nested(100000), bad},
    {"json", "object nesting 1000", "POST", m,
     repeat(R"({"a":)", 1000) + "1" + std::string(1000, '}'), bad},
    {"json", "invalid utf-8 0xff", "POST", m,
     R"({"source": {"platform": "telegram", "chat_id": "h1)"
     "\xff"
     R"("}})",
     bad},
    {"json", "overlong utf-8", "POST", m,
     msg(std::string(R"({"role": "user", "content": ")") + "\xC0\xAF" + "\"}"),
     bad},
    {"json", "truncated utf-8", "POST", m,
     msg(std::string(R"({"role": "user", "content": ")") + "\xE2\x82" + "\"}"),
     bad},
    {"json", "utf-16 surrogate escape", "POST", m,
     msg(R"({"role": "user", "content": "\ud800"})"), bad},
    {"json", "encoded surrogate bytes", "POST", m,
     msg(std::string(R"({"role": "user", "content": ")") + "\xED\xA0\x80" +
         "\"}"),
     bad},
    {"json", "chat_id 100 KiB", "POST", m,
     R"({"source": {"platform": "telegram", "chat_id": ")" +
       std::string(100 * 1024, 'c') + "\"}}",
     bad},
    {"json", "user_name 100 KiB", "POST", m,
     R"({"source": {"platform": "telegram", "chat_id": "h1", "user_name": ")" +
       std::string(100 * 1024, 'u') + "\"}}",
     bad},
    {"json", "batch items string", "POST", "/v1/messages:batch",
     R"({"items": "x"})", bad},
    {"json", "batch unknown field", "POST", "/v1/messages:batch",
     R"({"items": [], "evil": 1})", bad},
    {"json", "batch 1001 items", "POST", "/v1/messages:batch",
     R"({"items": [)" + repeat("1,", 1000) + "1]}", bad},
    {"json", "title number", "PUT", "/v1/session-ids/{ID}/title",
     R"({"title": 5})", bad},
    {"json", "title missing", "PUT", "/v1/session-ids/{ID}/title", "{}", bad},
    {"json", "title 10 KiB", "PUT", "/v1/session-ids/{ID}/title",
     R"({"title": ")" + std::string(10 * 1024, 't') + "\"}", bad},
    {"json", "transcript not array", "PUT", "{KP}/transcript",
     R"({"messages": {}})", bad},
    {"json", "transcript bad role", "PUT", "{KP}/transcript",
     R"({"messages": [{"role": "wizard", "content": "x"}]})", bad},
    {"json", "usage negative", "POST", "{KP}/usage", R"({"input_tokens": -5})",
     bad},
    {"json", "usage string", "POST", "{KP}/usage", R"({"input_tokens": "5"})",
     bad},
    {"json", "busy string", "POST", "{KP}/busy", R"({"busy": "yes"})", bad},
    {"json", "switch both empty", "POST", "{KP}/switch", "{}", bad},
    {"json", "prune negative", "POST", "/v1/admin/prune",
     R"({"older_than_days": -1})", bad},
    {"json", "prune string", "POST", "/v1/admin/prune",
     R"({"older_than_days": "all"})", bad},
    {"json",
     "xml content type",
     "POST",
     m,
     "<xml/>",
     bad,
     {"Content-Type: text/xml"}},
    {"json",
     "form content type",
     "POST",
     m,
     "source=telegram&chat_id=h1",
     bad,
     {"Content-Type: application/x-www-form-urlencoded"}},
    {"json",
     "multipart content type",
     "POST",
     m,
     "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--",
     bad,
     {"Content-Type: multipart/form-data; boundary=b"}},
  };
}

std::vector<hostile_case> size_cases() {
  const std::string m = "/v1/messages";
  auto big = [](size_t n) {
    return with_source(R"(, "message": {"role": "user", "content": ")" +
                       std::string(n, 'x') + "\"}}");
  };
  return {
    {"size", "2 MiB message", "POST", m, big(2 << 20), {413}},
    {"size",
     "2 MiB transcript",
     "PUT",
     "{KP}/transcript",
     R"({"messages": [{"role": "user", "content": ")" +
       std::string(2 << 20, 'x') + "\"}]}",
     {413}},
    {"size",
     "2 MiB + 1 batch",
     "POST",
     "/v1/messages:batch",
     std::string((2 << 20) + 1, ' ') + "{}",
     {413}},
    {"size",
     "3.9 MiB batch (beyond the transport limit)",
     "POST",
     "/v1/messages:batch",
     std::string(3900 * 1024, ' ') + "{}",
     {413},
     {},
     true,
     true},
    {"size", "8 MiB body", "POST", m, big(8 << 20), {413}, {}, true, true},
    {"size", "1 MiB + 1", "POST", m, std::string((1 << 20) + 1, ' '), {413}},
  };
}

std::vector<hostile_case> path_cases() {
  // Ids outside [0-9A-Za-z_-]{1,64} and keys that cannot be session keys are
  // 400 (bad_request naming id/key) before any lookup; well-formed ones
  // that match nothing are 404.
  const std::set<int> nf{400, 404};
  const std::set<int> nf_or_bad{400, 404};
  const std::string ids = "/v1/session-ids/";
  return {
    {"path", "dot dot id", "GET", ids + "..", "", nf},
    {"path", "encoded dot dot slash", "GET", ids + "%2e%2e%2f", "", nf},
    {"path", "encoded traversal", "GET", ids + "..%2f..%2fetc%2fpasswd", "",
     nf},
    {"path", "backslashes", "GET", ids + "..%5c..%5cwindows", "", nf},
    {"path", "drive letter", "GET", ids + "C:%5cWindows%5csystem32", "", nf},
    {"path", "drive letter raw colon", "GET", ids + "C:", "", nf},
    {"path", "like percent", "GET", ids + "%25", "", nf},
    {"path", "like underscore", "GET", ids + "_", "", nf},
    {"path", "like underscores", "GET", ids + "________", "", nf},
    {"path", "nul byte", "GET", ids + "%00", "", nf_or_bad},
    {"path", "invalid utf-8 id", "GET", ids + "%ff%fe", "", nf_or_bad},
    {"path", "invalid utf-8 key", "GET", "/v1/sessions/%ff", "", nf_or_bad},
    {"path", "traversal key", "GET", "/v1/sessions/..%2f..%2fstate.db", "", nf},
    {"path", "export traversal", "GET", ids + "..%2f/export", "", nf},
    {"path", "delete percent", "DELETE", ids + "%25", "", nf},
    {"path", "delete underscore", "DELETE", ids + "_", "", nf},
    {"path", "delete by prefix", "DELETE", ids + "{ID4}", "", nf},
    {"path", "title on percent", "PUT", ids + "%25/title", R"({"title": "x"})",
     nf},
    {"path", "messages on star", "GET", ids + "*/messages", "", nf},
    {"path", "bad escape", "GET", ids + "%zz", "", bad},
    {"path", "lone percent", "GET", ids + "%", "", bad},
    {"path", "short escape", "GET", "/v1/sessions/abc%2", "", bad},
    {"path", "key 10 KiB", "GET", "/v1/sessions/" + std::string(10240, 'k'), "",
     nf},
    {"path", "unknown root", "GET", "/nothing", "", nf},
    {"path", "ui traversal", "GET", "/ui/..%2f..%2fstate.db", "", nf},
    {"path", "ui dot dot", "GET", "/ui/../index.html", "", nf},
    {"path", "v2", "GET", "/v2/messages", "", nf},
    {"path", "v1 alone", "GET", "/v1", "", nf},
    {"path", "v1 slash", "GET", "/v1/", "", nf},
    {"path", "transcript extra", "GET", "{KP}/transcript/extra", "", nf},
    {"path", "healthz traversal", "GET", "/healthz/../v1/history", "", nf},
    {"path", "clock without manual clock", "POST", "/v1/admin/clock",
     R"({"advance_seconds": 1})", nf},
    {"path", "dot segment route", "GET", "/v1/./history/..", "", nf},
  };
}

std::vector<hostile_case> query_cases() {
  const std::set<int> s200{200};
  auto search = [](const std::string& q) {
    return "/v1/search?q=" + q;
  };
  return {
    {"query", "invalid utf-8 q", "GET", search("%ff"), "", bad},
    {"query", "invalid utf-8 name", "GET", "/v1/history?%ff=1", "", bad},
    {"query", "bad escape", "GET", search("%g1"), "", bad},
    {"query", "quote", "GET", search("%22"), "", s200},
    {"query", "unterminated phrase", "GET", search("%22hello"), "", s200},
    {"query", "NEAR(", "GET", search("NEAR("), "", s200},
    {"query", "NEAR/3", "GET", search("a%20NEAR%2F3%20b"), "", s200},
    {"query", "column filter", "GET", search("content%3Ahello"), "", s200},
    {"query", "column filter braces", "GET", search("%7Bcontent%7D%3Ahello"),
     "", s200},
    {"query", "sql or", "GET", search("hello'%20OR%201%3D1%20--"), "", s200},
    {"query", "sql drop", "GET",
     search("x%3B%20DROP%20TABLE%20messages%3B%20--"), "", s200},
    {"query", "percent", "GET", search("%25"), "", s200},
    {"query", "underscore", "GET", search("_"), "", s200},
    {"query", "star", "GET", search("*"), "", s200},
    {"query", "caret", "GET", search("%5E"), "", s200},
    {"query", "operators only", "GET", search("AND%20OR%20NOT"), "", s200},
    {"query", "single quote", "GET", search("'"), "", s200},
    {"query", "parens", "GET", search("((((("), "", s200},
    {"query", "5000 chars", "GET", search(std::string(5000, 'a')), "", s200},
    {"query", "5000 mixed", "GET", search(repeat("(%22*%3A", 1250)), "", s200},
    {"query", "20000 chars", "GET", search(std::string(20000, 'a')), "", bad},
    {"query", "empty q", "GET", search(""), "", ok_or_bad},
    {"query", "limit negative", "GET", "/v1/history?limit=-1", "", bad},
    {"query", "limit text", "GET", "/v1/history?limit=abc", "", bad},
    {"query", "limit huge", "GET", "/v1/history?limit=99999999999999999999", "",
     bad},
    {"query", "limit float", "GET", "/v1/history?limit=1e3", "", bad},
    {"query", "offset negative", "GET", search("a") + "&offset=-5", "", bad},
    {"query", "sort bogus", "GET", search("a") + "&sort=sideways", "", bad},
    {"query", "active_minutes negative", "GET",
     "/v1/sessions?active_minutes=-1", "", bad},
    {"query", "active_minutes text", "GET", "/v1/sessions?active_minutes=x", "",
     bad},
    {"query", "redact_pii maybe", "GET", "{KP}/context?redact_pii=maybe", "",
     bad},
    {"query", "stitch 2", "GET", "/v1/session-ids/{ID}/messages?stitch=2", "",
     bad},
  };
}

std::vector<hostile_case> method_cases() {
  const std::set<int> na{405};
  return {
    {"method", "GET messages", "GET", "/v1/messages", "", na},
    {"method", "DELETE messages", "DELETE", "/v1/messages", "", na},
    {"method", "PUT history", "PUT", "/v1/history", "{}", na},
    {"method", "POST healthz", "POST", "/healthz", "{}", na},
    {"method", "PATCH session", "PATCH", "{KP}", "{}", na},
    {"method", "DELETE session key", "DELETE", "{KP}", "", na},
    {"method", "POST search", "POST", "/v1/search", "{}", na},
    {"method", "GET admin expire", "GET", "/v1/admin/expire", "", na},
  };
}

std::vector<hostile_case> auth_cases() {
  const std::set<int> un{401};
  const std::string h = "/v1/history";
  return {
    {"auth", "no header", "GET", h, "", un, {}, false},
    {"auth",
     "wrong token",
     "GET",
     h,
     "",
     un,
     {"Authorization: Bearer wrong"},
     false},
    {"auth",
     "token plus x",
     "GET",
     h,
     "",
     un,
     {"Authorization: Bearer " + token + "x"},
     false},
    {"auth",
     "token prefix",
     "GET",
     h,
     "",
     un,
     {"Authorization: Bearer " + token.substr(0, 5)},
     false},
    {"auth",
     "lowercase scheme",
     "GET",
     h,
     "",
     un,
     {"Authorization: bearer " + token},
     false},
    {"auth",
     "basic",
     "GET",
     h,
     "",
     un,
     {"Authorization: Basic dXNlcjpwYXNz"},
     false},
    {"auth",
     "bearer no space",
     "GET",
     h,
     "",
     un,
     {"Authorization: Bearer" + token},
     false},
    {"auth",
     "empty bearer",
     "GET",
     h,
     "",
     un,
     {"Authorization: Bearer "},
     false},
    {"auth",
     "10 KiB token",
     "GET",
     h,
     "",
     un,
     {"Authorization: Bearer " + std::string(10240, 'z')},
     false},
    {"auth",
     "unauthenticated route",
     "POST",
     "/v1/messages",
     with_source(R"(, "message": {"role": "user", "content": "intruder"})"),
     un,
     {},
     false},
    {"auth",
     "unauthenticated delete",
     "DELETE",
     "/v1/session-ids/{ID}",
     "",
     un,
     {},
     false},
    {"auth",
     "unauthenticated prune",
     "POST",
     "/v1/admin/prune",
     R"({"older_than_days": 0})",
     un,
     {},
     false},
  };
}

std::vector<hostile_case> raw_cases() {
  const std::set<int> none{};
  auto raw = [](std::string name, std::string bytes, std::set<int> expect,
                bool close_ok) {
    return hostile_case{"raw",
                        std::move(name),
                        "RAW",
                        "",
                        std::move(bytes),
                        std::move(expect),
                        {},
                        true,
                        close_ok};
  };
  const std::string auth = "Authorization: Bearer " + token + "\r\n";
  return {
    raw("huge header line",
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " +
          std::string(20000, 'h') + "\r\n\r\n",
        {400, 431}, true),
    raw(
      "many headers",
      "GET /healthz HTTP/1.1\r\nHost: x\r\n" +
        [] {
          std::string h;
          for (int i = 0; i < 200; ++i)
            h += "X-H" + std::to_string(i) + ": v\r\n";
          return h;
        }() +
        "\r\n",
      {400, 431}, true),
    raw("duplicate content-length",
        "POST /v1/messages HTTP/1.1\r\nHost: x\r\n" + auth +
          "Content-Length: 2\r\nContent-Length: 40\r\n\r\n{}",
        {400}, true),
    raw("negative content-length",
        "POST /v1/messages HTTP/1.1\r\nHost: x\r\n" + auth +
          "Content-Length: -1\r\n\r\n{}",
        {400}, true),
    raw("text content-length",
        "POST /v1/messages HTTP/1.1\r\nHost: x\r\n" + auth +
          "Content-Length: abc\r\n\r\n{}",
        {400}, true),
    raw("bad chunk",
        "POST /v1/messages HTTP/1.1\r\nHost: x\r\n" + auth +
          "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
        {400}, true),
    raw("garbage request line", "GARBAGE\r\n\r\n", {400}, true),
    // llhttp accepts any HTTP/d.d version: answered like HTTP/1.1.
    raw("http 9.9", "GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n", {200, 400, 505},
        true),
    raw("unknown method",
        "BREW /v1/history HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n", {400, 405},
        true),
    raw("header without colon",
        "GET /healthz HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n", {400}, true),
    raw("url 100 KiB",
        "GET /v1/search?q=" + std::string(100 * 1024, 'a') +
          " HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n",
        {400, 414}, true),
    raw("raw invalid utf-8 path",
        raw_request("GET", "/v1/session-ids/\xff\xfe", ""), {400, 404}, true),
    raw("raw backslash path",
        raw_request("GET", "/v1/session-ids/..\\..\\windows", ""), {404}, true),
    raw("raw invalid utf-8 query", raw_request("GET", "/v1/search?q=\xff", ""),
        {400}, true),
    raw("partial headers then close",
        "POST /v1/messages HTTP/1.1\r\nHost: x\r\n", none, true),
    raw("partial body then close",
        "POST /v1/messages HTTP/1.1\r\nHost: x\r\n" + auth +
          "Content-Length: 100\r\n\r\n{\"source\":",
        none, true),
    raw("nul in header",
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-N: a" + std::string(1, '\0') +
          "b\r\n\r\n",
        {200, 400}, true),
  };
}

std::vector<hostile_case> all_cases() {
  std::vector<hostile_case> all;
  for (auto group : {json_cases(), size_cases(), path_cases(), query_cases(),
                     method_cases(), auth_cases(), raw_cases()})
    all.insert(all.end(), group.begin(), group.end());
  return all;
}

std::string substitute(std::string s, const std::string& from,
                       const std::string& to) {
  for (auto pos = s.find(from); pos != std::string::npos;
       pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
  return s;
}

class HostileInputTest : public ::testing::Test {
protected:
  void SetUp() override {
    write_file(dir_ + "/token", token + "\n");
    server_ = std::make_unique<server_process>(std::vector<std::string>{
      "--data-dir", dir_ + "/data", "--token-file", dir_ + "/token"});
    ASSERT_FALSE(server_->url().empty()) << server_->line();
    url_ = server_->url();
    for (const char* chat : {"h1", "h1", "h2"}) {
      auto r = client_.request("POST", url_ + "/v1/messages",
                               route_body(chat, "seed message for search"),
                               {"Authorization: Bearer " + token});
      ASSERT_EQ(r.status, 200) << r.body;
      if (id_.empty())
        id_ = json::parse(r.body)["session_id"].get<std::string>();
    }
  }
  void TearDown() override {
    server_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string expand(const std::string& s) {
    auto out = substitute(s, "{KP}", key_path("h1"));
    out = substitute(out, "{ID4}", id_.substr(0, 4));
    return substitute(out, "{ID}", id_);
  }

  void run_curl(const hostile_case& c) {
    std::vector<std::string> headers = c.headers;
    if (c.auth)
      headers.push_back("Authorization: Bearer " + token);
    keep_alive_client fresh;
    auto r =
      fresh.request(c.method, url_ + expand(c.target), expand(c.body), headers);
    if (r.status == 0 && c.close_ok)
      return;
    EXPECT_TRUE(c.expect.count(static_cast<int>(r.status)))
      << "status " << r.status << ": " << r.body.substr(0, 300);
    if (r.status >= 400) {
      EXPECT_TRUE(has_error_shape(r.body)) << r.body.substr(0, 300);
      EXPECT_NE(r.headers.find("content-type: application/json"),
                std::string::npos)
        << r.headers;
    }
  }

  void run_raw(const hostile_case& c) {
    auto r = raw_exchange(port_of(url_), expand(c.body), true,
                          std::chrono::milliseconds{3000});
    auto statuses = response_statuses(r.received);
    if (statuses.empty()) {
      EXPECT_TRUE(c.close_ok) << "no response: " << r.received.substr(0, 200);
      return;
    }
    for (int s : statuses)
      EXPECT_TRUE(c.expect.count(s) || (c.close_ok && s >= 400 && s < 500))
        << "status " << s << ": " << r.received.substr(0, 300);
  }

  void expect_healthy(const std::string& after) {
    keep_alive_client fresh;
    auto h = fresh.request("GET", url_ + "/healthz");
    EXPECT_EQ(h.status, 200) << "after group " << after;
  }

  std::string dir_ = make_temp_dir();
  std::unique_ptr<server_process> server_;
  std::string url_;
  std::string id_;
  keep_alive_client client_;
};

/// Waits (bounded) until the server has folded the derived state of every
/// stored message in (persistence/derived_state.cpp: it does so 50 ms after
/// its last commit), so that the raw tables stop changing by themselves.
void wait_until_folded(const std::string& db) {
  for (int i = 0; i < 1000; ++i) {
    if (sqlite_scalar(db, "SELECT (SELECT watermark FROM derived_state) = "
                          "(SELECT COALESCE(MAX(id), 0) FROM messages)") == "1")
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ADD_FAILURE() << "the derived state was never folded in";
}

TEST_F(HostileInputTest, EveryCaseGetsItsDocumentedAnswer) {
  const auto db = dir_ + "/data/state.db";
  wait_until_folded(db);
  auto before = dump_tables(db);
  ASSERT_FALSE(before.contains("error"));
  auto cases = all_cases();
  ASSERT_GE(cases.size(), 100u);
  std::string group;
  auto last = before;
  for (const auto& c : cases) {
    if (c.group != group && !group.empty())
      expect_healthy(group);
    group = c.group;
    SCOPED_TRACE(c.group + ": " + c.name);
    if (c.method == "RAW")
      run_raw(c);
    else
      run_curl(c);
    auto now = dump_tables(db);
    EXPECT_EQ(now, last) << "the request changed the data";
    last = std::move(now);
  }
  expect_healthy(group);
  EXPECT_EQ(dump_tables(db), before) << "a rejected request changed the data";
  std::printf("[ hostile ] %zu cases\n", cases.size());
}

TEST_F(HostileInputTest, SlowLorisStallDoesNotBlockOthers) {
  // Headers and part of a body, then silence while others are served.
  auto port = port_of(url_);
  std::vector<std::thread> stallers;
  for (int i = 0; i < 8; ++i)
    stallers.emplace_back([port] {
      raw_exchange(port,
                   "POST /v1/messages HTTP/1.1\r\nHost: x\r\n"
                   "Content-Length: 1000000\r\n\r\n{\"source\":",
                   false, std::chrono::milliseconds{1500});
    });
  keep_alive_client c;
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(c.request("GET", url_ + "/healthz").status, 200);
  for (auto& t : stallers)
    t.join();
  expect_healthy("slow loris");
}

TEST_F(HostileInputTest, PipelinedRequestsAllAnswered) {
  std::string healthz, broken;
  for (int i = 0; i < 50; ++i)
    healthz += std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n") +
               (i == 49 ? "Connection: close\r\n" : "") + "\r\n";
  for (int i = 0; i < 20; ++i)
    broken += raw_request("POST", "/v1/messages", "{",
                          i == 19 ? "Connection: close\r\n" : "");
  auto ok = raw_exchange(port_of(url_), healthz, false,
                         std::chrono::milliseconds{3000});
  auto statuses = response_statuses(ok.received);
  EXPECT_EQ(statuses.size(), 50u);
  for (int s : statuses)
    EXPECT_EQ(s, 200);
  auto bad_ones =
    raw_exchange(port_of(url_), broken, false, std::chrono::milliseconds{3000});
  statuses = response_statuses(bad_ones.received);
  EXPECT_EQ(statuses.size(), 20u);
  for (int s : statuses)
    EXPECT_EQ(s, 400);
  expect_healthy("pipelining");
}

} // namespace
} // namespace switchboard::testing
