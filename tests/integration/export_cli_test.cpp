// Readable, redactable export and the legacy JSONL import through the real
// binary: `export --format markdown --redact-pii` against a server (CLI and
// HTTP) and on the data dir, and `import-hermes` on a home with transcripts.

#include "tests/support/data_dir_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>

namespace switchboard::testing {
namespace {

const std::string source =
  R"({"platform": "signal", "chat_type": "group", "chat_id": "grp-4242",
      "user_id": "u8675309"})";
const std::string text = "I am u8675309 in grp-4242, call +1 (555) 010-9999";

/// Every raw id and the phone number of the conversation above.
void expect_no_pii(const std::string& doc) {
  for (const char* raw : {"u8675309", "grp-4242", "010-9999"})
    EXPECT_EQ(doc.find(raw), std::string::npos) << raw << " in:\n" << doc;
}

class ExportCliTest : public ::testing::Test {
protected:
  process_result cli(std::vector<std::string> args) {
    args.insert(args.begin(), switchboard_bin());
    return run_command(args);
  }

  temp_dir dir_;
};

TEST_F(ExportCliTest, RedactedMarkdownByCliAndHttpStoredDataUnchanged) {
  std::string id;
  {
    server_process s({"--data-dir", dir_.path()});
    ASSERT_FALSE(s.url().empty()) << s.line();
    auto sent = cli({"send", "--url", s.url(), source, text});
    ASSERT_EQ(sent.exit_code, 0) << sent.err;
    id = nlohmann::json::parse(sent.out)["session_id"].get<std::string>();

    auto md = cli(
      {"export", id, "--url", s.url(), "--format", "markdown", "--redact-pii"});
    ASSERT_EQ(md.exit_code, 0) << md.err;
    EXPECT_NE(md.out.find("## 1. User"), std::string::npos) << md.out;
    EXPECT_NE(md.out.find("- **Session key:** `agent:main:signal:group:"),
              std::string::npos)
      << md.out;
    EXPECT_NE(md.out.find("I am user_"), std::string::npos) << md.out;
    expect_no_pii(md.out);

    auto http_md = http("GET", s.url() + "/v1/session-ids/" + id +
                                 "/export?format=markdown&redact_pii=true");
    ASSERT_EQ(http_md.status, 200) << http_md.body;
    EXPECT_EQ(http_md.body, md.out); // one renderer, one redaction
    expect_no_pii(http_md.body);

    auto json = http("GET", s.url() + "/v1/session-ids/" + id +
                              "/export?redact_pii=true");
    ASSERT_EQ(json.status, 200);
    expect_no_pii(json.body);

    // The stored data is unchanged: a plain export still has everything.
    auto plain = cli({"export", id, "--url", s.url()});
    ASSERT_EQ(plain.exit_code, 0) << plain.err;
    auto doc = nlohmann::json::parse(plain.out);
    EXPECT_EQ(doc["messages"][0]["content"], text);
    EXPECT_EQ(doc["user_id"], "u8675309");
    EXPECT_EQ(doc["chat_id"], "grp-4242");
    EXPECT_EQ(s.stop(SIGTERM), 0);
  }
  // The same document from the data dir (the CLI redacts itself there).
  auto local = cli({"export", "--data-dir", dir_.path(), "--format", "markdown",
                    "--redact-pii"});
  ASSERT_EQ(local.exit_code, 0) << local.err;
  expect_no_pii(local.out);
  EXPECT_NE(local.out.find("# "), std::string::npos);
  auto local_one = cli({"export", id, "--data-dir", dir_.path(), "--format",
                        "markdown", "--redact-pii"});
  auto again = cli({"export", id, "--data-dir", dir_.path(), "--format",
                    "markdown", "--redact-pii"});
  EXPECT_EQ(local_one.out, again.out); // stable hashes
}

TEST_F(ExportCliTest, BadFormatIsAUsageError) {
  auto r = cli({"export", "--data-dir", dir_.path(), "--format", "html"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--format: expected json or markdown"),
            std::string::npos)
    << r.err;
}

TEST_F(ExportCliTest, ImportHermesReadsJsonlTranscriptsTwiceTheSame) {
  temp_dir home;
  std::filesystem::create_directories(home.file("sessions"));
  std::ofstream(home.file("sessions/20240202_101010_abcdef01.jsonl"))
    << R"({"role": "user", "content": "quokka here", "timestamp": 1706868611})"
    << "\n"
    << R"({"role": "assistant", "content": "hello quokka"})"
    << "\n"
    << R"({"role": "user", "content": "tor)";
  auto import = [&] {
    return cli({"import-hermes", "--hermes-home", home.path(), "--data-dir",
                dir_.path(), "--json"});
  };
  auto r = import();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto counts = nlohmann::json::parse(r.out);
  EXPECT_EQ(counts["jsonl_sessions_created"], 1) << r.out;
  EXPECT_EQ(counts["jsonl_messages_imported"], 2);
  EXPECT_EQ(counts["jsonl_lines_skipped"], 1);
  auto search = cli({"search", "quokka", "--data-dir", dir_.path(), "--json"});
  ASSERT_EQ(search.exit_code, 0) << search.err;
  EXPECT_EQ(nlohmann::json::parse(search.out)["results"].size(), 2u);
  auto before = cli({"export", "--data-dir", dir_.path()}).out;
  auto second = import();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(nlohmann::json::parse(second.out)["jsonl_messages_imported"], 0);
  EXPECT_EQ(cli({"export", "--data-dir", dir_.path()}).out, before);
}

} // namespace
} // namespace switchboard::testing
