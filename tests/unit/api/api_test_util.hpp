#pragma once

// A small libcurl client and a fixture that runs the server on a free
// loopback port against the fake engine.

#include "api/server.hpp"
#include "fake_engine.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::api::testing {

struct http_result {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers; // lower-case names

  nlohmann::json json() const {
    return nlohmann::json::parse(body, nullptr, false);
  }
  std::string error_code() const {
    auto j = json();
    return j.is_object() && j.contains("error")
             ? j["error"].value("code", "")
             : "";
  }
  std::string error_message() const {
    auto j = json();
    return j.is_object() && j.contains("error")
             ? j["error"].value("message", "")
             : "";
  }
};

/// One request; status 0 when the transfer failed.
http_result http(const std::string& method, const std::string& url,
                 const std::string& body = "",
                 const std::vector<std::string>& headers = {});

/// Reads a GET stream until `stop_at` appears in it; returns what was read.
std::string read_stream_until(const std::string& url,
                              const std::string& stop_at,
                              const std::vector<std::string>& headers = {});

class ApiTest : public ::testing::Test {
protected:
  void start(server_options opts = {});
  std::string url(const std::string& path) const { return base_ + path; }
  http_result get(const std::string& path) { return http("GET", url(path)); }
  http_result post(const std::string& path, const std::string& body) {
    return http("POST", url(path), body);
  }
  http_result put(const std::string& path, const std::string& body) {
    return http("PUT", url(path), body);
  }
  /// Routes one user message from telegram dm chat `chat`.
  nlohmann::json route(const std::string& chat,
                       const std::string& text = "hello");

  fake_engine eng_;
  std::optional<running_server> server_;
  std::string base_;
};

/// "agent:main:telegram:dm:<chat>" percent-encoded for a path.
std::string key_path(const std::string& chat);

} // namespace switchboard::api::testing
