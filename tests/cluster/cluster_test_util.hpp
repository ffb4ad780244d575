#pragma once

// What the NATS-backed cluster tests share: a connection to servers
// started by nats_servers, failing the test (never skipping) when either is
// missing.

#include "cluster/nats_client.hpp"
#include "tests/cluster/nats_servers.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace switchboard::testing {

/// A connection to `urls`; a test failure (and nullptr) when it fails.
inline std::unique_ptr<cluster::nats_client>
connect_or_fail(const std::vector<std::string>& urls,
                std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  auto c = cluster::nats_client::connect(urls, timeout);
  if (!c) {
    ADD_FAILURE() << c.err().message;
    return nullptr;
  }
  return std::move(*c);
}

} // namespace switchboard::testing
