#include "api_test_util.hpp"

namespace switchboard::api::testing {

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
  auto r = post("/v1/messages", switchboard::testing::route_body(chat, text));
  EXPECT_EQ(r.status, 200) << r.body;
  return r.json();
}

std::string key_path(const std::string& chat) {
  return switchboard::testing::encoded_dm_key(chat);
}

} // namespace switchboard::api::testing
