// Golden files for the Markdown export: tests/unit/core/golden/<name>.json is
// the export document, <name>.md the expected Markdown. Set
// SWITCHBOARD_UPDATE_GOLDEN=1 to rewrite the .md files (then review the diff).

#include "core/export_markdown.hpp"
#include "core/pii_redact.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

namespace switchboard::core {
namespace {

std::string golden_dir() {
  const char* src = std::getenv("SWITCHBOARD_SOURCE_DIR");
  return std::string(src ? src : ".") + "/tests/unit/core/golden/";
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

nlohmann::json input(const std::string& name) {
  auto j = nlohmann::json::parse(read_text(golden_dir() + name + ".json"),
                                 nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << name << ".json";
  return j;
}

void expect_golden(const std::string& name, const std::string& actual) {
  std::string path = golden_dir() + name + ".md";
  if (std::getenv("SWITCHBOARD_UPDATE_GOLDEN")) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << actual;
    return;
  }
  EXPECT_EQ(read_text(path), actual) << "golden file " << path;
}

TEST(ExportMarkdownTest, ConversationGolden) {
  expect_golden("conversation", render_session_markdown(input("conversation")));
}

TEST(ExportMarkdownTest, RedactedConversationGolden) {
  expect_golden("conversation_redacted",
                render_session_markdown(redact_export(input("conversation"))));
}

TEST(ExportMarkdownTest, UntitledOpenSessionWithOnlyInactiveRows) {
  expect_golden("empty_open", render_session_markdown(input("empty_open")));
}

TEST(ExportMarkdownTest, InactiveRowsAreLeftOut) {
  auto md = render_session_markdown(input("conversation"));
  EXPECT_EQ(md.find("rewrote away"), std::string::npos);
  EXPECT_NE(md.find("## 2. User"), std::string::npos);
  EXPECT_NE(md.find("## 3. Assistant"), std::string::npos); // no gap
}

TEST(ExportMarkdownTest, ToolCallFenceOutgrowsBackticksInside) {
  auto md = render_session_markdown(input("conversation"));
  EXPECT_NE(md.find("````json\n"), std::string::npos);
}

TEST(ExportMarkdownTest, ReasoningIsNotShown) {
  auto md = render_session_markdown(input("conversation"));
  EXPECT_EQ(md.find("hidden thoughts"), std::string::npos);
}

TEST(ExportMarkdownTest, BooleanActiveAndStructuredToolCalls) {
  nlohmann::json s = {
    {"id", "x"},
    {"source", "api_server"},
    {"started_at", 0},
    {"messages",
     {{{"role", "assistant"},
       {"content", "hi"},
       {"active", true},
       {"tool_calls", {{{"id", "c"}}}}},
      {{"role", "user"}, {"content", "old"}, {"active", false}}}}};
  auto md = render_session_markdown(s);
  EXPECT_NE(md.find("# Session x\n"), std::string::npos);
  EXPECT_NE(md.find("- **Started:** 1970-01-01 00:00:00 UTC\n"),
            std::string::npos);
  EXPECT_NE(md.find("- **Ended:** open\n"), std::string::npos);
  EXPECT_NE(md.find("**Tool calls:**\n\n```json\n"), std::string::npos);
  EXPECT_EQ(md.find("old"), std::string::npos);
}

} // namespace
} // namespace switchboard::core
