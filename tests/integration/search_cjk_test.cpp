// Issue 18 end to end: messages in Chinese, Japanese and Korean routed
// through the real binary's POST /v1/messages, found with GET /v1/search
// (SPEC 10 "every language").

#include "tests/support/server_process.hpp"

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <set>

namespace switchboard::testing {
namespace {

std::string percent_encode(const std::string& s) {
  char* e = curl_easy_escape(nullptr, s.data(), static_cast<int>(s.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

class SearchCjkServeTest : public ::testing::Test {
protected:
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  nlohmann::json search(const std::string& url, const std::string& q) {
    auto r = http("GET", url + "/v1/search?q=" + percent_encode(q));
    EXPECT_EQ(r.status, 200) << q << ": " << r.body;
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    return j.is_object() ? j["results"] : nlohmann::json::array();
  }
  std::string dir_ = make_temp_dir();
};

TEST_F(SearchCjkServeTest, TheIssueTableThroughTheApi) {
  server_process s({"--data-dir", dir_});
  ASSERT_FALSE(s.url().empty()) << s.line();
  const std::vector<std::pair<std::string, std::string>> messages{
    {"1", "昨晚讨论了记忆系统"},       {"1", "昨晚的会议纪要已发送"},
    {"2", "他说记忆断裂是最大的问题"}, {"2", "讨论Agent通信协议"},
    {"3", "東京で会議があります"},     {"4", "회의는 내일입니다"}};
  for (const auto& [chat, text] : messages) {
    auto r = http("POST", s.url() + "/v1/messages", route_body(chat, text));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  auto zuowan = search(s.url(), "昨晚");
  ASSERT_EQ(zuowan.size(), 2u);
  std::set<std::string> snippets;
  for (const auto& h : zuowan)
    snippets.insert(h["snippet"].get<std::string>());
  EXPECT_EQ(snippets, (std::set<std::string>{">>>昨晚<<<讨论了记忆系统",
                                             ">>>昨晚<<<的会议纪要已发送"}));
  auto mid = search(s.url(), "记忆断裂");
  ASSERT_EQ(mid.size(), 1u);
  EXPECT_EQ(mid[0]["snippet"], "他说>>>记忆断裂<<<是最大的问题");
  auto agent = search(s.url(), "Agent通信");
  ASSERT_EQ(agent.size(), 1u);
  EXPECT_EQ(agent[0]["snippet"], "讨论>>>Agent通信<<<协议");
  auto kaigi = search(s.url(), "会議");
  ASSERT_EQ(kaigi.size(), 1u);
  EXPECT_EQ(kaigi[0]["snippet"], "東京で>>>会議<<<があります");
  EXPECT_EQ(search(s.url(), "회의는").size(), 1u);
  EXPECT_EQ(search(s.url(), "记忆系统 OR 会議").size(), 2u);
  // Filters and sort apply; hostile CJK input is a 200 with no error.
  auto r = http("GET", s.url() + "/v1/search?sort=oldest&roles=user&q=" +
                         percent_encode("昨晚"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto oldest = nlohmann::json::parse(r.body)["results"];
  ASSERT_EQ(oldest.size(), 2u);
  EXPECT_EQ(oldest[0]["snippet"], ">>>昨晚<<<讨论了记忆系统");
  for (const char* q :
       {"会議%_\\", "\"会議", "(会議 OR", "NOT 会議 NOT", "会議:content ^*"})
    search(s.url(), q);
  EXPECT_EQ(s.stop(SIGTERM), 0);
}

} // namespace
} // namespace switchboard::testing
