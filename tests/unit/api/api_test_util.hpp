#pragma once

// A fixture that runs the server on a free loopback port against the fake
// engine, with the shared test HTTP client (tests/support).

#include "api/server.hpp"
#include "fake_engine.hpp"
#include "tests/support/http_client.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace switchboard::api::testing {

// The shared test HTTP client (tests/support/http_client.hpp).
using switchboard::testing::http;
using switchboard::testing::http_result;
using switchboard::testing::read_stream_until;

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
